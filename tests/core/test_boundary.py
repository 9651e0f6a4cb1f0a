"""The model's output over a grid (decision boundary) and the derivative lessons' curve."""
import numpy as np
import pytest

from graphcore import datasets
from graphcore.boundary import (boundary_axes, decision_boundary, function_curve, grid_extent,
                                input_columns)
from graphcore.engine import compile_graph
from graphcore.errors import DataError, EvaluationError
from graphcore.graph import Graph
from tests.core.boundary_graphs import logistic, softmax3


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_boundary_is_the_model_output_on_every_grid_point():
    g = logistic(2.0, -3.0, 0.5)
    ds = datasets.generate("xor", 50, seed=1)
    b = decision_boundary(g, columns=ds.columns, resolution=(40, 30))
    assert b.axes == ("x1", "x2")
    assert b.values.shape == (30, 40) and b.classes.shape == (30, 40)
    gx, gy = np.meshgrid(b.xs, b.ys)
    expected = sigmoid(2.0 * gx - 3.0 * gy + 0.5)
    np.testing.assert_allclose(b.values, expected, rtol=1e-12)
    np.testing.assert_array_equal(b.classes, (2.0 * gx - 3.0 * gy + 0.5 > 0).astype(float))


def test_grid_covers_the_data_and_the_unit_square():
    cols = {"x1": np.array([-0.5, 0.3]), "x2": np.array([0.2, 1.5])}
    x0, x1, y0, y1 = grid_extent(cols, ("x1", "x2"), margin=0.0)
    assert (x0, x1, y0, y1) == (-0.5, 1.0, 0.0, 1.5)
    x0, x1, y0, y1 = grid_extent(None, ("x1", "x2"), margin=0.1)
    assert x0 < 0 < 1 < x1 and y0 < 0 < 1 < y1


def test_default_grid_is_100_by_100_and_params_override_the_graph():
    g = logistic()
    b = decision_boundary(g, params=[0.0, 0.0, 0.0])  # w1, w2, b all zero: p = 0.5 everywhere
    assert b.values.shape == (100, 100)
    np.testing.assert_allclose(b.values, 0.5)
    b2 = decision_boundary(g, params={"w1": 1.0, "w2": 0.0, "b": -0.5})
    gx, _ = np.meshgrid(b2.xs, b2.ys)
    np.testing.assert_allclose(b2.values, sigmoid(gx - 0.5))
    assert g.value("w1") == 2.0  # the graph itself is untouched


def test_a_saturated_loss_off_the_data_does_not_stop_the_picture():
    g = logistic(800.0, 0.0, -400.0)  # p is exactly 1.0 far right: bce(1, 0) = −max(ln 0, −100) there
    grid = {"x1": np.array([0.9]), "x2": np.array([0.0]), "y": np.array([0.0])}
    assert compile_graph(g).run(grid).cost == 100.0  # torch's clamp: the log never goes below −100
    b = decision_boundary(g, extent=(0, 1, 0, 1), resolution=11)
    assert b.values[0, -1] == 1.0 and b.values[0, 0] < 1e-100


def test_softmax_output_gives_argmax_regions():
    w = [(3.0, 0.0), (0.0, 3.0), (-2.0, -2.0)]
    g = softmax3(w)
    b = decision_boundary(g, extent=(-1, 1, -1, 1), resolution=25)
    assert b.probs.shape == (3, 25, 25) and b.n_classes == 3
    gx, gy = np.meshgrid(b.xs, b.ys)
    logits = np.stack([a * gx + c * gy for a, c in w])
    np.testing.assert_array_equal(b.classes, logits.argmax(axis=0))
    np.testing.assert_allclose(b.probs.sum(axis=0), 1.0)
    assert set(np.unique(b.classes)) == {0.0, 1.0, 2.0}


def test_axes_need_two_columns_and_skip_the_label():
    g = logistic()
    assert input_columns(g) == ["x1", "x2"]
    assert boundary_axes(g) == ("x1", "x2")
    with pytest.raises(DataError, match="two input columns"):
        boundary_axes(g, features=["x1", "y"])
    g.set_meta("output", None)
    with pytest.raises(EvaluationError, match="no output"):
        decision_boundary(g)


def sin2x(x0=0.7) -> Graph:
    g = Graph("sin2x")
    g.add_node("input", "x", value=x0)
    g.add_node("constant", "two", value=2.0)
    g.add_node("mul", "t")
    g.add_node("sin", "f")
    g.connect("two", "t", 0)
    g.connect("x", "t", 1)
    g.connect("t", "f", 0)
    g.set_meta("output", "f")
    return g


def test_function_curve_tangent_and_secant_match_calculus():
    g = sin2x(0.7)
    c = function_curve(g, span=2.0, points=201, h=0.25)
    np.testing.assert_allclose(c.fs, np.sin(2 * c.xs), rtol=1e-12)
    assert c.x0 == 0.7 and c.f0 == pytest.approx(np.sin(1.4))
    assert c.slope == pytest.approx(2 * np.cos(1.4), rel=1e-12)  # d/dx sin 2x = 2 cos 2x
    assert c.secant == pytest.approx((np.sin(2 * 0.95) - np.sin(2 * 0.45)) / 0.5, rel=1e-12)
    assert g.meta["loss"] is None  # f was made the loss only on a copy


def test_function_curve_leaves_gaps_where_f_is_undefined():
    g = Graph("log")
    g.add_node("input", "x", value=1.0)
    g.add_node("log", "f")
    g.connect("x", "f", 0)
    g.set_meta("output", "f")
    c = function_curve(g, span=2.0, points=41)
    assert np.isnan(c.fs[c.xs <= 0]).all()
    np.testing.assert_allclose(c.fs[c.xs > 0], np.log(c.xs[c.xs > 0]))
    assert c.slope == pytest.approx(1.0)


def test_output_that_reads_no_axis_is_the_same_number_everywhere():
    """A learner's graph whose output uses only parameters (sigmoid(w)) still gets a picture:
    the window passes the data set's axes, and the grid must not be reshaped from one number."""
    g = Graph("const")
    g.add_node("parameter", "w", value=2.0)
    g.add_node("sigmoid", "p")
    g.connect("w", "p", 0)
    g.set_meta("output", "p")
    cols = {"x1": np.array([0.0, 1.0]), "x2": np.array([0.0, 1.0]), "y": np.array([0.0, 1.0])}
    b = decision_boundary(g, None, cols, axes=("x1", "x2"), resolution=(4, 3))
    assert b.values.shape == (3, 4)
    assert np.allclose(b.values, 1 / (1 + np.exp(-2.0)))
    assert (b.classes == 1).all()
