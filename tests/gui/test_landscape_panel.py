"""The Loss landscape dock (#14 item 3), offscreen: its grid equals `graphcore eval` at sampled
points (through the panel's own request and worker), a click on the plot sets the two
parameters as one undo step, and hostile graphs get one line, not a crash."""
import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from graphcore import fileformat, landscape, lessons
from graphcore.engine import compile_graph
from graphcore.graph import Graph

XOR = lessons.path_of("xor_network")
LOGISTIC = lessons.path_of("logistic_regression")


def show_landscape(win):
    win.landscape_dock.show()
    win.landscape_dock.raise_()
    return win.landscape


def drawn(qtbot, panel):
    """Wait for the grid the panel asked for (computed on its worker thread)."""
    qtbot.wait(1)  # the graph's events reach the panel on the next turn of the event loop
    qtbot.waitUntil(lambda: panel.settled, timeout=20_000)
    return panel.landscape


_LOADED = {}


def eval_cost(path, values: dict) -> float:
    """`graphcore eval`'s cost, in-process: the file as loaded, with the values set."""
    h = _LOADED.get(path) or _LOADED.setdefault(path, fileformat.load(path))
    h.set_values({**_LOADED.setdefault((path, "start"), {p: h.value(p) for p in h.parameters()}), **values})
    return compile_graph(h).run(landscape.training_data(h)).cost


def test_grid_equals_eval_at_sampled_points(main_window, qtbot):
    win = main_window
    win.files.open(XOR, ask=False)
    panel = show_landscape(win)
    ids = compile_graph(win.document.graph).param_ids
    panel.choose(ids[0], ids[2])
    ls = drawn(qtbot, panel)
    assert ls is not None, panel.message
    assert ls.J.shape == (41, 41) and ls.axes == (ids[0], ids[2])
    rng = np.random.default_rng(4)
    for i, j in [(0, 0), (40, 40), (20, 20)] + [tuple(rng.integers(0, 41, 2)) for _ in range(3)]:
        want = eval_cost(XOR, {ids[0]: float(ls.xs[j]), ids[2]: float(ls.ys[i])})
        assert abs(ls.J[i, j] - want) <= 1e-12, (i, j)
    assert "Click to move" in panel.message
    assert panel.plot.image.image is not None and panel.plot.image.image.shape == (41, 41, 4)


def click_plot(panel, x: float, y: float):
    """A real left click on the landscape plot at plane coordinates (x, y)."""
    pw = panel.plot.pw
    scene_pos = pw.getViewBox().mapViewToScene(QPointF(x, y))
    at = pw.mapFromScene(scene_pos)
    QTest.mouseClick(pw.viewport(), Qt.LeftButton, Qt.NoModifier, QPoint(at.x(), at.y()))


