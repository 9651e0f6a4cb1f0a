"""A learner builds a graph with the mouse: palette drops, wiring, values on the canvas, refusals."""
import json

from PySide6.QtCore import QPointF

from graphcore import functions
from tests.gui.helpers import drag, drop_from_palette, wire


def build_product(win):
    """mul of two parameters, placed and wired by mouse."""
    m = drop_from_palette(win, "mul", QPointF(300, 0))
    a = drop_from_palette(win, "parameter", QPointF(0, -80))
    b = drop_from_palette(win, "parameter", QPointF(0, 80))
    return a, b, m


def test_drop_wire_and_see_value(main_window, qtbot):
    win = main_window
    a, b, m = build_product(win)
    g = win.document.graph
    assert g.op(m) == "mul" and g.op(a) == g.op(b) == "parameter"
    # A half-built box is marked, not an error: both inputs of mul are unwired.
    win.document.evaluate_now()
    assert [p.unwired for p in win.scene.node_items[m].inputs] == [True, True]
    assert win.scene.node_items[m].value_text == "incomplete"
    wire(win, a, m, 0)
    wire(win, b, m, 1)
    assert {(e.src, e.dst, e.port) for e in g.edges()} == {(a, m, 0), (b, m, 1)}
    # Edit the parameters' values in place (double-click → type → Enter).
    for nid, text in ((a, "3"), (b, "-1.5")):
        editor = win.scene.edit_value(nid)
        editor.line.setText(text)
        editor.line.returnPressed.emit()
    assert g.value(a) == 3.0 and g.value(b) == -1.5
    qtbot.waitUntil(lambda: win.scene.node_items[m].value_text == "-4.5", timeout=2000)
    assert not any(p.unwired for p in win.scene.node_items[m].inputs)


def test_cycle_refused_with_message_at_cursor(main_window):
    win = main_window
    a, b, m = build_product(win)
    wire(win, a, m, 0)
    sq = drop_from_palette(win, "square", QPointF(600, 0))
    wire(win, m, sq, 0)
    before = win.document.undo_stack.count()
    wire(win, sq, m, 1)  # sq already depends on m: a cycle
    g = win.document.graph
    assert g.edge_into(m, 1) is None
    assert "cycle" in win.scene.last_refusal
    assert win.scene._tip is not None and "cycle" in win.scene._tip.toPlainText()
    assert win.document.undo_stack.count() == before  # nothing refused reaches the undo history


def test_drop_on_taken_port_replaces_in_one_undo_step(main_window):
    win = main_window
    a, b, m = build_product(win)
    wire(win, a, m, 0)
    n = win.document.undo_stack.count()
    wire(win, b, m, 0)
    g = win.document.graph
    assert g.edge_into(m, 0).src == b and len(g.edges()) == 1
    assert win.document.undo_stack.count() == n + 1
    win.document.undo_stack.undo()
    assert g.edge_into(m, 0).src == a and len(g.edges()) == 1


def test_detach_by_dragging_from_input_port(main_window):
    win = main_window
    a, b, m = build_product(win)
    wire(win, a, m, 0)
    port = win.scene.node_items[m].inputs[0].scenePos()
    drag(win, port, port + QPointF(0, 250))
    assert win.document.graph.edges() == []
    win.document.undo_stack.undo()
    assert len(win.document.graph.edges()) == 1


def test_move_is_one_undo_step_and_snaps(main_window):
    win = main_window
    a, b, m = build_product(win)
    item = win.scene.node_items[m]
    start = win.document.graph.layout[m]
    n = win.document.undo_stack.count()
    grab = item.scenePos() + QPointF(75, 60)
    drag(win, grab, grab + QPointF(133, 47), steps=12)
    x, y = win.document.graph.layout[m]
    assert (x, y) != start and x % 20 == 0 and y % 20 == 0
    assert win.document.undo_stack.count() == n + 1
    win.document.undo_stack.undo()
    assert win.document.graph.layout[m] == start
    assert (item.x(), item.y()) == start


def test_undo_whole_build_to_empty_and_redo(main_window):
    win = main_window
    a, b, m = build_product(win)
    wire(win, a, m, 0)
    wire(win, b, m, 1)
    editor = win.scene.edit_value(a)
    editor.line.setText("2")
    editor.line.returnPressed.emit()
    win.select_nodes([m])
    win.edit.set_meta_from_selection("loss")
    built = win.document.dumps()
    stack = win.document.undo_stack
    while stack.canUndo():
        stack.undo()
    assert len(win.document.graph) == 0 and not win.scene.node_items
    while stack.canRedo():
        stack.redo()
    assert json.loads(win.document.dumps()) == json.loads(built)
    assert set(win.scene.node_items) == {a, b, m} and len(win.scene.edge_items) == 2


def test_dropping_a_wire_on_empty_canvas_offers_functions_and_wires(main_window):
    win = main_window
    a = drop_from_palette(win, "parameter", QPointF(0, 0))
    out = win.scene.node_items[a].outputs[0].scenePos()
    drag(win, out, out + QPointF(260, 0))
    qs = win.quick_search
    assert qs is not None and "parameter" not in qs.shown() and "sigmoid" in qs.shown()
    qs.edit.setText("sigmoid")
    qs.accept_current()
    g = win.document.graph
    (new,) = [n for n in g.nodes() if n != a]
    assert g.op(new) == "sigmoid" and g.edge_into(new, 0).src == a
    win.document.undo_stack.undo()  # box and arrow are one step
    assert g.nodes() == [a]


def test_palette_filter_and_tooltips(main_window):
    pal = main_window.palette_panel
    assert set(pal.items) == set(functions.CATALOGUE)
    pal.filter.setText("sigm")
    assert pal.visible_ops() == ["sigmoid"]
    assert "local derivative" in pal.items["sigmoid"].toolTip(0)
    pal.filter.setText("")
    assert len(pal.visible_ops()) == len(pal.items)
