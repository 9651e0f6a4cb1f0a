"""Drive the canvas the way a learner does: drops from the palette, mouse drags between ports."""
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest

from gui.panels.palette import palette_mime


def shown(win, kind):
    """The newest visible ``kind`` the window holds (a dialog or menu just opened by an action)."""
    found = [w for w in win.findChildren(kind) if w.isVisible()]
    assert found, f"no {kind.__name__} is showing"
    return found[-1]


def view_point(win, scene_pos) -> QPoint:
    return win.view.mapFromScene(scene_pos)


def drop_from_palette(win, op: str, scene_pos: QPointF) -> str:
    """Drop the palette's drag data for ``op`` on the canvas; returns the new box's id."""
    before = set(win.document.graph.nodes())
    mime = win.palette_panel.items[op] and palette_mime(op)
    pos = QPointF(view_point(win, scene_pos))
    win.view.dragEnterEvent(QDropEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    event = QDropEvent(pos, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    win.view.dropEvent(event)
    assert event.isAccepted()
    (new,) = set(win.document.graph.nodes()) - before
    return new


def drag(win, a: QPointF, b: QPointF, steps: int = 4):
    """Press at scene point a, move in steps, release at scene point b (left button)."""
    vp = win.view.viewport()
    pa, pb = view_point(win, a), view_point(win, b)
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, pa)
    for i in range(1, steps + 1):
        p = pa + (pb - pa) * (i / steps)
        QTest.mouseMove(vp, p)
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, pb)


def wire(win, src: str, dst: str, port: int, out: int = 0):
    s = win.scene.node_items[src].outputs[out].scenePos()
    d = win.scene.node_items[dst].inputs[port].scenePos()
    drag(win, s, d)


def open_collapsed(win, tmp_path):
    """A 2 → 3 → 1 network in layer and neuron groups, all collapsed, saved and opened in
    the window; returns (graph, scene, group layer)."""
    from graphcore import fileformat
    from graphcore.builder import mlp
    from graphcore.groups import groups_of

    g = mlp(["x1", "x2"], [3], "relu", "bce", groups=True,
            dataset={"generator": "xor", "n": 20, "seed": 0, "noise": 0.0, "test_fraction": 0.0})
    for n in groups_of(g).names():
        groups_of(g).set_collapsed(n, True)
    path = tmp_path / "net.graph.json"
    fileformat.save(g, path)
    assert win.files.open(str(path), ask=False)
    return win.document.graph, win.scene, win.scene.group_layer


def open_random(win, n, seed=0):
    """A seeded random graph of n boxes, laid out (as File ▸ Open gives every box a place),
    loaded into the window's document; returns the document's graph."""
    from graphcore.layout import compute_layout
    from graphcore.randgraph import random_graph
    g, _ = random_graph(n, seed)
    g.layout.update(compute_layout(g))
    win.document.load_graph(g, None)
    return win.document.graph


def far_out_window(win, monkeypatch, size: tuple[int, int], tiles_across: int | None = None):
    """``win`` on an 80-box random graph that counts as big (the overview's threshold lowered
    to 50 boxes), laid out and fitted in a view of ``size`` — zoomed far out, as a 10,000-box
    graph is; ``tiles_across``: the overview's tile grid made that fine."""
    from graphcore.layout import compute_layout
    from graphcore.randgraph import random_graph
    from gui.canvas import overview, tile_grid

    monkeypatch.setattr(overview, "OVERVIEW_MIN_BOXES", 50)
    if tiles_across is not None:
        monkeypatch.setattr(tile_grid, "TILES_ACROSS", tiles_across)
    g, _ = random_graph(80, 7)
    g.layout.update(compute_layout(g))
    win.document.load_graph(g, None)
    win.view.resize(*size)
    win.view.fit()
    return win
