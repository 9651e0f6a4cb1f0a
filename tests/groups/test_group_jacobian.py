"""A group's local Jacobian without torch: a linear layer's is W; downstream = Jᵀ · upstream
gives the engine's own gradients; a non-finite local derivative inside names the box by label."""
from __future__ import annotations

import numpy as np
import pytest

from graphcore.builder import GraphBuilder, mlp
from graphcore.engine import compile_graph
from graphcore.errors import NonFiniteError
from graphcore.groups import groups_of
from graphcore.jacobian import group_jacobian

from tests.groups.group_graphs import evaluation, sqrt_graph, xor_grouped


def test_a_linear_layer_s_jacobian_is_its_weight_matrix():
    g = mlp(["x1", "x2", "x3"], [4], "identity", "squared_error", seed=3, groups=True)
    ev = compile_graph(g).run({"x1": np.array([0.1, -2.0]), "x2": np.array([3.0, 0.5]),
                               "x3": np.array([1.0, 1.5]), "y": np.array([0.0, 1.0])})
    W = np.array([[g.value(f"w1_{u}_{i}") for i in (1, 2, 3)] for u in (1, 2, 3, 4)])
    jac = group_jacobian(ev, "layer 1")
    assert jac.per_sample.shape == (2, 4, 3)
    np.testing.assert_array_equal(jac.per_sample[0], W)
    np.testing.assert_array_equal(jac.per_sample[1], W)
    np.testing.assert_array_equal(jac.mean, W)


def test_downstream_is_the_transposed_jacobian_times_upstream_as_the_engine_finds():
    g = xor_grouped()
    ev = evaluation(g)
    for name in ("layer 2", "neuron 2.1"):
        jac = group_jacobian(ev, name)
        up = np.stack([ev.grad(p.variable) for p in jac.ports.outputs], -1)  # (m, k): dJ/db per sample
        down = np.einsum("ski,sk->si", jac.per_sample, up)  # Jᵀ · upstream, per sample
        engine = np.stack([ev.grad(p.variable) for p in jac.ports.inputs], -1)
        np.testing.assert_allclose(down, engine, rtol=1e-12, atol=1e-15)


def test_a_non_finite_local_derivative_inside_names_the_inner_box_by_label():
    ev = compile_graph(sqrt_graph()).run(None)  # forward is finite: √0 = 0
    with pytest.raises(NonFiniteError) as info:
        group_jacobian(ev, "root squared")
    msg = str(info.value)
    assert "group 'root squared'" in msg and "box '√x' (pow)" in msg and "\n" not in msg
    assert info.value.nodes == ("r",)


def test_a_group_without_a_crossing_arrow_in_has_an_empty_jacobian():
    b = GraphBuilder("c")
    b.constant("k", 2.0)
    b.box("square", "k", id="s")
    b.box("neg", "s", id="n")
    groups_of(b.graph).add("all", ["k", "s"])
    jac = group_jacobian(compile_graph(b.graph).run(None), "all")
    assert jac.per_sample.shape == (1, 1, 0) and [p.variable for p in jac.ports.outputs] == ["s"]


def test_an_arrow_wired_later_that_leaves_and_reenters_a_group_stops_its_jacobian():
    from graphcore.groups import GroupError

    b = GraphBuilder("loop")
    b.input("x", value=1.0, label="x")
    b.constant("k", 2.0, label="k")
    b.box("identity", "x", id="a", label="a")
    b.box("add", "a", "k", id="s", label="s")
    b.box("neg", "s", id="out", label="out")
    groups_of(b.graph).add("pair", ["a", "s"])
    jac = group_jacobian(compile_graph(b.graph).run(None), "pair")
    assert jac.mean.tolist() == [[1.0, 1.0]]  # ∂s/∂x, ∂s/∂k
    b.box("neg", "a", id="o", label="−a")
    b.graph.connect("o", "s", 1, replace=True)  # a → −a (outside) → s: out of the group and back in
    with pytest.raises(GroupError, match="group 'pair' would have a cycle through the outside: 'a' leaves it"):
        group_jacobian(compile_graph(b.graph).run(None), "pair")
