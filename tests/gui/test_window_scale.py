"""The canvas at scale: edits cost what they change (issue #18 item 5, issue #20's paste).

Not timings: these count operations and check that the cheap paths leave the window
exactly as a full rebuild would — the same boxes, arrows, positions, selection, values."""
from __future__ import annotations

from PySide6.QtCore import QPointF

from gui import clipboard
from gui.canvas.edge_item import EdgeItem
from tests.gui.helpers import drag, open_random


def assert_scene_matches(win):
    """Items exactly as a rebuild would make them: one per box and arrow, at the model's places,
    each arrow drawn between its boxes' current ports."""
    g, scene = win.document.graph, win.scene
    assert set(scene.node_items) == set(g.nodes())
    assert set(scene.edge_items) == set(g.edges())
    for nid, item in scene.node_items.items():
        assert (item.x(), item.y()) == tuple(g.layout[nid])
        assert item.label == g.label(nid) and item.scene() is scene
    for e, item in scene.edge_items.items():
        src, dst = scene.node_items[e.src], scene.node_items[e.dst]
        assert item.src_port is src.outputs[e.out] and item.dst_port is dst.inputs[e.port]
        assert item.path().pointAtPercent(0) == item.src_port.scenePos()
        assert item.path().pointAtPercent(1) == item.dst_port.scenePos()
    for nid in g.nodes():
        assert scene.edge_index.at(nid) == set(g.arrows_at(nid))


def test_paste_and_its_undo_touch_only_the_pasted_items(main_window):
    win = main_window
    g = open_random(win, 150)
    before = dict(win.scene.node_items)
    chosen = g.nodes()[50:110]
    pasted = win.edit.paste(clipboard.fragment(g, chosen))
    assert len(pasted) == 60 and len(g) == 210
    assert all(win.scene.node_items[n] is item for n, item in before.items())  # not rebuilt
    assert set(win.scene.selected_nodes()) == set(pasted)
    assert_scene_matches(win)
    win.document.undo_stack.undo()
    assert len(g) == 150 and all(win.scene.node_items[n] is item for n, item in before.items())
    assert_scene_matches(win)
    win.document.undo_stack.redo()
    assert_scene_matches(win)


def test_deleting_many_boxes_and_undo_keep_the_scene_in_step(main_window):
    win = main_window
    g = open_random(win, 150, seed=1)
    file_before = win.document.dumps()
    win.select_nodes(g.nodes()[40:100])
    win.edit.delete()
    assert len(g) == 90
    assert_scene_matches(win)
    win.document.undo_stack.undo()
    assert win.document.dumps() == file_before
    assert_scene_matches(win)


def test_auto_layout_moves_the_items_it_has(main_window):
    win = main_window
    open_random(win, 150, seed=2)
    before = dict(win.scene.node_items)
    evaluated = []
    win.document.evaluated.connect(evaluated.append)
    win.edit.auto_layout()
    assert all(win.scene.node_items[n] is item for n, item in before.items())
    assert_scene_matches(win)
    win.document.evaluate_now() if win.document._timer.isActive() else None
    assert not evaluated, "moving boxes changes no number: nothing to evaluate"
    win.document.undo_stack.undo()
    assert_scene_matches(win)


def test_select_all_is_one_selection_signal(main_window):
    win = main_window
    g = open_random(win, 100, seed=3)
    signals = []
    win.scene.selectionChanged.connect(lambda: signals.append(1))
    win.edit.select_all()
    assert signals == [1]
    assert set(win.scene.selected_nodes()) == set(g.nodes())
    assert set(win.scene.selected_edges()) == set(g.edges())


def test_moving_one_box_redraws_its_own_arrows(main_window, monkeypatch):
    win = main_window
    g = open_random(win, 120, seed=4)
    nid = max(g.nodes(), key=lambda b: len(g.arrows_at(b)))
    item = win.scene.node_items[nid]
    win.view.resetTransform()
    win.view.centerOn(item)
    redrawn = []
    original = EdgeItem.update_path
    monkeypatch.setattr(EdgeItem, "update_path", lambda self: (redrawn.append(self.edge), original(self)))
    x, y = g.layout[nid]
    at = QPointF(item.sceneBoundingRect().center().x(), y + 8)  # its header: no port there
    drag(win, at, at + QPointF(40, 20))  # Qt moves the item; the scene redraws its arrows on the way
    assert g.layout[nid] != (x, y)  # moved (snapped to the grid)
    assert redrawn and set(redrawn) == set(g.arrows_at(nid))


def test_values_after_edits_equal_a_fresh_window(main_window, qtbot):
    """The footers after incremental evaluations read what a window opening the result shows."""
    from gui.main_window import MainWindow

    win = main_window
    g = open_random(win, 100, seed=5)
    p = next(n for n in g.nodes() if g.op(n) == "parameter")
    from gui import commands as C
    win.document.push(C.SetValueCommand(g, p, g.value(p) + 0.5))
    win.document.evaluate_now()
    win.edit.add_box("sin", win.view.mapToScene(0, 0))
    win.document.evaluate_now()
    fresh = MainWindow(offer_recovery=False)
    qtbot.addWidget(fresh)
    fresh.document.load_graph(g.copy(), None)
    shown = {n: it.value_text for n, it in win.scene.node_items.items()}
    assert shown == {n: it.value_text for n, it in fresh.scene.node_items.items()}
    assert win.document.evaluation.cost == fresh.document.evaluation.cost
    fresh.document.undo_stack.setClean()
    fresh.close()


def test_new_over_a_selected_graph_is_one_selection_signal(main_window):
    """File ▸ New (or Open) over 10,000 selected boxes took minutes: each removed item was a signal."""
    win = main_window
    open_random(win, 100, seed=6)
    win.edit.select_all()
    signals = []
    win.scene.selectionChanged.connect(lambda: signals.append(1))
    win.files.new()
    assert signals == [1] and not win.scene.node_items and not win.scene.selectedItems()
