"""What a newcomer tripped over in the window: a wiring gesture that did nothing without a
word, and a constant's label that went stale when its value changed."""

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


def test_history_entries_and_the_plots_name_boxes_by_label(main_window, qtbot, tmp_path):
    win = main_window
    g = open_lesson(win, "xor_network", tmp_path, qtbot)
    assert win.history.emptyLabel() == "Opened xor_network.graph.json"
    doc, stack = win.document, win.document.undo_stack
    doc.push(C.SetValueCommand(g, "w1_1_1", 0.5))
    doc.push(C.RenameCommand(g, "h1_2", "hidden 2"))
    doc.push(C.DisconnectCommand(g, g.edge_into("m2_1_9", 0)))
    texts = [stack.text(i) for i in range(stack.count())]
    assert texts == ["Set w¹₁₁ = 0.5", "Rename h¹₂ to hidden 2", "Disconnect h¹₉ → w²₁,₉·h¹₉"]
    assert not any("_" in t for t in texts)  # no box id
    # The gradient bars and the parameter plot show labels; every box of the lesson has one.
    win.document.undo_stack.undo()
    win.document.evaluate_now()
    tv = win.training
    tv.plots.bottom.setCurrentWidget(tv.plots.gradients)
    tv.refresh()
    assert tv.plots.gradients.labels == [g.label(b) for b in tv.plots.gradients.boxes]
    assert "w²₁,₉·h¹₉" in tv.plots.gradients.labels and not any("_" in t for t in tv.plots.gradients.labels)
    tv.runner.step_epoch()
    tv.plots.bottom.setCurrentWidget(tv.plots.parameters)
    tv.refresh()
    choice = tv.plots.parameters.choice
    items = [choice.itemText(i) for i in range(choice.count())]
    assert "w¹₁₁" in items and not any("_" in t for t in items)


def test_the_unsaved_changes_question_names_the_file(main_window, qtbot, tmp_path, no_modal_dialogs):
    win = main_window
    g = open_lesson(win, "xor_network", tmp_path, qtbot)
    win.document.push(C.SetValueCommand(g, "w1_1_1", 0.5))
    assert win.files.maybe_save()  # answered "Discard" by the test setup
    (kind, title, text), = [s for s in no_modal_dialogs.seen if s[1] == "Unsaved changes"]
    assert "xor_network.graph.json" in text


def test_a_new_graph_history_starts_at_new_graph(main_window):
    assert main_window.history.emptyLabel() == "New graph"
