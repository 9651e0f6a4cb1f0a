"""Dense layers run as matrices (graphcore/fusion.py, fusion_kernel.py, fusion_lines.py): which
graphs fuse, and that a fused run — BLAS matmuls, adding in their own order — gives the
reference loop's numbers to 1e-12 (#18), every box's value and gradient included.

The rule (``assert_close``), norm-wise: for each Variable, the largest difference over the
samples |a − b| ≤ 1e-12 · max(|a|, |b|, T), |a| and |b| the largest over the samples, and T
the size of the terms a block adds for it: for a parameter's gradient, a sum over the
samples, T = Σ over the samples of |dJ/d(its product box)| · |the other factor| (for a
bias, Σ |dJ/dz|), read from the reference run; for the other Variables T = 0 (their sums
are over a block's units, which the max over the samples bounds). The cost to 1e-12 of
itself. GRAPHCORE_FUSE=0 (``plan.fuse = False``) is the unfused path, bit for bit the
reference (tests/perf)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from graphcore import builder, datasets, engine, fastpath, fileformat, fusion, fusion_heads, fusion_kernel, fusion_lines
from graphcore.errors import NonFiniteError
from graphcore.randgraph import random_graph
from graphcore.training import Trainer

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "assets" / "examples").glob("*.graph.json"))
RTOL = 1e-12


def reference(plan, data, params=None, grads="all", loop=False):
    """The unfused run (``plan.fuse = False``, what GRAPHCORE_FUSE=0 gives), or the reference
    loop itself (``loop``): the same numbers bit for bit (tests/perf)."""
    old, fuse = fastpath.ENABLED, plan.fuse
    fastpath.ENABLED, plan.fuse = not loop, False
    try:
        return plan.run(data, params, grads=grads)
    finally:
        fastpath.ENABLED, plan.fuse = old, fuse


def term_scales(plan, ref) -> dict[int, float]:
    """Per parameter slot: Σ over the samples of |each term| of its gradient's sum (see the
    module's docstring), from the reference run's per-sample gradients of its readers."""
    out = {}
    for s in plan.param_slots:
        total = 0.0
        for st in plan.steps:
            for port, i in enumerate(st.ins):
                if i != s or ref.grads[st.outs[0]] is None:
                    continue
                up = np.abs(np.asarray(ref.grads[st.outs[0]], dtype=float))
                if st.op == "mul":
                    up = up * np.abs(ref.values[st.ins[1 - port]])
                total += float(np.sum(up))
        out[s] = total
    return out


def assert_close(a, b, what="", terms=None):
    """The module's rule: each Variable to 1e-12 of max(|a|, |b|, its terms' size)."""
    terms = terms or {}
    assert len(a) == len(b)
    for k, (x, y) in enumerate(zip(a, b, strict=True)):
        assert (x is None) == (y is None), (what, k)
        if x is None:
            continue
        assert np.shape(x) == np.shape(y), (what, k)
        scale = max(float(np.max(np.abs(y), initial=0.0)), float(np.max(np.abs(x), initial=0.0)),
                    terms.get(k, 0.0), 1e-300)
        assert float(np.max(np.abs(np.asarray(x) - y))) <= RTOL * scale, (what, k)


def assert_identical(a, b):
    assert a.cost == b.cost
    for x, y in zip([*a.values, *a.grads], [*b.values, *b.grads], strict=True):
        assert (x is None and y is None) or (np.array_equal(x, y) and np.shape(x) == np.shape(y))


def assert_run_matches(plan, data, params=None):
    """The module's rule for every value and gradient, with grads "all" and "params"; bit for
    bit when the plan has no dense block (nothing runs as a matrix)."""
    for grads in ("all", "params"):
        fused, ref = plan.run(data, params, grads=grads), reference(plan, data, params, grads)
        if not fusion.blocks(plan):
            assert_identical(fused, ref)
        assert abs(fused.cost - ref.cost) <= RTOL * abs(ref.cost)
        terms = term_scales(plan, ref)
        assert_close(fused.values, ref.values, "values")
        assert_close(fused.grads, ref.grads, f"grads={grads}", terms)
        pos_terms = {k: terms[s] for k, s in enumerate(plan.param_slots)}
        assert_close(list(fused.param_grads), list(ref.param_grads), "param_grads", pos_terms)


def mul_slots(plan):
    return [st.outs[0] for st in plan.steps if st.op == "mul"]


def signature(plan):
    return tuple(s.op == "input" for s in plan.sources)


def test_a_2_10_1_network_compiles_into_matrix_blocks():
    g = builder.mlp(["x1", "x2"], [10], "relu", "bce")
    plan = engine.compile_graph(g)
    blocks = fusion.blocks(plan)
    assert [(len(b.units), len(b.xs), b.act_op) for b in blocks] == [(10, 2, "relu"), (1, 10, "sigmoid")]
    assert blocks[1].chain is blocks[0]  # the output layer reads the hidden layer's H as it is
    src = fusion_kernel.kernel_source(plan, signature(plan))
    fwd, bwd = src.split("def _b", 1)
    # one matmul per layer forward: Z = W·X (+ b), the data's layer as [W b]·[X; 1] (no pass adding b)
    assert len(re.findall(r"= _dot\((?:v|_R)\d+, (?:v\d+|_XS\d+\.ones\(v\d+\))\)", fwd)) == 2
    assert "_dot(_R0, _XS0.ones(" in fwd and "+= _R0" not in fwd and "+= _R1" in fwd
    assert "ones(" in bwd and "_rowsum" in bwd  # [dJ/dW dJ/db] = dZ·[X; 1]ᵀ for the data's layer only
    assert bwd.count("_dot(") == 4  # dJ/dW = dZ·Xᵀ and dJ/dX = Wᵀ·dZ per layer (dJ/dx of the data too: grads="all")
    assert fusion_kernel.kernel_source(plan, signature(plan), "params").split("def _b", 1)[1].count("_dot(") == 3
    for slot in mul_slots(plan) + [st.outs[0] for st in plan.steps if st.op == "add"]:
        assert not re.search(rf"\bv{slot}\b", src), f"a line for box {plan.keys[slot]}"


def test_a_graph_with_no_dense_structure_compiles_as_today():
    g, data = random_graph(60, seed=1, with_data=True, m=30)  # every Function of the catalogue, no layer
    plan = engine.compile_graph(g)
    assert fusion.blocks(plan) == []
    ev = plan.run(data)
    assert type(ev.values) is list and ev.fused_param_grads is None  # the unfused kernel ran
    plan.fuse = False
    same = plan.run(data)
    assert ev.cost == same.cost
    for a, b in zip(ev.grads, same.grads, strict=True):
        assert (a is None and b is None) or np.array_equal(a, b)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name.split(".")[0])
def test_fused_equals_the_reference_on_every_lesson(path):
    g = fileformat.load(path)
    plan = engine.compile_graph(g)
    data = datasets.for_graph(g).train() if g.meta.get("dataset") else None
    assert_run_matches(plan, data)
    assert_identical(reference(plan, data), reference(plan, data, loop=True))  # unfused: the loop's own


def test_box_values_and_gradients_are_filled_in_from_the_blocks_when_read():
    g = builder.mlp(["x1", "x2"], [4], "tanh", "bce", seed=3)
    plan = engine.compile_graph(g)
    data = datasets.generate("xor", 50, 0, 0.0, 0.0).columns
    ev = plan.run(data)
    products = mul_slots(plan)
    assert all(list.__getitem__(ev.values, s) is None for s in products)  # not computed by the run itself
    assert all(list.__getitem__(ev.grads, s) is None for s in products)
    ref = reference(plan, data)
    inputs = {src.slot for src in plan.sources if src.op == "input"}
    for st in plan.steps:
        if st.op == "mul" and inputs.intersection(st.ins):  # xᵢ·wⱼᵢ from the data: the box's own product
            np.testing.assert_array_equal(ev.values[st.outs[0]], ref.values[st.outs[0]])
    assert_close([ev.values[s] for s in products], [ref.values[s] for s in products])
    assert_close([ev.grads[s] for s in products], [ref.grads[s] for s in products])
    steps = engine.trace(ev)  # the step-through reads every box
    assert len(steps) == len(engine.trace(ref))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n_in=hs.integers(1, 3), hidden=hs.lists(hs.integers(1, 12), min_size=1, max_size=2),
       activation=hs.sampled_from(builder.ACTIVATIONS), loss=hs.sampled_from(builder.LOSSES),
       seed=hs.integers(0, 10_000), m=hs.integers(1, 150))
def test_fused_equals_the_reference_on_random_mlps(n_in, hidden, activation, loss, seed, m):
    inputs = [f"x{i + 1}" for i in range(n_in)]
    g = builder.mlp(inputs, hidden, activation, loss, classes=3, seed=seed)
    plan = engine.compile_graph(g)
    rng = np.random.default_rng(seed)
    data = {x: rng.normal(size=m) for x in inputs}
    data["y"] = rng.integers(0, 3 if loss == "cross_entropy" else 2, m).astype(float)
    theta = rng.normal(size=len(plan.param_ids))
    assert_run_matches(plan, data, theta)


def test_the_switches_run_unfused(monkeypatch):
    g = builder.mlp(["x1", "x2"], [3], "relu", "bce")
    data = datasets.generate("xor", 20, 0, 0.0, 0.0).columns
    plan = engine.compile_graph(g)
    assert plan.fuse and isinstance(plan.run(data).values, fusion.SlotList)
    plan.fuse = False
    assert type(plan.run(data).values) is list
    monkeypatch.setenv("GRAPHCORE_FUSE", "0")
    g2 = builder.mlp(["x1", "x2"], [3], "relu", "bce")
    assert not engine.compile_graph(g2).fuse


def test_a_non_finite_value_is_named_as_the_reference_names_it():
    g = builder.mlp(["x1", "x2"], [3], "relu", "bce")
    plan = engine.compile_graph(g)
    data = datasets.generate("xor", 20, 0, 0.0, 0.0).columns
    theta = np.full(len(plan.param_ids), 1e200)
    with pytest.raises(NonFiniteError) as fused:
        plan.run(data, theta)
    with pytest.raises(NonFiniteError) as ref:
        reference(plan, data, theta, loop=True)
    assert str(fused.value) == str(ref.value) and fused.value.nodes == ref.value.nodes
    # a z of −inf, which relu hides from every later box (the hidden layer's test is a bound on |z|)
    theta = np.array([g.value(p) for p in plan.param_ids])
    theta[0] = -1e308
    for cols in (dict(data, x1=np.full(20, 3.0)), dict(data, x1=np.where(np.arange(20) == 4, np.nan, data["x1"]))):
        with pytest.raises(NonFiniteError) as fused:
            plan.run(cols, theta)
        with pytest.raises(NonFiniteError) as ref:
            reference(plan, cols, theta, loop=True)
        assert str(fused.value) == str(ref.value) and fused.value.nodes == ref.value.nodes


def test_training_with_less_bookkeeping_trains_the_same():
    g = builder.mlp(["x1", "x2"], [5], "relu", "bce", dataset={"generator": "xor", "n": 60, "seed": 0})
    full = Trainer(g, optimizer="sgd", lr=0.5)
    lean = Trainer(builder.mlp(["x1", "x2"], [5], "relu", "bce", dataset={"generator": "xor", "n": 60, "seed": 0}),
                   optimizer="sgd", lr=0.5, track=())
    full.train(6)
    lean.train(6)
    np.testing.assert_array_equal(full.params, lean.params)  # the same steps, bit for bit
    np.testing.assert_array_equal(full.history.cost, lean.history.cost)
    assert np.isnan(lean.history.accuracy).all() and not np.isnan(full.history.accuracy).any()
    assert np.isnan(lean.history.box_grads).all() and np.isfinite(full.history.box_grads).all()
    assert lean.history.last()["accuracy"] is None
    with pytest.raises(ValueError, match="unknown 'plots'"):
        Trainer(g, track=("plots",))


def test_a_bce_head_takes_the_boxes_own_lines_when_a_clamp_acts():
    g = builder.mlp(["x1", "x2"], [3], "relu", "bce", seed=2)
    plan = engine.compile_graph(g)
    assert any(fusion_heads.bce_head(plan, b) is not None for b in fusion.blocks(plan))
    data = datasets.generate("xor", 40, 0, 0.0, 0.0).columns
    src = fusion_kernel.kernel_source(plan, signature(plan), "params")
    assert f"<= {fusion_heads.Z_LIMIT!r}" in src  # the short way, under its test
    theta = np.array([g.value(p) for p in plan.param_ids])
    inside = plan.run(data, theta)
    assert inside.fused_param_grads is not None
    assert_run_matches(plan, data, theta)
    big = theta * 60.0  # some |z| beyond 27: σ(1 − σ) at bce's clamp for those samples
    ev = plan.run(data, big)
    z = ev.values[plan.steps[fusion.blocks(plan)[-1].units[0].root].outs[0]]
    assert ev.fused_param_grads is not None and np.abs(z).max() > fusion_heads.Z_LIMIT
    assert_run_matches(plan, data, big)  # the boxes' own lines after the matmuls


def test_a_layers_parameters_are_read_as_views_of_the_vector_or_gathered():
    wi = np.array([[0, 1], [3, 4], [6, 7]])  # a builder's layer: w, w, b unit after unit
    assert fusion_lines.layout(wi, np.array([2, 5, 8]), 9) == fusion_lines.Layout(0, 3, "0:2", 2)
    assert fusion_lines.layout(wi + 1, np.array([0, 3, 6]), 9) == fusion_lines.Layout(0, 3, "1:3", 0)
    assert fusion_lines.layout(np.array([[4, 5, 6]]), None, 7) == fusion_lines.Layout(4, 3, "0:3", None)
    assert fusion_lines.layout(wi, np.array([2, 5, 9]), 10) is None  # a bias out of step
    assert fusion_lines.layout(np.array([[1, 0], [3, 2]]), None, 4) is None  # columns in another order
    assert fusion_lines.layout(wi, np.array([2, 5, 8]), 8) is None  # beyond the vector's end


@pytest.mark.parametrize("regular", [True, False])
def test_both_parameter_layouts_give_the_references_numbers(regular, monkeypatch):
    if not regular:
        monkeypatch.setattr(fusion_lines, "layout", lambda *a: None)
    g = builder.mlp(["x1", "x2", "x3"], [4, 3], "tanh", "cross_entropy", classes=3, seed=4)
    plan = engine.compile_graph(g)
    src = fusion_kernel.kernel_source(plan, signature(plan))
    assert ("[_WI0]" in src) is not regular and (".reshape(" in src) is regular
    rng = np.random.default_rng(4)
    data = {x: rng.normal(size=30) for x in ("x1", "x2", "x3")}
    data["y"] = rng.integers(0, 3, 30).astype(float)
    assert_run_matches(plan, data, rng.normal(size=len(plan.param_ids)))


def test_the_data_columns_are_stacked_once_while_they_cannot_change():
    stack = fusion_lines.StackedRows()
    a, b = np.arange(3.0), np.ones(3)
    first = stack(a, b)
    a[0] = 7.0  # writable: stacked anew each time
    assert stack(a, b)[0, 0] == 7.0 and stack(a, b) is not first
    fa, fb = a.copy(), b.copy()
    fa.flags.writeable = fb.flags.writeable = False
    kept = stack(fa, fb)
    assert stack(fa, fb) is kept and not kept.flags.writeable
    assert stack(fb, fa) is not kept


def test_the_softmax_heads_labels_are_kept_only_while_they_cannot_change():
    rows = fusion_lines.ClassRows()
    y = np.array([0.0, 2.0, 1.0])
    first = rows(y, 3)
    y[0] = 1.0  # a writable column may change in place: checked and indexed anew each time
    again = rows(y, 3)
    np.testing.assert_array_equal(again[1][:, 0], [0.0, 1.0, 0.0])
    frozen = y.copy()
    frozen.flags.writeable = False
    kept = rows(frozen, 3)
    assert rows(frozen, 3) is kept and first is not kept
    with pytest.raises(ValueError):
        rows(np.array([0.0, 3.0]), 3)


def _hand_layer(b, xs, units, tag, act, rng, bias=True, order="wb"):
    """A dense layer built box by box, its parameters in the box order ``order``: "wb" w₁ … wₙ b
    (whole rows), "bw" the bias first, "rev" every row reversed (gathered)."""
    outs = []
    for u in range(units):
        ws = [f"w{tag}{u}_{i}" for i in range(len(xs))]
        ids = ws + ([f"b{tag}{u}"] if bias else [])
        ids = {"wb": ids, "bw": ids[-1:] + ids[:-1], "rev": ids[::-1]}[order]
        for p in ids:
            b.parameter(p, float(rng.normal()))
        acc = b.box("mul", xs[0], ws[0])
        for x, w in zip(xs[1:], ws[1:]):
            acc = b.box("add", acc, b.box("mul", x, w))
        if bias:
            acc = b.box("add", acc, f"b{tag}{u}")
        outs.append(b.box(act, acc) if act else acc)
    return outs


@pytest.mark.parametrize("order,bias,two", [("wb", True, False), ("wb", False, False), ("bw", True, False),
                                            ("rev", True, False), ("wb", True, True), ("bw", False, True)])
def test_hand_built_layers_in_any_parameter_order_give_the_references_numbers(order, bias, two):
    """[W b]·[X; 1] only for whole rows w₁ … wₙ b; no bias, the bias first, reversed rows, two
    blocks over the same columns: the reference's values and gradients, m = 1 and more, float
    and int columns, and a column changed in place between runs (not kept)."""
    from graphcore.builder import GraphBuilder

    rng = np.random.default_rng(7)
    b = GraphBuilder()
    xs = [b.input("x1", "x1"), b.input("x2", "x2")]
    h = _hand_layer(b, xs, 3, "a", "tanh", rng, bias, order)
    if two:
        h += _hand_layer(b, xs, 2, "c", "relu", rng, bias, order)
    out = _hand_layer(b, h, 1, "o", None, rng, bias, order)[0]
    b.meta(loss=b.box("squared_error", out, b.input("y", "y")), output=out)
    plan = engine.compile_graph(b.graph)
    assert len(fusion.blocks(plan)) == 2 + two
    src = fusion_kernel.kernel_source(plan, signature(plan))
    assert ("ones(" in src) == (order == "wb" and bias)
    for m in (1, 2, 9):
        data = {"x1": rng.normal(size=m), "x2": rng.integers(-3, 4, m), "y": rng.normal(size=m)}
        assert_run_matches(plan, data, rng.normal(size=len(plan.param_ids)))
        data["x1"][0] += 1.0  # writable: stacked anew
        assert_run_matches(plan, data)
