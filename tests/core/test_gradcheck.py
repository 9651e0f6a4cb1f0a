"""Derivative checks: central difference (MiniTorch's), symbolic (sympy) and autodiff side by side."""
import math

import numpy as np
import pytest

from graphcore import gradcheck
from graphcore.errors import EvaluationError
from graphcore.graph import Graph
from graphcore.randgraph import random_graph


def test_central_difference_is_minitorchs():
    f = lambda x, y: x * x * y  # noqa: E731
    assert gradcheck.central_difference(f, 3.0, 2.0, arg=0) == pytest.approx(12.0, rel=1e-8)
    assert gradcheck.central_difference(f, 3.0, 2.0, arg=1) == pytest.approx(9.0, rel=1e-8)
    assert gradcheck.central_difference(math.sin, 0.5, epsilon=1e-4) == pytest.approx(math.cos(0.5), rel=1e-8)


@pytest.mark.parametrize("seed", range(4))
def test_random_graphs_pass_with_symbolic_for_every_row(seed):
    g, _ = random_graph(120, seed)
    rows = gradcheck.check(g)
    names = {n for n in g.nodes() if g.op(n) == "parameter" or (g.op(n) == "input" and g.value(n) is not None)}
    assert {r.node for r in rows} == names and len(rows) >= 3
    for r in rows:
        assert r.ok, r
        assert r.symbolic is not None and r.symbolic == pytest.approx(r.autodiff, rel=1e-8, abs=1e-12), r


@pytest.mark.parametrize("seed", range(3))
def test_random_graphs_with_data_check_parameters_only(seed):
    g, data = random_graph(120, seed, with_data=True)
    rows = gradcheck.check(g, data)
    assert {r.node for r in rows} == set(g.parameters())
    assert all(r.ok and r.symbolic is None for r in rows)


def test_symbolic_takes_the_active_branch_and_the_tie_convention():
    g = Graph()
    g.add_node("parameter", "a", value=2.0)
    g.add_node("parameter", "b", value=2.0)
    g.add_node("max", "m")
    g.connect("a", "m", 0)
    g.connect("b", "m", 1)
    g.add_node("relu", "r")
    g.connect("m", "r", 0)
    g.set_meta("loss", "r")
    rows = {r.node: r for r in gradcheck.check(g)}
    assert rows["a"].autodiff == 0.5 and rows["a"].symbolic == 0.5  # a tie: ½ each, as torch.maximum
    # the central difference straddles the tie: (max(a+ε, b) − max(a−ε, b)) / 2ε = ½ too
    assert rows["a"].numerical == pytest.approx(0.5) and rows["a"].ok
    g.set_value("b", 1.0)
    rows = {r.node: r for r in gradcheck.check(g)}
    assert (rows["a"].symbolic, rows["b"].symbolic) == (1.0, 0.0) and all(r.ok for r in rows.values())


def test_rel_error_has_a_floor_for_tiny_gradients():
    assert gradcheck.rel_error(1e-9, 2e-9) < 1e-4
    assert gradcheck.rel_error(1.0, 1.001) == pytest.approx(0.001 / 1.001)


def test_check_needs_a_loss():
    g = Graph()
    g.add_node("parameter", "a", value=1.0)
    with pytest.raises(EvaluationError, match="names no loss"):
        gradcheck.check(g)


def test_symbolic_can_be_switched_off_and_values_are_restored():
    g, _ = random_graph(40, 1)
    before = {n: g.value(n) for n in g.nodes() if g.value(n) is not None}
    rows = gradcheck.check(g, symbolic=False)
    assert all(r.symbolic is None for r in rows)
    assert before == {n: g.value(n) for n in g.nodes() if g.value(n) is not None}
    assert np.all([r.ok for r in rows])
