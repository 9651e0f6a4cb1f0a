"""The fast path (graphcore.fastpath) gives the reference loop's results exactly: the same
values and gradients bit for bit (and of the same types), the same cost, the same errors."""
from __future__ import annotations

import numpy as np
import pytest

from graphcore import engine, fastpath, kernel_emitter
from graphcore import functions as F
from graphcore.errors import EvaluationError, GraphError
from graphcore.graph import Graph
from graphcore.randgraph import random_graph
from graphcore.reference_loop import ReferenceLoop
from tests.perf.fastpath_helpers import as_bytes, assert_identical, reference, spoil


def fast(plan, monkeypatch, *args, **kw):
    """Plan.run that must not fall back to the reference loop."""
    def no_loop(self, values):
        raise AssertionError("the reference loop ran")
    with monkeypatch.context() as mp:
        mp.setattr(ReferenceLoop, "forward", no_loop)
        mp.setattr(ReferenceLoop, "backpropagate", no_loop)
        return plan.run(*args, **kw)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("with_data", [True, False])
def test_random_graphs_every_function(seed, with_data, monkeypatch):
    g, data = random_graph(200, seed, with_data=with_data, m=13)
    plan = engine.compile_graph(g)
    assert_identical(fast(plan, monkeypatch, data), reference(plan, data))
    assert_identical(fast(plan, monkeypatch, data, backward=False), reference(plan, data, backward=False))


def test_catalogue_is_covered(monkeypatch):
    """Every Function but the two with hand-written kernels runs as a line printed from its tree;
    those two call their catalogue kernels, and the run never falls back to the reference loop."""
    g, data = random_graph(400, 3, with_data=True, m=9)
    plan = engine.compile_graph(g)
    templated = {s.op for s in plan.steps if fastpath.templates(s.op, s.attrs) is not None}
    called = {s.op for s in plan.steps if fastpath.templates(s.op, s.attrs) is None}
    assert templated == set(F.CATALOGUE) - set(F.SOURCE_OPS) - {"softmax", "cross_entropy"}
    assert called == {"softmax", "cross_entropy"}
    assert_identical(fast(plan, monkeypatch, data), reference(plan, data))


