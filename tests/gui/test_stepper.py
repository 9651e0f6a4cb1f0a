"""Step-through backprop in the real window: chain-rule panel numbers, step back, fan-out, quiz, samples."""

import pytest
from PySide6.QtCore import Qt

from tests.stepper.stepper_graphs import fanout_graph, logistic_graph, ng_lesson

from graphcore import datasets
from graphcore.engine import compile_graph
from graphcore.graph import Graph


@pytest.fixture
def win(stepper_window):
    return stepper_window


def load(win, graph):
    win.document.load_graph(graph, None)
    return win.stepper, win.stepper_panel


def step_until(win, phase, node):
    ctrl = win.stepper
    for _ in range(100):
        step = ctrl.current()
        if step is not None and (step.phase, step.node) == (phase, node):
            return step
        assert ctrl.step_forward(), f"never reached {phase} {node}"
    raise AssertionError("too many steps")


def picture(win):
    """Everything the learner sees of the step: the scene's paint state and the panel text."""
    scene = win.scene
    nodes = {nid: (it.current, it.done, it.badge) for nid, it in scene.node_items.items()}
    edges = {e: (it.value_label, it.grad_label) for e, it in scene.edge_items.items()}
    return nodes, edges, win.stepper_panel.chain_text(), win.stepper_panel.position.text()


def test_ng_graph_numbers_in_the_chain_rule_panel(win):
    ctrl, panel = load(win, ng_lesson())
    win.stepper.actions["step_forward"].trigger()
    assert ctrl.index == 0 and "Step 1 of" in panel.chain_text()
    step_until(win, "forward", "u")
    assert "u = b · c = 3 · 2 = 6" in panel.chain_text()
    step_until(win, "backward", "J")
    text = panel.chain_text()
    assert "dJ/dJ = 1" in text and "downstream dJ/dv = local × upstream = 3 × 1 = 3" in text
    step_until(win, "backward", "v")
    assert "downstream dJ/du = local × upstream = 1 × 3 = 3" in panel.chain_text()
    step_until(win, "backward", "u")
    text = panel.chain_text()
    assert "upstream:  dJ/du = 3" in text
    assert "local ∂u/∂b = c = 2" in text and "downstream dJ/db = local × upstream = 2 × 3 = 6" in text
    assert "local ∂u/∂c = b = 3" in text and "downstream dJ/dc = local × upstream = 3 × 3 = 9" in text
    # the canvas: the current box, the seed badge, the gradients on the arrows backprop passed
    assert win.scene.node_items["u"].current and win.scene.node_items["J"].done
    assert win.scene.node_items["J"].badge == "dJ/dJ = 1"
    grads = {(e.src, e.dst): it.grad_label for e, it in win.scene.edge_items.items()}
    assert grads[("b", "u")] == "6" and grads[("c", "u")] == "9" and grads[("v", "J")] == "3"


def test_step_back_restores_the_previous_picture_exactly(win):
    ctrl, panel = load(win, ng_lesson())
    ctrl.refresh()
    seen = [picture(win)]
    while ctrl.step_forward():
        seen.append(picture(win))
    assert len(seen) == len(ctrl) + 1
    for expected in reversed(seen[:-1]):
        win.stepper.actions["step_back"].trigger()
        assert picture(win) == expected
    assert ctrl.index == -1
    # the timeline slider follows and drives the index
    panel.slider.setValue(5)
    assert ctrl.index == 5 and picture(win) == seen[6]


def test_jumps_to_the_ends_of_each_phase(win):
    ctrl, _ = load(win, ng_lesson())
    ctrl.actions["end_forward"].trigger()
    assert ctrl.current().phase == "forward" and ctrl.sequence.steps[ctrl.index + 1].phase == "backward"
    ctrl.actions["start_backward"].trigger()
    assert ctrl.current().is_seed
    ctrl.actions["end_backward"].trigger()
    assert ctrl.index == len(ctrl) - 1
    ctrl.actions["start_forward"].trigger()
    assert ctrl.index == 0


def test_fan_out_shows_the_sum_of_two_contributions(win):
    ctrl, panel = load(win, fanout_graph())
    step_until(win, "backward", "x")
    line = next(ln for ln in panel.chain_text().splitlines() if "dJ/dx =" in ln)
    # dJ/dx = w (back from f) + 2x (back from g) = 3 + 4 = 7
    assert "3 (from f)" in line and "4 (from g)" in line and line.endswith("= 7")
    assert "copy gate" in panel.chain_text()
    assert win.scene.node_items["x"].badge == "dJ/dx = 7"


