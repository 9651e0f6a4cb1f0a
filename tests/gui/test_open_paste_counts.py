"""Opening and pasting a big graph do only what the window shows (issue #18 item 5, issue #20).

Counts, not timings: a paste from the clipboard builds its graph once (the loader's checked
copy is merged, not built box by box again); the Data panel makes its input rows once per
open, at most MAX_MAPPING_ROWS of them until asked for the rest; the loss landscape waits for
Redraw on a graph past AUTO_REDRAW_MAX_BOXES, even when the graph grew while its debounce ran."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication, QPushButton

from graphcore.graph import Graph
from graphcore.randgraph import random_graph
from gui import clipboard
from gui.panels import data_panel as D
from gui.panels import landscape_panel as L
from tests.gui.helpers import open_random


def count_calls(monkeypatch, cls, name):
    calls = []
    original = getattr(cls, name)

    def counted(self, *a, **k):
        calls.append(a[:2])
        return original(self, *a, **k)
    monkeypatch.setattr(cls, name, counted)
    return calls


def test_a_paste_builds_its_graph_once_and_equals_the_copied_boxes(main_window, monkeypatch):
    win = main_window
    src, _ = random_graph(300, 3)
    QApplication.clipboard().setMimeData(clipboard.to_mime(clipboard.fragment(src, src.nodes())))
    connects = count_calls(monkeypatch, Graph, "connect")
    adds = count_calls(monkeypatch, Graph, "add_node")
    new = win.edit.paste()
    assert len(connects) == len(src.edges()) and len(adds) == len(src)  # the loader's checks only
    g = win.document.graph
    assert new == src.nodes() == g.nodes()  # an empty graph keeps the ids
    assert g.edges() == src.edges()
    for n in new:
        assert (g.op(n), g.label(n), g.value(n), g.column(n)) == (src.op(n), src.label(n), src.value(n), src.column(n))
    assert set(win.scene.node_items) == set(new) and set(win.scene.edge_items) == set(g.edges())
    assert set(win.scene.selected_nodes()) == set(new)
    ranks = {n: i for i, n in enumerate(g.topological_order())}
    assert all(ranks[e.src] < ranks[e.dst] for e in g.edges())
    again = win.edit.paste()  # into itself: fresh ids, arrows among the new boxes only
    assert len(g) == 600 and not set(again) & set(new)
    assert {(e.src in again, e.dst in again) for e in g.edges()} == {(True, True), (False, False)}
    win.document.undo_stack.undo()
    assert g.nodes() == new and len(g.edges()) == len(src.edges())
    win.document.undo_stack.redo()
    assert len(g) == 600 and set(win.scene.node_items) == set(g.nodes())


def test_the_data_panel_makes_its_rows_once_per_open_and_at_most_the_cap(main_window):
    win = main_window
    dp = win.training.data_panel
    built = dp.rows_built
    g = open_random(win, 2500)
    assert len(g.inputs()) > D.MAX_MAPPING_ROWS
    assert dp.rows_built == built + 1
    assert list(dp.column_combos) == g.inputs()[:D.MAX_MAPPING_ROWS]
    more = dp.findChild(QPushButton, "data_more_inputs")
    assert more is not None and f"{len(g.inputs()) - D.MAX_MAPPING_ROWS:,}" in more.text()
    more.click()
    assert list(dp.column_combos) == g.inputs() and dp.rows_built == built + 2
    open_random(win, 2500, seed=1)  # another graph: its first rows again
    assert len(dp.column_combos) == D.MAX_MAPPING_ROWS
    open_random(win, 300)  # a handful of inputs: every row, no button
    assert list(dp.column_combos) == win.document.graph.inputs()
    assert dp.findChild(QPushButton, "data_more_inputs") is None


def test_the_landscape_waits_for_redraw_on_a_big_graph(main_window, qtbot, monkeypatch):
    win = main_window
    win.landscape_dock.show()
    win.landscape_dock.raise_()
    panel = win.landscape
    asked = count_calls(monkeypatch, type(panel.worker), "submit")
    panel._timer.start()  # a debounce under way (the empty window's) when a big graph arrives
    open_random(win, L.AUTO_REDRAW_MAX_BOXES + 100)
    qtbot.wait(L.DEBOUNCE_MS + 100)
    assert not asked and "press Redraw" in panel.message
    panel.recompute()  # Redraw still draws it
    assert len(asked) == 1
    open_random(win, 300)  # a lesson-sized graph: drawn by itself as before
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=5000)



def test_a_big_paste_runs_no_collection_and_merges_in_bulk(main_window, monkeypatch):
    """No cyclic collection walks the thousands of objects a paste makes while it makes them
    (edit_actions.paste under gc_paused: reading, merging, drawing), and the merge inside its
    batch goes in bulk."""
    import gc

    from graphcore import merge as M

    win = main_window
    src, _ = random_graph(600, 4)
    QApplication.clipboard().setMimeData(clipboard.to_mime(clipboard.fragment(src, src.nodes())))
    collector_on = []
    for owner, name in ((clipboard, "read_checked"), (Graph, "merge"), (type(win.scene), "rebuild")):
        def watched(*a, _f=getattr(owner, name), **k):
            collector_on.append(gc.isenabled())
            return _f(*a, **k)
        monkeypatch.setattr(owner, name, watched)
    collections = []
    gc.callbacks.append(lambda phase, info: collections.append(phase) if phase == "start" else None)
    bulk = M.MERGES["bulk"]
    try:
        new = win.edit.paste()
    finally:
        gc.callbacks.pop()
    assert collector_on == [False, False, False] and gc.isenabled()
    assert len(collections) <= 1  # at most the one when it is back on
    assert len(new) == 600 and M.MERGES["bulk"] == bulk + 1
    assert set(win.scene.selected_nodes()) == set(new)
    win.document.undo_stack.undo()
    assert len(win.document.graph) == 0 and not win.scene.node_items


def test_undo_of_delete_everything_puts_the_boxes_back_in_bulk(main_window, monkeypatch):
    """Select All, Delete, Undo on a big graph: the undo adds no box and wires no arrow one by
    one (each arrow searched for a cycle: ~0.8 s at 10,000 boxes), and gives back the same file,
    order and canvas items; Redo deletes them again."""
    from graphcore import fileformat

    win = main_window
    g = open_random(win, 600)
    before, order = fileformat.to_dict(g), g.topological_order()
    win.edit.select_all()
    win.edit.delete()
    assert len(g) == 0 and not win.scene.node_items
    connects = count_calls(monkeypatch, Graph, "connect")
    adds = count_calls(monkeypatch, Graph, "add_node")
    win.document.undo_stack.undo()
    assert not connects and not adds
    assert fileformat.to_dict(g) == before and g.topological_order() == order
    assert set(win.scene.node_items) == set(g.nodes()) and set(win.scene.edge_items) == set(g.edges())
    win.document.evaluate_now()
    assert win.document.error is None and win.document.evaluation is not None
    win.document.undo_stack.redo()
    assert len(g) == 0 and not win.scene.edge_items


def test_a_big_file_opens_without_copying_its_boxes_and_is_evaluated_after_the_paint(main_window, tmp_path,
                                                                                      monkeypatch):
    """File ▸ Open of a big graph: the loader's graph is taken, not copied box by box, and the
    evaluation waits for the debounce (the first paint comes first, the cost says
    "evaluating…"); then every box shows its value as before. A small graph is evaluated at once."""
    from graphcore import fileformat
    from graphcore import graph as graph_module
    from gui import document as D

    win = main_window
    n = D.EVALUATE_AFTER_PAINT_FROM + 100
    src, _ = random_graph(n, 2)
    path = tmp_path / "big.graph.json"
    fileformat.save(src, path)
    copies = []
    monkeypatch.setattr(graph_module, "copy_box", lambda box: copies.append(box) or dict(box))
    assert win.files.open(str(path), ask=False)
    doc = win.document
    shown_file, src_file = fileformat.to_dict(doc.graph), fileformat.to_dict(src)
    assert not copies and len(doc.graph) == n and len(doc.graph.layout) == n  # laid out as it opened
    assert (shown_file["nodes"], shown_file["edges"]) == (src_file["nodes"], src_file["edges"])
    assert doc.evaluation is None and doc._timer.isActive() and win.cost_label.text() == "evaluating…"
    doc.evaluate_now()
    assert doc.evaluation is not None and doc.error is None and "evaluating" not in win.cost_label.text()
    shown = [item.value_text for item in win.scene.node_items.values()]
    assert sum(1 for text in shown if text) > n // 2
    small = tmp_path / "small.graph.json"
    fileformat.save(random_graph(50, 3)[0], small)
    assert win.files.open(str(small), ask=False)
    assert doc.evaluation is not None and not doc._timer.isActive()
