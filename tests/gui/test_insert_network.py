"""Insert ▸ Network… and Insert ▸ Expression… in the window: one undo step, groups, names,
the data's columns, and a refused shape or formula said in the dialog with nothing lost."""
from graphcore import fileformat
from graphcore.groups import groups_of
from graphcore.training import Trainer
from gui.insert_dialogs import ExpressionDialog, NetworkDialog, open_dialog
from tests.gui.helpers import shown

XOR = {"generator": "xor", "n": 100, "seed": 0, "noise": 0.0, "test_fraction": 0.0}


def test_network_2_10_1_is_one_undo_step_and_trains_xor(main_window, qtbot):
    win = main_window
    win.document.graph.set_meta("dataset", XOR)
    before = fileformat.dumps(win.document.graph)
    dialog = open_dialog(win, NetworkDialog)
    assert dialog.inputs.text() == "x1, x2"  # the data set's columns
    dialog.insert()
    g = win.document.graph
    assert len(g) == 116 and dialog.inserted is not None
    assert groups_of(g).children(None) == ["layer 1", "layer 2"]
    assert {g.label(n) for n in win.scene.selected_nodes()} >= {"W1[3,2]", "h1[10]", "ŷ", "L"}
    assert g.box_name(g.meta["loss"]) == "L"  # the graph had no cost J: the network's is it now
    result = Trainer(g, optimizer="momentum", lr=0.1, epochs=500).train()  # the xor lesson's settings
    assert result["accuracy"] >= 0.95
    win.document.undo_stack.undo()
    assert fileformat.dumps(g) == before
    win.document.undo_stack.redo()
    assert len(g) == 116 and len(groups_of(g)) == 13


def test_second_network_shares_the_inputs_and_keeps_the_cost(main_window):
    win = main_window
    win.document.graph.set_meta("dataset", XOR)
    open_dialog(win, NetworkDialog).insert()
    g = win.document.graph
    loss = g.meta["loss"]
    dialog = open_dialog(win, NetworkDialog)
    dialog.hidden.setText("3, 2")
    dialog.activations.setText("tanh, sigmoid")
    dialog.insert()
    assert len(g.inputs()) == 3  # x1, x2, y read once each
    assert g.meta["loss"] == loss
    assert "layer 3 #2" in groups_of(g).names()
    assert "cost J stays L" in win.statusBar().currentMessage()


def test_bad_shape_is_one_line_in_the_dialog_and_nothing_changes(main_window):
    win = main_window
    before = fileformat.dumps(win.document.graph)
    win.actions_by_name["insert_network"].trigger()  # Insert ▸ Network…
    dialog = shown(win, NetworkDialog)
    assert isinstance(dialog, NetworkDialog) and dialog.isVisible()
    dialog.hidden.setText("10, ten")
    dialog.insert()
    assert dialog.isVisible() and dialog.message.text() == "layer size 'ten' is not a whole number"
    dialog.hidden.setText("4, 4")
    dialog.activations.setText("relu, swish")
    dialog.insert()
    assert "unknown activation 'swish'" in dialog.message.text()
    assert dialog.hidden.text() == "4, 4"  # what was typed stays
    assert fileformat.dumps(win.document.graph) == before and not win.document.undo_stack.count()


def test_expression_is_dropped_as_a_group(main_window):
    win = main_window
    dialog = open_dialog(win, ExpressionDialog)
    dialog.expression.setText("bce(sigmoid(w1*x1 + w2*x2 + b), y)")
    dialog.insert()
    g = win.document.graph
    (name,) = groups_of(g).names()
    assert [p.variable for p in groups_of(g).ports(name).inputs] == ["x1", "x2", "y"]
    assert g.op(g.meta["loss"]) == "bce" and win.document.undo_stack.count() == 1
    win.document.undo_stack.undo()
    assert len(g) == 0 and len(groups_of(g)) == 0


def test_bad_expression_is_one_line_naming_the_column(main_window):
    win = main_window
    win.actions_by_name["insert_expression"].trigger()  # Insert ▸ Expression…
    dialog = shown(win, ExpressionDialog)
    assert isinstance(dialog, ExpressionDialog)
    dialog.expression.setText("sigmoid(w1*x1 +)")
    dialog.insert()
    assert dialog.message.text().startswith("col ") and "\n" not in dialog.message.text()
    assert dialog.isVisible() and dialog.expression.text() == "sigmoid(w1*x1 +)"
    assert len(win.document.graph) == 0

