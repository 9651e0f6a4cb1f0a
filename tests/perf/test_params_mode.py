"""Plan.run(grads="params"): only the gradients a training step needs (Variables on a path
from a parameter to the cost), with the same values and parameter gradients as the full
run bit for bit — in the fast path and the reference loop alike — and the same errors.
Also the fast path's cheaper finiteness tests (only where a nan or inf cannot be absorbed)."""
from __future__ import annotations

import numpy as np
import pytest

from graphcore import engine, fastpath
from graphcore.errors import GraphError
from graphcore.randgraph import random_graph

from tests.perf.test_fastpath_equivalence import _bytes, reference, spoil
from tests.perf.test_step_structure import scalar_mlp, xor_columns


def run(plan, data, enabled: bool, grads: str):
    old = fastpath.ENABLED
    fastpath.ENABLED = enabled
    try:
        return plan.run(data, grads=grads)
    finally:
        fastpath.ENABLED = old


def needed(plan) -> set[int]:
    """By the definition: slots that are a parameter or computed from one, and that the cost depends on."""
    dep = set(plan.param_slots)
    for step in plan.steps:
        if dep.intersection(step.ins):
            dep.update(step.outs)
    on_path = {plan.loss_slot}
    for step in reversed(plan.steps):
        if on_path.intersection(step.outs):
            on_path.update(step.ins)
    return dep & on_path


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("enabled", [True, False], ids=["fast path", "reference loop"])
def test_values_and_parameter_gradients_are_the_full_runs_bit_for_bit(seed, enabled):
    g, data = random_graph(150, seed, with_data=True, m=11)
    plan = engine.compile_graph(g)
    full, part = run(plan, data, enabled, "all"), run(plan, data, enabled, "params")
    assert part.cost == full.cost
    assert _bytes(part.values) == _bytes(full.values)
    assert part.param_grads.tobytes() == full.param_grads.tobytes()
    want = needed(plan)
    assert len(want) > len(plan.param_slots)  # the random graph has parameters feeding boxes
    for slot, (a, b) in enumerate(zip(part.grads, full.grads, strict=True)):
        if slot in want:
            assert a is not None and np.asarray(a).tobytes() == np.asarray(b).tobytes(), plan.keys[slot]
        else:
            assert a is None, plan.keys[slot]  # not computed: data, constants and what they alone feed


@pytest.mark.parametrize("seed", range(10))
def test_fast_path_params_mode_equals_the_reference_params_mode(seed):
    g, data = random_graph(150, seed, with_data=True, m=7)
    plan = engine.compile_graph(g)
    a, b = run(plan, data, True, "params"), run(plan, data, False, "params")
    assert _bytes(a.values) == _bytes(b.values) and _bytes(a.grads) == _bytes(b.grads)


def test_a_training_step_computes_no_gradient_for_the_data():
    """The 2→4→1 network: dJ/dx1, dJ/dx2 and dJ/dy are not computed in params mode (no line
    of the kernel writes them), and the parameters' gradients are the full run's."""
    g = scalar_mlp()
    plan = engine.compile_graph(g)
    data = xor_columns(50)
    sig = tuple(s.op == "input" for s in plan.sources)
    data_slots = [s.slot for s in plan.sources if s.op == "input"]
    full_src, _ = fastpath.kernel_source(plan, sig, "all")
    part_src, _ = fastpath.kernel_source(plan, sig, "params")
    for slot in data_slots:
        assert f"g{slot} =" in full_src
        assert f"g{slot} " not in part_src and f"g{slot}," not in part_src
    assert part_src.count("\n") < full_src.count("\n")
    ev = plan.run(data, grads="params")
    assert all(ev.grads[s] is None for s in data_slots)
    assert ev.param_grads.tobytes() == plan.run(data).param_grads.tobytes()


def test_an_unknown_mode_is_refused():
    plan = engine.compile_graph(scalar_mlp())
    with pytest.raises(ValueError, match="grads"):
        plan.run(xor_columns(5), grads="some")


def _outcome(plan, data, enabled: bool, grads: str):
    try:
        ev = run(plan, data, enabled, grads)
        return "ok", repr(ev.cost), _bytes(ev.values), _bytes(ev.grads)
    except GraphError as exc:
        return "error", type(exc).__name__, str(exc), exc.nodes


@pytest.mark.parametrize("seed", range(12))
def test_bad_numbers_give_the_reference_outcome_in_both_modes(seed):
    """nan, ±inf and huge numbers in the data: the fast path tests fewer arrays for finiteness,
    yet gives the reference's bytes or its error, box for box, in both modes."""
    rng = np.random.default_rng(100 + seed)
    g, data = random_graph(int(rng.integers(20, 150)), seed, with_data=True, m=6)
    plan = engine.compile_graph(g)
    for _ in range(4):
        d = spoil(rng, data)
        for grads in ("all", "params"):
            assert _outcome(plan, d, True, grads) == _outcome(plan, d, False, grads)


def test_which_ports_pass_a_nan_or_inf_on():
    assert all(fastpath.propagates(op, {}, p) for op, ports in fastpath.PROPAGATES.items() for p in ports)
    # these can turn a nan or inf into a finite number, so what they read is tested itself
    for op, port in [("relu", 0), ("sigmoid", 0), ("tanh", 0), ("exp", 0), ("div", 1), ("inv", 0), ("max", 0),
                     ("lt", 0), ("softplus", 0)]:
        assert not fastpath.propagates(op, {}, port), (op, port)


def test_a_downstream_template_that_hides_a_nan_is_not_used(monkeypatch):
    """Only the sources' gradients are tested after backward, which is sound because every
    downstream is local × upstream. A template that gives the catalogue's numbers on finite
    input but swallows a non-finite upstream is refused (the catalogue Function runs instead)."""
    fwd, _ = fastpath._TEMPLATES["neg"]
    monkeypatch.setitem(fastpath._TEMPLATES, "neg", (fwd, ["_where(_isfinite({u}), -{u}, 0.0)"]))
    monkeypatch.setattr(fastpath, "_verified", {})
    assert not fastpath.template_ok("neg", {}, (True,))
    monkeypatch.setattr(fastpath, "_verified", {})
    monkeypatch.setitem(fastpath._TEMPLATES, "neg", (fwd, ["-{u}"]))
    assert fastpath.template_ok("neg", {}, (True,))


def test_reference_param_mode_gives_a_plan_sized_list():
    g = scalar_mlp()
    plan = engine.compile_graph(g)
    ev = reference(plan, xor_columns(8), grads="params")
    assert len(ev.grads) == len(plan.keys) and ev.grads[plan.loss_slot] is not None
