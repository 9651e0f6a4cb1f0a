"""The step-through at group level in the window: xor in ≤ 12 steps, a layer's backward step shows
its Jacobian and downstream = Jᵀ · upstream with the engine's numbers, its boxes highlighted."""
import numpy as np
import pytest

from graphcore import datasets
from graphcore.engine import compile_graph
from graphcore.groups import groups_of
from graphcore.stepthrough import sample_data

@pytest.fixture
def xor_window(xor_network_window):
    return xor_network_window


def test_xor_at_group_level_in_twelve_steps_with_the_engine_s_numbers(xor_window):
    win, c = xor_window, xor_window.stepper
    win.step_by_group_action.trigger()  # Step ▸ Step by Group: the panel's Level follows
    assert win.stepper_panel.level.currentData() == "group"
    win.stepper_panel.mode.setCurrentIndex(1)  # one sample
    win.stepper_panel.sample_spin.setValue(5)
    assert c.at_group_level and len(c) <= 12
    assert "group level" in win.stepper_panel.chain_text()
    g = win.document.graph
    ev = compile_graph(g).run(sample_data(datasets.for_graph(g).train(), 5))
    names = [getattr(s, "group", None) or s.node for s in c.sequence.steps]
    c.go_to(names.index("layer 1"))  # forward: the layer's output vector
    ov = c.overlay()
    assert ov.highlight == set(groups_of(g).members("layer 1")) and ov.current is None
    assert win.scene.node_items["h1_3"].current and not win.scene.node_items["p"].current
    text = win.stepper_panel.chain_text()
    h13 = float(np.asarray(ev.value("h1_3")).ravel()[0])
    assert f"{h13:.6g}"[:5] in text
    back = len(names) - 1 - names[::-1].index("layer 1")
    c.go_to(back)
    step = c.current()
    assert np.shape(step.jacobian) == (10, 2)
    text = win.stepper_panel.chain_text()
    assert "Jacobian" in text and "downstream dJ/dx₁" in text
    for (_, key, _, _), (down, _) in zip(step.inputs, step.downstream):
        assert down.mean == pytest.approx(float(np.mean(ev.grad(key))), rel=1e-9, abs=1e-15)
    ov = c.overlay()  # gradients on the arrows into the layer: downstream Jᵀ · upstream
    into = [e for e in g.edges() if e.src == "x1" and e.dst in ov.highlight]
    assert into and all(ov.edge_grads[e] == step.downstream[0][0].short for e in into)
    assert not c.questions()  # a Jacobian is read, not quizzed
    group_steps = len(c)
    win.stepper_panel.level.setCurrentIndex(0)  # Level: box again
    assert not c.at_group_level and len(c) > 100 > group_steps
    win.stepper_panel.level.setCurrentIndex(1)
    win.files.new()
    c.refresh()
    assert not c.at_group_level
