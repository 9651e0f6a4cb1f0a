"""Enter in a quiz answer field grades it without destroying the field inside its own key event.

With real X input, Enter in the field segfaulted the window: grading rebuilt the quiz form,
and QFormLayout.removeRow deleted the line edit while Qt was still delivering its Return key.
The field must outlive the key event (deleted later), and the answer still be graded."""

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtTest import QTest

from tests.stepper.stepper_graphs import ng_lesson


@pytest.fixture
def win(stepper_window):
    return stepper_window


@pytest.mark.parametrize("answer", ["3", "abc"])
def test_enter_in_quiz_field_grades_and_field_outlives_its_key_event(win, qtbot, answer):
    win.document.load_graph(ng_lesson(), None)
    ctrl, panel = win.stepper, win.stepper_panel
    ctrl.end_forward()
    panel.quiz_check.setChecked(True)
    while not ctrl.pending:
        assert ctrl.step_forward()
    edits = list(panel.answer_edits)
    assert edits
    for edit in edits:
        edit.setText(answer)
    QTest.keyClick(edits[-1], Qt.Key_Return)
    assert not ctrl.pending  # graded and revealed
    assert panel.quiz_result.text()  # a verdict the learner reads (for "abc": not a number)
    # still alive right after its own Return key was delivered ...
    assert all(shiboken6.isValid(e) for e in edits)
    assert all(not e.isVisible() for e in edits)
    # ... and gone once the event loop has had its turn
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    assert not any(shiboken6.isValid(e) for e in edits)
    assert panel.quiz_form.rowCount() == 0


def _shown_in_dock(widget) -> bool:
    """The widget lies inside the visible part of the dock's scroll area."""
    from PySide6.QtWidgets import QScrollArea
    area = widget.parentWidget()
    while not isinstance(area, QScrollArea):
        area = area.parentWidget()
    port = area.viewport()
    top_left = widget.mapTo(port, widget.rect().topLeft())
    bottom_right = widget.mapTo(port, widget.rect().bottomRight())
    return port.rect().contains(top_left) and port.rect().contains(bottom_right)


def test_a_quiz_question_scrolls_its_answer_field_and_check_button_into_view(win, qtbot):
    """At the dock's everyday height the quiz rows are below the chain-rule text: the learner
    saw "u = 3 · 2 = ?" and nowhere to type."""
    win.resize(1400, 860)
    win.document.load_graph(ng_lesson(), None)
    ctrl, panel = win.stepper, win.stepper_panel
    dock = next(d for d in win.findChildren(type(win.plots_dock)) if d.objectName() == "StepperDock")
    dock.raise_()
    win.resizeDocks([dock], [330], Qt.Vertical)
    panel.quiz_check.setChecked(True)
    qtbot.wait(50)
    while not ctrl.pending:
        assert ctrl.step_forward()
    qtbot.wait(100)
    assert panel.answer_edits
    assert _shown_in_dock(panel.answer_edits[0]) and _shown_in_dock(panel.check_button)
