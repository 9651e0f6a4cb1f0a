"""Stepping inside a group at group level: "Step inside" on a layer's step, or opening the group
on the canvas, walks what it holds (in place, forward then backward), the canvas following the
step in and out; the numbers are the engine's."""
import numpy as np
import pytest

from graphcore import datasets
from graphcore.engine import compile_graph
from graphcore.stepthrough import sample_data
from gui.stepper.drill_in import READABLE

@pytest.fixture
def xor_at_group_level(xor_network_window):
    win = xor_network_window
    win.stepper_panel.level.setCurrentIndex(1)  # Level: group
    win.stepper_panel.mode.setCurrentIndex(1)  # one sample
    win.stepper_panel.sample_spin.setValue(5)
    g = win.document.graph
    return win, compile_graph(g).run(sample_data(datasets.for_graph(g).train(), 5))


def _unit(step):
    return getattr(step, "group", None) or step.node


def test_step_inside_walks_a_layer_s_neurons_and_the_canvas_s_drill_in_goes_down_to_boxes(xor_at_group_level):
    win, ev = xor_at_group_level
    c, layer = win.stepper, win.scene.group_layer
    names = [_unit(s) for s in c.sequence.steps]
    c.go_to(names.index("layer 1"))
    assert c.actions["step_inside"].isEnabled() and not c.actions["step_out"].isEnabled()
    assert "Step inside (Ctrl+Down)" in win.stepper_panel.chain_text()
    c.actions["step_inside"].trigger()
    assert c.inside == "layer 1" and _unit(c.current()) == "neuron 1.1" and c.current().phase == "forward"
    assert layer.focus == "layer 1"  # the canvas went in with the step: the breadcrumb shows it
    assert win.view.zoom >= READABLE - 1e-9  # a column of ten neurons fitted whole is too small to read
    shown = layer.collapsed.get("neuron 1.1") or layer.frames["neuron 1.1"]
    assert win.view.visible_rect().intersects(shown.sceneBoundingRect())
    assert "neuron 1.1" in win.stepper_panel.chain_text()
    for k in range(1, 11):
        step = c.current()
        assert _unit(step) == f"neuron 1.{k}"
        (_, key, _, shown), = step.outputs
        assert shown.mean == pytest.approx(float(np.mean(ev.value(key))), rel=1e-12, abs=1e-15)
        c.step_forward()
    assert _unit(c.current()) == "layer 2" and layer.focus is None and c.inside == "layer 1"
    c.end_backward()
    back = [s for s in c.sequence.steps if s.phase == "backward" and _unit(s).startswith("neuron 1.")]
    assert len(back) == 10  # the layer's backward step is its neurons' too
    assert sum(s.downstream[0][0].mean for s in back) == pytest.approx(float(np.mean(ev.grad("x1"))), rel=1e-9)
    c.go_to(c.sequence.steps.index(back[3]))
    assert layer.focus == "layer 1" and c.actions["step_out"].isEnabled()
    c.actions["step_out"].trigger()  # the layer is one step again, at the same place
    assert c.inside is None and _unit(c.current()) == "layer 1" and c.current().phase == "backward"
    assert layer.focus is None
    # the learner opens the layer on the canvas, then a neuron in it: down to its boxes
    c.go_to(0)  # x1, forward
    layer.drill_in("layer 1")  # the learner double-clicks the layer
    assert c.inside == "layer 1" and _unit(c.current()) == "neuron 1.1" and layer.focus == "layer 1"
    layer.drill_in("neuron 1.3")  # and then a neuron in it
    step = c.current()
    assert c.inside == "neuron 1.3" and step.node == "w1_3_1" and layer.focus == "neuron 1.3"
    assert [b.text() for b in win.breadcrumb.buttons] == ["xor network", "layer 1"]
    while c.current().node != "h1_3":
        c.step_forward()
    (key, _, shown), = c.current().outputs
    assert shown.mean == pytest.approx(float(np.asarray(ev.value("h1_3")).ravel()[0]), rel=1e-12)
    assert c.overlay().current == "h1_3" and win.scene.node_items["h1_3"].isVisible()
    c.step_forward()
    assert _unit(c.current()) == "neuron 1.4" and layer.focus == "layer 1"  # back out one level with the step
    layer.set_focus(None)  # the breadcrumb's root: the layer is one step again
    assert c.inside is None and _unit(c.current()) == "layer 1"
    assert len(c) == 12
