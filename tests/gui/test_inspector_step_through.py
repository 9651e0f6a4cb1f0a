"""During a step-through the inspector shows only what the steps have computed: it gave
away a box's value and gradient (and J) at forward step 4 while the canvas showed "?"."""

import pytest

from tests.stepper.stepper_graphs import ng_lesson

from gui.panels.inspector import NOT_YET  # noqa: E402


@pytest.fixture
def win(stepper_window):
    return stepper_window


def _shown(win, node):
    win.inspector.show_selection([node] if node else [], [])
    win.inspector._rebuild()
    return win.inspector.value_label.text(), win.inspector.grad_label.text(), win.inspector.formula.text()


def test_inspector_hides_what_the_step_through_has_not_reached(win, qtbot):
    win.document.load_graph(ng_lesson(), None)
    ctrl = win.stepper
    while not (ctrl.current() is not None and ctrl.current().node == "u"):
        assert ctrl.step_forward()
    qtbot.wait(20)
    assert _shown(win, "three")[:2] == (NOT_YET, NOT_YET)  # forward has not reached it
    value, grad, _ = _shown(win, "b")
    assert value == "3" and grad == NOT_YET  # computed forward; backprop has not come back
    assert "?" in _shown(win, None)[2]  # nor J
    ctrl.end_backward()
    qtbot.wait(20)
    value, grad, _ = _shown(win, "three")
    assert NOT_YET not in (value, grad) and value == "3"
    ctrl.reset()
    qtbot.wait(20)
    assert _shown(win, "three")[1] != NOT_YET and "?" not in _shown(win, None)[2]