def test_params_sequence_dict_and_graph_values(monkeypatch):
    g, data = random_graph(120, 5, with_data=True, m=7)
    plan = engine.compile_graph(g)
    theta = np.array([g.value(p) for p in plan.param_ids]) * 1.001  # near the values: inside every domain
    assert_identical(fast(plan, monkeypatch, data, theta), reference(plan, data, theta))
    short = theta[: len(theta) // 2]  # the rest keep the graph's values, as in Plan.feed
    assert_identical(fast(plan, monkeypatch, data, short), reference(plan, data, short))
    by_id = {plan.param_ids[0]: theta[0]}
    assert_identical(fast(plan, monkeypatch, data, by_id), reference(plan, data, by_id))


def test_a_changed_parameter_value_is_seen(monkeypatch):
    g = Graph()
    g.add_node("parameter", "w", value=2.0)
    g.add_node("input", "x", column="x")
    g.add_node("mul", "L")
    g.connect("x", "L", 0)
    g.connect("w", "L", 1)
    g.set_meta("loss", "L")
    plan = engine.compile_graph(g)
    data = {"x": np.array([1.0, 3.0])}
    assert fast(plan, monkeypatch, data).cost == 4.0
    g.set_value("w", 3.0)  # a value is not structure: the same plan, a new value
    assert engine.compile_graph(g) is plan
    assert fast(plan, monkeypatch, data).cost == 6.0
    with pytest.raises(ValueError):  # a shared graph value cannot be edited in place through a result
        plan.run(data).values[plan.slot_of["w"]][...] = 7.0


def test_per_sample_input_given_as_a_parameter_override(monkeypatch):
    """boundary.function_curve feeds a vector through ``params`` for an input with a value."""
    g = Graph()
    g.add_node("input", "x", value=0.5)
    g.add_node("sin", "s")
    g.add_node("mean", "J")
    g.connect("x", "s", 0)
    g.connect("s", "J", 0)
    g.set_meta("loss", "J")
    plan = engine.compile_graph(g)
    xs = {"x": np.linspace(-2, 2, 11)}
    assert_identical(fast(plan, monkeypatch, None, xs), reference(plan, None, xs))


def test_fan_out_and_same_variable_on_two_ports(monkeypatch):
    g = Graph()
    g.add_node("input", "x", column="x")
    g.add_node("parameter", "w", value=0.7)
    for node, op in (("a", "mul"), ("b", "mul"), ("c", "add"), ("d", "max")):
        g.add_node(op, node)
    g.connect("x", "a", 0)
    g.connect("x", "a", 1)  # x·x
    g.connect("a", "b", 0)
    g.connect("w", "b", 1)
    g.connect("b", "c", 0)
    g.connect("x", "c", 1)
    g.connect("c", "d", 0)
    g.connect("c", "d", 1)  # a tie on every sample
    g.set_meta("loss", "d")
    plan = engine.compile_graph(g)
    data = {"x": np.array([-1.5, 0.0, 0.25, 2.0])}
    ev = fast(plan, monkeypatch, data)
    assert_identical(ev, reference(plan, data))
    x = data["x"]
    # d = c (tie splits ½ + ½), c = w·x² + x: dJ/dx = (2wx + 1)/m, dJ/dw = Σ x²/m
    np.testing.assert_allclose(ev.grad("x"), (2 * 0.7 * x + 1) / 4, rtol=1e-15)
    np.testing.assert_allclose(float(ev.grad("w")), np.sum(x * x) / 4, rtol=1e-15)


# --- errors: the same exception, message and boxes as the reference loop ----------------------------
def _errors(plan, data):
    out = []
    for enabled in (True, False):
        fastpath.ENABLED = enabled
        try:
            plan.run(data)
            out.append(None)
        except GraphError as exc:
            out.append((type(exc), str(exc), exc.nodes, getattr(exc, "phase", None)))
        finally:
            fastpath.ENABLED = True
    return out


def _chain(*ops, loss_op="mean"):
    g = Graph()
    g.add_node("input", "x", column="x")
    prev = "x"
    for i, op in enumerate(ops):
        g.add_node(op, f"b{i}")
        g.connect(prev, f"b{i}", 0)
        prev = f"b{i}"
    g.add_node(loss_op, "J")
    g.connect(prev, "J", 0)
    g.set_meta("loss", "J")
    return engine.compile_graph(g)


@pytest.mark.parametrize("ops, x, kind", [
    (("exp", "exp", "exp"), [1.0, 800.0], "NonFiniteError"),  # b0 overflows first, b1 and b2 follow
    (("exp", "log"), [1.0, -1e6], "DomainError"),  # exp underflows to 0, then log 0
    (("neg", "log"), [1.0, 2.0], "DomainError"),  # log of a negative number
    (("inv", "square"), [0.0, 1.0], "NonFiniteError"),  # 1/0
    (("square", "sin"), [0.5], None),
])
def test_errors_name_the_same_first_box(ops, x, kind):
    plan = _chain(*ops)
    fast_err, ref_err = _errors(plan, {"x": np.array(x)})
    assert fast_err == ref_err
    assert (ref_err[0].__name__ if ref_err else None) == kind


def test_backward_non_finite_names_the_box():
    """Forward is finite but a local derivative is not: |x| at 0 is fine, x^0.5 at 0 is not."""
    g = Graph()
    g.add_node("input", "x", column="x")
    g.add_node("pow", "r", attrs={"exponent": 0.5})
    g.add_node("mean", "J")
    g.connect("x", "r", 0)
    g.connect("r", "J", 0)
    g.set_meta("loss", "J")
    plan = engine.compile_graph(g)
    fast_err, ref_err = _errors(plan, {"x": np.array([4.0, 0.0])})
    assert fast_err == ref_err
    assert ref_err[0].__name__ == "NonFiniteError" and ref_err[3] == "backward" and ref_err[2] == ("r",)


def test_bad_class_index_and_missing_data_errors_are_the_reference_ones():
    g = Graph()
    for n in ("z0", "z1", "y"):
        g.add_node("input", n, column=n)
    g.add_node("cross_entropy", "ce")
    for port, n in enumerate(("z0", "z1", "y")):
        g.connect(n, "ce", port)
    g.set_meta("loss", "ce")
    plan = engine.compile_graph(g)
    data = {"z0": np.zeros(3), "z1": np.ones(3), "y": np.array([0.0, 1.0, 2.5])}
    fast_err, ref_err = _errors(plan, data)
    assert fast_err == ref_err and ref_err[0].__name__ == "DomainError"
    fast_err, ref_err = _errors(plan, {"z0": np.zeros(3)})
    assert fast_err == ref_err and ref_err[0].__name__ == "MissingDataError"
    fast_err, ref_err = _errors(plan, {"z0": np.zeros(3), "z1": np.ones(2), "y": np.zeros(3)})
    assert fast_err == ref_err and issubclass(ref_err[0], GraphError)


def test_nan_in_the_data_is_reported_like_the_reference():
    plan = _chain("relu", "square")
    fast_err, ref_err = _errors(plan, {"x": np.array([1.0, np.nan, 2.0])})
    assert fast_err == ref_err and ref_err[0].__name__ == "NonFiniteError" and ref_err[2] == ("b0",)


def test_a_changed_catalogue_entry_changes_the_fast_path_too(monkeypatch):
    """The fast path's lines are printed from the catalogue: change an entry and it follows."""
    changed = F.Function("square", "arithmetic", ("x",), "x * x + 1.0", ("2.0 * x + 0.5",), "x²+1", "2x+½")
    monkeypatch.setitem(F.CATALOGUE, "square", changed)
    monkeypatch.setattr(kernel_emitter, "_template_cache", {})
    plan = _chain("square")
    data = {"x": np.array([1.0, 2.0, 3.0])}
    ev = fast(plan, monkeypatch, data)
    assert ev.cost == pytest.approx(np.mean(data["x"] ** 2 + 1.0))
    np.testing.assert_allclose(ev.grad("x"), (2.0 * data["x"] + 0.5) / 3, rtol=1e-15)
    assert_identical(ev, reference(plan, data))


def test_unwired_graph_still_refused():
    g = Graph()
    g.add_node("input", "x", column="x")
    g.add_node("add", "a")
    g.connect("x", "a", 0)
    g.set_meta("loss", "a")
    with pytest.raises(EvaluationError):
        engine.compile_graph(g).run({"x": np.ones(2)})
    plan = engine.compile_graph(g, partial=True)
    assert_identical(plan.run({"x": np.ones(2)}), reference(plan, {"x": np.ones(2)}))


@pytest.mark.parametrize("m", [5, fastpath.LONG + 3])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf, 1e200])
def test_bulk_finiteness_test_at_both_lengths(m, bad):
    """Short and long arrays are tested for nan/inf in different ways; both find a single bad
    number anywhere, and a huge finite one (whose square overflows) still gives the right answer."""
    plan = _chain("identity", "neg")
    x = np.linspace(-1.0, 1.0, m)
    x[m // 2] = bad
    fast_err, ref_err = _errors(plan, {"x": x})
    assert fast_err == ref_err
    assert (ref_err is None) == np.isfinite(bad)
    if ref_err is None:
        assert_identical(plan.run({"x": x}), reference(plan, {"x": x}))


def _outcome(plan, data, enabled: bool):
    """Everything a run gives, as bytes: the cost, every value and gradient, or the error."""
    fastpath.ENABLED = enabled
    try:
        ev = plan.run(data)
        return "ok", repr(ev.cost), as_bytes(ev.values), as_bytes(ev.grads)
    except GraphError as exc:
        return "error", type(exc).__name__, str(exc), exc.nodes
    finally:
        fastpath.ENABLED = True


@pytest.mark.parametrize("seed", range(15))
def test_bad_numbers_in_the_data_same_outcome(seed):
    """nan, ±inf, 0, negatives and huge numbers dropped into random graphs' data: the fast
    path and the reference loop give the same bytes or the same error, naming the same box."""
    rng = np.random.default_rng(seed)
    g, data = random_graph(int(rng.integers(20, 120)), seed, with_data=True, m=6)
    plan = engine.compile_graph(g)
    for _ in range(4):
        d = spoil(rng, data)
        assert _outcome(plan, d, True) == _outcome(plan, d, False)


def test_softmax_backward_follows_a_changed_catalogue_kernel(monkeypatch):
    """softmax's hand-written kernels are its one definition: the fast path calls them."""
    before = engine.compile_graph(_softmax_graph()).run(_SOFTMAX_DATA)
    sm = F.CATALOGUE["softmax"]
    doubled = (sm.kernels[0], lambda *a, k: [[2.0 * x for x in row] for row in sm.kernels[1](*a, k=k)])
    monkeypatch.setitem(F.CATALOGUE, "softmax", F.Function(
        "softmax", sm.group, sm.ports, None, None, sm.formula, sm.derivative, attrs=sm.attrs, jacobian=True,
        kernels=doubled))
    plan = engine.compile_graph(_softmax_graph())
    after = fast(plan, monkeypatch, _SOFTMAX_DATA)
    np.testing.assert_allclose(after.grad("z0"), 2.0 * before.grad("z0"), rtol=1e-14)
    assert_identical(after, reference(plan, _SOFTMAX_DATA))


_SOFTMAX_DATA = {f"z{i}": np.linspace(-1.0, 1.0 + i, 5) for i in range(3)}


def _softmax_graph():
    g = Graph()
    for i in range(3):
        g.add_node("input", f"z{i}", column=f"z{i}")
    g.add_node("softmax", "s", attrs={"k": 3})
    for i in range(3):
        g.connect(f"z{i}", "s", i)
    g.add_node("mean", "J")
    g.connect("s", "J", 0, out=1)
    g.set_meta("loss", "J")
    return g
