"""The step-through reveals, it does not spoil: a box shows its value once its forward step has
run; the quiz asks at forward steps too, before it shows the answer; the legend and numbers
leave the canvas when the step-through ends (dock closed, training started)."""

import pytest
from PySide6.QtCore import Qt

from tests.stepper.stepper_graphs import ng_lesson

from tests.gui.training_helpers import open_lesson  # noqa: E402


@pytest.fixture
def win(main_window):
    main_window.document.load_graph(ng_lesson(), None)
    main_window.document.evaluate_now()
    return main_window


def hidden(win):
    return {nid for nid, it in win.scene.node_items.items() if it.value_hidden}


def test_values_appear_on_the_boxes_as_their_steps_run(win):
    ctrl = win.stepper
    assert hidden(win) == set()  # no step-through: every box shows its value
    ctrl.step_forward()
    first = ctrl.current().node
    assert hidden(win) == set(win.document.graph.nodes()) - {first}
    order = [first]
    while ctrl.current().phase == "forward":
        assert hidden(win) == set(win.document.graph.nodes()) - set(order)
        ctrl.step_forward()
        order.append(ctrl.current().node)
    assert hidden(win) == set()  # backward: every value is known
    ctrl.reset()
    assert hidden(win) == set()


def test_forward_quiz_asks_for_the_value_before_showing_it(win, qtbot):
    ctrl, panel = win.stepper, win.stepper_panel
    panel.quiz_check.setChecked(True)
    while ctrl.current() is None or ctrl.current().node != "u":
        assert not ctrl.pending  # sources hold their value: nothing to work out
        ctrl.step_forward()
    assert ctrl.pending
    text = panel.chain_text()
    assert "u = b · c = 3 · 2 = ?" in text and "= 6" not in text
    assert "u" in hidden(win)
    assert not any(it.value_label for e, it in win.scene.edge_items.items() if e.src == "u")
    assert [panel.quiz_form.itemAt(0, panel.quiz_form.ItemRole.LabelRole).widget().text()] == ["u ="]
    panel.answer_edits[0].setText("6")
    qtbot.mouseClick(panel.check_button, Qt.LeftButton)
    assert not ctrl.pending and "3 · 2 = 6" in panel.chain_text()
    assert "u" not in hidden(win)
    assert "u: you said 6, it is 6 — right" in panel.quiz_result.text()
    assert "1 of 1 right" in panel.tally.text()


def test_closing_the_step_through_takes_its_legend_and_numbers_off_the_canvas(win, qtbot):
    ctrl = win.stepper
    for _ in range(4):
        ctrl.step_forward()
    assert win.scene.overlay is not None and win.scene.overlay.legend
    win.stepper_dock.close()
    qtbot.waitUntil(lambda: win.scene.overlay is None, timeout=2000)
    assert ctrl.index == -1 and hidden(win) == set()
    assert not any(it.value_label for it in win.scene.edge_items.values())


def test_training_ends_the_step_through(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    win.stepper_dock.raise_()
    for _ in range(3):
        win.stepper.step_forward()
    assert win.scene.overlay is not None and win.scene.overlay.legend
    win.training.panel.epochs.setValue(5)
    win.training.runner.train()
    assert win.stepper.index == -1
    assert win.scene.overlay is None or not win.scene.overlay.legend
    qtbot.waitUntil(lambda: win.training.runner.state == "done", timeout=30_000)


def test_status_bar_keeps_j_to_itself_until_its_step_has_run(win):
    ctrl = win.stepper
    assert win.cost_label.text().startswith("cost J = 33")
    ctrl.step_forward()
    assert "33" not in win.cost_label.text() and "?" in win.cost_label.text()
    ctrl.end_forward()  # J's forward step has run
    assert win.cost_label.text().startswith("cost J = 33")
    ctrl.start_forward()
    assert "33" not in win.cost_label.text()
    ctrl.reset()
    assert win.cost_label.text().startswith("cost J = 33")


def test_stepping_right_after_an_edit_shows_the_new_numbers(win, qtbot):
    """The live evaluation waits for a quiet moment; the step-through does not show the old
    graph's numbers meanwhile (closing its dock resets it before that evaluation comes)."""
    ctrl = win.stepper

    def at_u():
        return ctrl.current() is not None and (ctrl.current().phase, ctrl.current().node) == ("backward", "u")
    while not at_u():
        assert ctrl.step_forward()
    win.stepper_dock.hide()
    qtbot.wait(1)
    win.document.graph.set_value("c", 4.0)
    win.stepper_dock.show()
    ctrl.go_to(0)
    while not at_u():
        assert ctrl.step_forward()
    assert "4 × 3 = 12" in win.stepper_panel.chain_text()  # dJ/db = 3c