def test_a_click_sets_the_two_parameters_undo_restores_them_and_the_path_plane(main_window, qtbot):
    win = main_window
    win.files.open(LOGISTIC, ask=False)
    panel = show_landscape(win)
    g = win.document.graph
    ls = drawn(qtbot, panel)
    assert ls is not None, panel.message
    p1, p2 = ls.axes
    assert (p1, p2) == (panel.x_choice.currentData(), panel.y_choice.currentData())
    before = {p: g.value(p) for p in g.parameters()}
    steps = win.document.undo_stack.count()
    target = (float(ls.xs[30]), float(ls.ys[8]))
    with qtbot.waitSignal(panel.plot.clicked, timeout=3000) as got:
        click_plot(panel, *target)
    x, y = got.args
    dx = ls.xs[1] - ls.xs[0]
    assert abs(x - target[0]) < dx and abs(y - target[1]) < dx  # within a grid cell of the aim
    assert (g.value(p1), g.value(p2)) == (x, y)
    assert all(g.value(p) == v for p, v in before.items() if p not in (p1, p2))  # the others stay
    assert win.document.undo_stack.count() == steps + 1
    assert g.box_name(p1) in win.document.undo_stack.text(steps)
    qtbot.waitUntil(lambda: win.document.evaluation is not None and
                    abs(win.document.evaluation.cost - eval_cost(LOGISTIC, {p1: x, p2: y})) <= 1e-12, timeout=3000)
    win.document.undo_stack.undo()
    assert {p: g.value(p) for p in g.parameters()} == before
    qtbot.waitUntil(lambda: panel.settled)
    assert not panel._stale and panel.landscape is ls  # the point moved within the plane drawn: no new grid
    serial = panel._serial
    panel.log_scale.setChecked(True)  # log scale: the same grid drawn again, not a new one
    assert panel._serial == serial and panel.landscape is ls
    assert "log" in panel.plot.pw.getPlotItem().titleLabel.text

    # the path's plane after a few epochs: the path drawn, the plane centred where the graph is
    panel.log_scale.setChecked(False)
    t = win.training.runner
    for _ in range(4):
        t.step_epoch()
    panel.span.setValue(0.001)
    panel.fit_paths()  # ± reaches the whole path from where the graph is now
    g = win.document.graph
    p1, p2 = panel.x_choice.currentData(), panel.y_choice.currentData()
    cols = [t.trainer.param_ids.index(p) for p in (p1, p2)]
    reach = np.abs(panel._trajectory[:, cols] - [g.value(p1), g.value(p2)]).max()
    assert reach > 0.001 and panel.span.value() >= reach
    panel.mode.setCurrentIndex(panel.mode.findData("path"))
    ls = drawn(qtbot, panel)
    assert ls is not None and ls.explained is not None, panel.message
    x, y = panel.plot.path.getData()
    assert len(x) == 5  # the start and four epochs
    here = np.array([g.value(p) for p in ls.param_ids])
    assert np.allclose(ls.centre, here)  # the plane is centred at the path's end: where the graph is


def log_graph() -> Graph:
    """J = log(a) + b²: a hole where a ≤ 0; 'stray c' feeds nothing the cost reads."""
    g = Graph("log")
    for pid, v, label in (("a", 1.0, "a"), ("b", 0.5, "b"), ("c", 2.0, "stray c")):
        g.add_node("parameter", pid, value=v, label=label, pos=(0, 0))
    g.add_node("log", "la", pos=(100, 0))
    g.add_node("square", "sb", pos=(100, 80))
    g.add_node("add", "J", pos=(200, 0))
    g.connect("a", "la", 0)
    g.connect("b", "sb", 0)
    g.connect("la", "J", 0)
    g.connect("sb", "J", 1)
    g.set_meta("loss", "J")
    return g


def test_hostile_graphs_get_one_line(main_window, qtbot):
    win = main_window
    panel = show_landscape(win)
    drawn(qtbot, panel)
    assert panel.message.startswith("no parameters") and panel.landscape is None  # the empty new graph
    win.document.load_graph(log_graph(), None)
    panel.span.setValue(1.5)  # a from −0.5 to 2.5: log(a) is not finite left of 0
    panel.choose("a", "b")
    ls = drawn(qtbot, panel)
    assert ls is not None, panel.message
    holes = np.isnan(ls.J)
    assert holes[:, ls.xs <= 0].all() and not holes[:, ls.xs > 0].any()
    assert f"{int(holes.sum())} of {ls.J.size} points are holes" in panel.message
    alpha = panel.plot.image.image[..., 3]
    assert (alpha[holes] == 0).all() and (alpha[~holes] == 255).all()  # holes see through, nothing else
    win.select_nodes(["c", "a"])  # two parameter boxes selected on the canvas become the axes
    assert (panel.x_choice.currentData(), panel.y_choice.currentData()) == ("a", "c")
    drawn(qtbot, panel)
    assert panel.message == "the cost J does not depend on 'stray c': its landscape would be flat along that axis"
    assert panel.landscape is None and panel.plot.image.image is None
    panel.mode.setCurrentIndex(panel.mode.findData("path"))
    drawn(qtbot, panel)
    assert panel.message.startswith("train first")


