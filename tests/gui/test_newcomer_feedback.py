"""What a newcomer tripped over in the window: a wiring gesture that did nothing without a
word, and a constant's label that went stale when its value changed."""
from PySide6.QtCore import QPointF

from gui import commands as C

from tests.gui.helpers import drag
from tests.gui.training_helpers import open_lesson


def test_dropping_an_output_on_an_output_says_why(main_window, qtbot):
    win = main_window
    g = win.document.graph
    g.add_node("parameter", "a", value=1.0, pos=(0, 0))
    g.add_node("parameter", "b", value=2.0, pos=(0, 200))
    qtbot.wait(10)
    a, b = win.scene.node_items["a"], win.scene.node_items["b"]
    drag(win, a.outputs[0].scenePos(), b.outputs[0].scenePos())
    assert g.edges() == []
    assert "both ports are outputs" in win.scene.last_refusal
    assert "output port" in win.statusBar().currentMessage()


def test_dropping_an_input_on_an_input_says_why(main_window, qtbot):
    win = main_window
    g = win.document.graph
    g.add_node("neg", "n1", pos=(0, 0))
    g.add_node("neg", "n2", pos=(0, 200))
    qtbot.wait(10)
    drag(win, win.scene.node_items["n1"].inputs[0].scenePos(), win.scene.node_items["n2"].inputs[0].scenePos())
    assert g.edges() == [] and "both ports are inputs" in win.scene.last_refusal


def test_a_constant_labelled_by_its_value_follows_it_on_the_canvas_and_on_undo(main_window, qtbot, tmp_path):
    win = main_window
    g = open_lesson(win, "ng_computation_graph", tmp_path, qtbot)
    assert win.document.push(C.SetValueCommand(g, "three", 4.0)) is None
    assert g.label("three") == "4" and win.scene.node_items["three"].label == "4"
    win.document.undo_stack.undo()
    assert g.value("three") == 3.0 and win.scene.node_items["three"].label == "3"