def test_quiz_grades_then_reveals_and_keeps_a_tally(win, qtbot):
    ctrl, panel = load(win, ng_lesson())
    ctrl.end_forward()  # the forward questions are tested in test_stepper_reveal.py
    panel.quiz_check.setChecked(True)
    step_until(win, "backward", "J")
    assert ctrl.pending and "= ?" in panel.chain_text()
    assert not any(it.grad_label for e, it in win.scene.edge_items.items() if e.dst == "J")
    assert len(panel.answer_edits) == 2  # dJ/dthree and dJ/dv
    right = {"three": "11", "v": "4"}  # dJ/dthree = v = 11 is right; dJ/dv is 3, not 4
    for port, edit in zip(ctrl.current().ports, panel.answer_edits, strict=True):
        edit.setText(right[port.key])
    qtbot.mouseClick(panel.check_button, Qt.LeftButton)
    assert not ctrl.pending and "3 × 1 = 3" in panel.chain_text()
    assert "1 of 2 right" in panel.tally.text() and "within 1%" in panel.tally.text(), panel.quiz_result.text()
    assert "it is 3" in panel.quiz_result.text()
    # stepping on a pending question reveals it (counted as asked)
    ctrl.step_forward()
    assert ctrl.pending
    ctrl.step_forward()
    assert not ctrl.pending and "1 of 4 right" in panel.tally.text()
    # stepping back and forward again does not ask twice
    ctrl.step_back()
    ctrl.step_forward()
    assert not ctrl.pending


def test_one_sample_or_the_whole_batch(win):
    g = logistic_graph(n=10)
    ctrl, panel = load(win, g)
    data = datasets.for_graph(g).train()
    panel.mode.setCurrentIndex(1)
    panel.sample_spin.setValue(4)
    assert ctrl.sample == 4 and ctrl.sequence.m == 1
    step = step_until(win, "backward", "w1")
    ev = compile_graph(g).run({k: v[4:5] for k, v in data.items()})
    assert step.upstream[0][2].mean == pytest.approx(float(ev.grad("w1")))
    assert f"dJ/dw1 = {float(ev.grad('w1')):.6g}" in panel.chain_text()
    win.stepper.select_sample(None)  # the whole batch
    assert panel.mode.currentIndex() == 0 and ctrl.sequence.m == 10
    assert ctrl.current().node == "w1"  # the same place, now with the batch's numbers
    assert "dJ/dw1 = " + f"{float(compile_graph(g).run(data).grad('w1')):.6g}" in panel.chain_text()
    ctrl.start_forward()
    step = step_until(win, "forward", "p")
    assert "mean of 10" in panel.chain_text()
    win.stepper_panel.select_sample(2)  # what a click on the decision-boundary plot does
    assert ctrl.sample == 2 and panel.sample_spin.value() == 2 and panel.mode.currentIndex() == 1


def test_play_runs_to_the_end(win, qtbot):
    ctrl, panel = load(win, ng_lesson())
    panel.speed.setValue(20)
    ctrl.actions["play"].trigger()
    assert ctrl.playing and "Pause" in ctrl.actions["play"].text()
    qtbot.waitUntil(lambda: not ctrl.playing, timeout=10000)
    assert ctrl.index == len(ctrl) - 1 and "Play" in ctrl.actions["play"].text()


def test_non_finite_names_and_selects_the_box(win):
    g = Graph()
    g.add_node("input", "x", value=0.0)
    g.add_node("inv", "r")
    g.connect("x", "r", 0)
    g.set_meta("loss", "r")
    ctrl, panel = load(win, g)
    ctrl.step_forward()
    assert ctrl.sequence is None and "'r'" in panel.message.text() and panel.message.isVisible()
    assert [it.node_id for it in win.scene.selectedItems() if hasattr(it, "node_id")] == ["r"]


def test_menu_toolbar_and_shortcuts(win, qtbot):
    ctrl, _ = load(win, ng_lesson())
    step_menu = win.menu("Step")
    texts = [a.text() for a in step_menu.actions()]
    assert any("Step ▶" in t for t in texts) and any("Step back" in t for t in texts) and "Quiz mode" in texts
    assert ctrl.actions["step_forward"] in win.toolbar.actions()
    win.activateWindow()
    win.view.setFocus()
    qtbot.keyClick(win.view, Qt.Key_F10)
    assert ctrl.index == 0
    qtbot.keyClick(win.view, Qt.Key_F10, Qt.ShiftModifier)
    assert ctrl.index == -1


def test_editing_the_graph_rebuilds_the_steps(win, qtbot):
    ctrl, panel = load(win, ng_lesson())
    step_until(win, "backward", "u")
    win.document.graph.set_value("c", 4.0)  # dJ/db = 3c = 12 now
    qtbot.waitUntil(lambda: "4 × 3 = 12" in panel.chain_text(), timeout=5000)
    assert ctrl.current().node == "u"  # same boxes: the place is kept


def test_a_hidden_stepper_clears_its_picture_when_the_graph_changes(win, qtbot):
    ctrl, panel = load(win, ng_lesson())
    step_until(win, "backward", "u")
    assert win.scene.node_items["u"].current
    win.stepper_dock.hide()
    win.document.graph.set_value("c", 4.0)
    qtbot.waitUntil(lambda: ctrl.index == -1, timeout=5000)
    assert not any(it.current or it.badge for it in win.scene.node_items.values())
    assert not any(it.grad_label or it.value_label for it in win.scene.edge_items.values())
    # stepping again shows the new numbers (dJ/db = 3c = 12)
    win.stepper_dock.show()
    step_until(win, "backward", "u")
    assert "4 × 3 = 12" in panel.chain_text()