def test_contours_are_where_J_crosses_each_level():
    from gui.panels.landscape_view import contour_lines
    xs, ys = np.linspace(-1, 1, 9), np.linspace(-2, 2, 5)
    x, y = contour_lines(xs[None, :] + 0 * ys[:, None], xs, ys, n=3)  # J = x: straight lines x = −0.5, 0, 0.5
    assert sorted(set(np.round(x, 12))) == [-0.5, 0.0, 0.5] and len(x) == 3 * 2 * (len(ys) - 1)
    r = np.hypot(*np.meshgrid(np.linspace(-1, 1, 41), np.linspace(-1, 1, 41)))
    r[20, 20] = np.nan  # a hole in the middle: high ground, never a crash
    x, y = contour_lines(r, np.linspace(-1, 1, 41), np.linspace(-1, 1, 41), n=4)
    radii = np.hypot(x, y)
    assert len(x) % 2 == 0 and np.isfinite(radii).all()
    assert (radii < 0.1).any()  # lines go round the hole (high ground)
    inner = radii[(radii > 0.1) & (radii < 0.6)]  # the rings inside the unit circle are circles
    levels = np.linspace(np.nanmin(r), np.nanmax(r), 6)[1:-1]
    assert len(inner) and np.min(np.abs(inner[:, None] - levels[None, :]), axis=1).max() < 0.02


def test_a_worker_process_that_dies_is_one_line_and_the_next_grid_starts_a_new_one(qapp, qtbot):
    from gui.panels import landscape_worker
    from gui.panels.landscape_jobs import freeze

    worker = landscape_worker.GridWorker()
    got = []
    worker.ready.connect(lambda serial, ls: got.append((serial, ls)))
    worker.failed.connect(lambda serial, msg: got.append((serial, msg)))
    g = log_graph()
    worker.submit(freeze(1, g, None, "pair", p1="a", p2="b", span=0.5, resolution=5))
    assert worker.wait(20_000) and got[-1][0] == 1 and got[-1][1].J.shape == (5, 5)
    server = landscape_worker.server()
    server.proc.kill()
    server.proc.wait(10)
    worker.submit(freeze(2, g, None, "pair", p1="a", p2="b", span=0.5, resolution=5))
    qtbot.waitUntil(lambda: got[-1][0] == 2, timeout=10_000)
    assert got[-1][1] == landscape_worker.DIED and not worker.busy
    worker.submit(freeze(3, g, None, "pair", p1="a", p2="b", span=0.5, resolution=5))
    assert worker.wait(20_000) and got[-1][0] == 3 and got[-1][1].J.shape == (5, 5)
    assert landscape_worker.server() is not server


def test_a_million_points_are_sampled_for_the_grid_and_it_says_so():
    from gui.panels.landscape_panel import MAX_POINTS, sampled
    big = {"x1": np.arange(1_000_000, dtype=float), "y": np.zeros(1_000_000)}
    data, note = sampled(big)
    assert len(data["x1"]) == MAX_POINTS and data["x1"][0] == 0 and data["x1"][-1] == 999_999
    assert "5,000 of the 1,000,000" in note
    small = {"x1": np.arange(100.0)}
    assert sampled(small) == (small, "") and sampled(None) == (None, "")


def test_a_large_request_never_waits_for_the_worker_to_read_it(qapp, qtbot):
    """A big graph's request fills the socket: with the worker not reading (still starting, or
    here stopped), submitting it must still return at once — the window's thread never waits."""
    import os
    import signal
    import threading

    from gui.panels import landscape_worker
    from gui.panels.landscape_jobs import freeze

    worker = landscape_worker.GridWorker()
    got = []
    worker.ready.connect(lambda serial, ls: got.append(serial))
    server = landscape_worker.server()
    data = {"x": np.linspace(0.0, 1.0, 1_000_000)}  # 8 MB: far more than a socket holds
    request = freeze(1, log_graph(), data, "pair", p1="a", p2="b", span=0.5, resolution=5)
    os.kill(server.proc.pid, signal.SIGSTOP)
    try:
        sender = threading.Thread(target=worker.submit, args=(request,), daemon=True)
        sender.start()
        sender.join(10)
        assert not sender.is_alive(), "submit waited for the worker process to read the request"
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)
    assert worker.wait(60_000) and got == [1]
