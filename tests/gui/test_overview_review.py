"""Review of the far-out overview (issue #18 item 5): after undo/redo of big deletes, group
collapses, pastes, File ▸ New and a lesson, the tiles hold exactly what the window shows."""
from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsItem

from gui import commands as C
from gui.canvas import overview as overview_module
from gui.canvas.node_item import WIDTH
from tests.gui.helpers import far_out_window, open_collapsed

NO_CONTENTS = QGraphicsItem.ItemHasNoContents


def check(win):
    """The tiles draw every shown box (where it is, in its colour) and arrow, nothing else; far
    out no box or arrow paints itself, near every one does."""
    win.grab()
    scene = win.scene
    ov = scene.overview
    items = list(scene.node_items.values()) + list(scene.edge_items.values())
    flagged = [bool(it.flags() & NO_CONTENTS) for it in items]
    assert all(f == ov.on for f in flagged), (ov.on, sum(flagged), len(flagged))
    if not ov.on:
        return
    boxes, lines = {}, {}
    for (layer, _i, _j), tile in ov.tiles.items():
        if layer == overview_module.BOXES:
            boxes.update(tile.boxes)
        else:
            lines.update(tile.lines)
    shown = {nid: it for nid, it in scene.node_items.items() if it.isVisible()}
    assert set(boxes) == set(shown)
    for nid, it in shown.items():
        key, rect = boxes[nid]
        assert rect == QRectF(it.x(), it.y(), WIDTH, it.height), nid
        assert key == overview_module._key(ov._color(nid, it)), nid
    arrows = {it for it in scene.edge_items.values() if it.isVisible()}
    assert set(lines) == arrows
    for it in arrows:
        assert lines[it] == it.line


def test_big_delete_undo_redo_and_an_edit_between(main_window, monkeypatch):
    win = far_out_window(main_window, monkeypatch, (600, 400), tiles_across=12)
    doc, g = win.document, win.document.graph
    check(win)
    some = g.nodes()[5:70]
    doc.push(C.RemoveCommand(g, some))
    check(win)
    doc.undo_stack.undo()
    check(win)
    doc.undo_stack.redo()
    check(win)
    doc.undo_stack.undo()
    check(win)
    nid = g.nodes()[3]
    x, y = g.layout[nid]
    doc.push(C.MoveCommand(g, {nid: (x, y)}, {nid: (x + 300.0, y + 200.0)}))
    check(win)
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    check(win)
    doc.undo_stack.redo()
    doc.undo_stack.redo()
    check(win)


def test_select_all_delete_then_new_then_lesson(main_window, monkeypatch, tmp_path):
    win = far_out_window(main_window, monkeypatch, (600, 400), tiles_across=12)
    for it in win.scene.node_items.values():
        it.setSelected(True)
    check(win)
    doc, g = win.document, win.document.graph
    doc.push(C.RemoveCommand(g, list(g.nodes())))
    check(win)
    doc.undo_stack.undo()
    check(win)
    doc.undo_stack.setClean()
    doc.set_dirty(False)
    win.files.new()
    check(win)
    from pathlib import Path
    path = Path("assets/examples/xor_network.graph.json").resolve()
    assert win.files.open(str(path), ask=False)
    check(win)


def test_collapse_expand_far_out(main_window, tmp_path, monkeypatch):
    """An arrow the group layer draws once a collapse is undone (adopt_edge) is drawn by the
    tiles only: it painted itself over them too (Python paints far out, at every repaint)."""
    monkeypatch.setattr(overview_module, "OVERVIEW_MIN_BOXES", 1)
    win = main_window
    g, scene, layer = open_collapsed(win, tmp_path)
    win.view.resize(300, 200)
    win.view.fit()
    scene.overview.follow_zoom(0.1)
    check(win)
    layer.set_collapsed("layer 1", False)
    check(win)
    layer.set_collapsed("neuron 1.2", False)
    check(win)
    layer.set_collapsed("neuron 1.2", True)
    check(win)
    layer.set_collapsed("layer 1", True)
    check(win)
    scene.overview.follow_zoom(1.0)
    check(win)
    layer.set_collapsed("layer 1", False)
    layer.set_collapsed("neuron 1.2", False)
    scene.overview.follow_zoom(0.1)
    check(win)


def test_undo_of_a_big_delete_in_groups_far_out(main_window, tmp_path, monkeypatch):
    """More than 40 boxes in collapsed groups deleted and put back in bulk: the groups, the
    hidden boxes and the tiles are as before."""
    from graphcore import fileformat
    from graphcore.builder import mlp
    from graphcore.groups import groups_of

    monkeypatch.setattr(overview_module, "OVERVIEW_MIN_BOXES", 1)
    g0 = mlp(["x1", "x2"], [6, 6], "relu", "bce", groups=True,
             dataset={"generator": "xor", "n": 20, "seed": 0, "noise": 0.0, "test_fraction": 0.0})
    path = tmp_path / "net.graph.json"
    fileformat.save(g0, path)
    win = main_window
    assert win.files.open(str(path), ask=False)
    doc, g, scene = win.document, win.document.graph, win.scene
    layer = scene.group_layer
    names = groups_of(g).names()
    layer.set_collapsed(names[1], True)
    win.view.resize(300, 200)
    win.view.fit()
    scene.overview.follow_zoom(0.1)
    check(win)
    groups = groups_of(g).to_list()
    shown = {n for n, it in scene.node_items.items() if it.isVisible()}
    assert len(g) > 40
    doc.push(C.RemoveCommand(g, list(g.nodes())))
    check(win)
    doc.undo_stack.undo()
    check(win)
    assert groups_of(g).to_list() == groups
    assert {n for n, it in scene.node_items.items() if it.isVisible()} == shown
    layer.set_collapsed(names[1], False)
    check(win)
    doc.undo_stack.redo()
    doc.undo_stack.undo()
    check(win)
