"""Plan.run(grads="params"): only the gradients a training step needs (Variables on a path
from a parameter to the cost), with the same values and parameter gradients as the full
run bit for bit — in the fast path and the reference loop alike — and the same errors.
Also the fast path's cheaper finiteness tests (only where a nan or inf cannot be absorbed)."""
from __future__ import annotations

import numpy as np
import pytest

from graphcore import engine, fastpath, kernel_emitter
from graphcore import functions as F
from graphcore.errors import GraphError
from graphcore.randgraph import random_graph

from tests.perf.fastpath_helpers import as_bytes, reference, spoil
from tests.perf.step_graphs import scalar_mlp, xor_columns


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
    assert as_bytes(part.values) == as_bytes(full.values)
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
    assert as_bytes(a.values) == as_bytes(b.values) and as_bytes(a.grads) == as_bytes(b.grads)


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
        return "ok", repr(ev.cost), as_bytes(ev.values), as_bytes(ev.grads)
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


# The values a non-finite input meets on the other ports: ±0, ±1 and ±inf are where a claim
# "a nan or inf here always gives a non-finite output" breaks (inf·0, x/inf, a safe division).
OTHERS = (0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, 2.0, -7.5)
BAD = (np.nan, np.inf, -np.inf)


def unsound(fn, port: int, attrs: dict, others=OTHERS) -> list:
    """The (bad, other) pairs for which the forward gives a finite output (the claim fails)."""
    found = []
    with np.errstate(all="ignore"):
        for bad in BAD:
            for other in others:
                xs = [np.asarray(other)] * len(fn.ports)
                xs[port] = np.asarray(bad)
                try:
                    out = F.run_forward(fn, xs, attrs)[0]
                except GraphError:
                    continue  # a refusal is the reference's error: fine
                if np.isfinite(out).any():
                    found.append((bad, other))
    return found


def claims():
    for op, fn in F.CATALOGUE.items():
        if fn.expr is not None:
            attrs = fn.resolve_attrs({"exponent": 2.0} if op == "pow" else {})
            for port in range(len(fn.ports)):
                yield op, fn, attrs, port


def test_which_ports_pass_a_nan_or_inf_on():
    """Each port the fast path trusts to pass a nan or inf on does, against ±0, ±1 and ±inf."""
    trusted = [(op, port) for op, fn, attrs, port in claims() if fastpath.propagates(op, attrs, port)]
    assert {("add", 0), ("add", 1), ("mul", 0), ("mul", 1), ("div", 0), ("neg", 0), ("mean", 0)} <= set(trusted)
    for op, fn, attrs, port in claims():
        if fastpath.propagates(op, attrs, port):
            assert not unsound(fn, port, attrs), (op, port)
    # these can turn a nan or inf into a finite number, so what they read is tested itself
    for op, port in [("relu", 0), ("sigmoid", 0), ("tanh", 0), ("exp", 0), ("div", 1), ("inv", 0), ("max", 0),
                     ("lt", 0), ("softplus", 0)]:
        assert not fastpath.propagates(op, {}, port), (op, port)


def test_a_safe_division_is_not_trusted_and_only_hostile_probes_show_why(monkeypatch):
    """The mutation the old probe missed: its ±0/±1/±inf array was overwritten by a later
    ``_OTHER = 2``, and against 2 alone a division that turns x/0 into 0 looks absorbing."""
    safe = F.Function("safe_div", "arithmetic", ("a", "b"), "where(b == 0.0, 0.0, a / b)",
                      ("where(b == 0.0, 0.0, 1.0 / b)", "where(b == 0.0, 0.0, -a / (b * b))"), "a / b", "1/b, −a/b²")
    monkeypatch.setitem(F.CATALOGUE, "safe_div", safe)
    monkeypatch.setattr(kernel_emitter, "_propagation", {})
    assert not fastpath.propagates("safe_div", {}, 0)
    assert unsound(safe, 0, {}) and not unsound(safe, 0, {}, others=(2.0,))
    assert not fastpath.propagates("div", {}, 1) and unsound(F.CATALOGUE["div"], 1, {})


def test_every_downstream_line_passes_a_nan_or_inf_upstream_on():
    """Only the sources' gradients are tested after backward, which is sound because every
    downstream line is local × upstream: a non-finite upstream gives a non-finite downstream."""
    rng = np.random.default_rng(0)
    ns = kernel_emitter.namespace()
    with np.errstate(all="ignore"):
        for op, fn, attrs, port in claims():
            _, downs = fastpath.templates(op, attrs)
            env = dict(ns, **{f"x{i}": rng.uniform(0.1, 0.9, 6) for i in range(len(fn.ports))})
            env["o"] = F.run_forward(fn, [env[f"x{i}"] for i in range(len(fn.ports))], attrs)[0]
            for bad in BAD:
                env["u"] = np.full(6, bad)
                names = {n: n for n in ("x0", "x1", "o", "u")}
                assert not np.isfinite(eval(downs[port].format(**names), env)).any(), (op, port, bad)


def test_reference_param_mode_gives_a_plan_sized_list():
    g = scalar_mlp()
    plan = engine.compile_graph(g)
    ev = reference(plan, xor_columns(8), grads="params")
    assert len(ev.grads) == len(plan.keys) and ev.grads[plan.loss_slot] is not None
