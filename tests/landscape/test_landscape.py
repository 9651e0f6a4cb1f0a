"""The loss landscape (graphcore/landscape.py): values equal `graphcore eval` at sampled grid
points, holes instead of crashes, the path's main directions, and clear refusals."""
import json

import numpy as np
import pytest

from graphcore import fileformat, lessons, landscape
from graphcore.engine import compile_graph
from graphcore.errors import EvaluationError
from graphcore.graph import Graph
from graphcore.training import Trainer
from tests.cli.cli_runner import run_graphcore

XOR = lessons.path_of("xor_network")


@pytest.fixture(scope="module")
def xor_grid():
    g = fileformat.load(XOR)
    ids = compile_graph(g).param_ids
    ls = landscape.parameter_grid(g, ids[0], ids[2], span=1.5, resolution=41, data=landscape.training_data(g))
    return g, ls


def _eval_with(g, values: dict) -> float:
    """`graphcore eval`'s cost in-process: set the values on a fresh copy, compile, run."""
    h = fileformat.load(XOR)
    h.set_values(values)
    return compile_graph(h).run(landscape.training_data(h)).cost


def test_grid_values_equal_eval_at_sampled_points(xor_grid):
    g, ls = xor_grid
    p1, p2 = ls.axes
    assert ls.J.shape == (41, 41) and not np.isnan(ls.J).any()
    rng = np.random.default_rng(1)
    for i, j in [(0, 0), (40, 40), (20, 20), (0, 40)] + [tuple(rng.integers(0, 41, 2)) for _ in range(8)]:
        want = _eval_with(g, {p1: float(ls.xs[j]), p2: float(ls.ys[i])})
        assert abs(ls.J[i, j] - want) <= 1e-12, (i, j)
    assert ls.J.max() - ls.J.min() > 1e-3  # the two parameters do move J


def test_grid_value_equals_the_graphcore_eval_command(xor_grid, tmp_path):
    g, ls = xor_grid
    p1, p2 = ls.axes
    h = fileformat.load(XOR)
    h.set_values({p1: float(ls.xs[7]), p2: float(ls.ys[33])})
    path = tmp_path / "point.graph.json"
    fileformat.save(h, path)
    proc = run_graphcore("eval", str(path), "--json", timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert abs(ls.J[33, 7] - json.loads(out)["cost"]) <= 1e-12


def test_centre_of_the_grid_is_the_current_cost(xor_grid):
    g, ls = xor_grid
    assert abs(ls.J[20, 20] - compile_graph(g).run(landscape.training_data(g)).cost) <= 1e-12


def log_graph() -> Graph:
    """J = log(a) + b²: not finite for a ≤ 0."""
    g = Graph("log")
    g.add_node("parameter", "a", value=1.0, label="a")
    g.add_node("parameter", "b", value=0.5, label="b")
    g.add_node("parameter", "c", value=2.0, label="stray c")
    g.add_node("log", "la")
    g.add_node("square", "sb")
    g.add_node("add", "J")
    g.connect("a", "la", 0)
    g.connect("b", "sb", 0)
    g.connect("la", "J", 0)
    g.connect("sb", "J", 1)
    g.add_node("square", "sc")
    g.connect("c", "sc", 0)
    g.set_meta("loss", "J")
    return g


def test_non_finite_cost_is_a_hole_not_an_exception():
    g = log_graph()
    ls = landscape.parameter_grid(g, "a", "b", span=1.5, resolution=7)  # a from −0.5 to 2.5
    holes = np.isnan(ls.J)
    assert holes[:, ls.xs <= 0].all()  # log of a ≤ 0
    assert not holes[:, ls.xs > 0].any()
    i, j = 2, 5
    assert ls.J[i, j] == pytest.approx(np.log(ls.xs[j]) + ls.ys[i] ** 2, abs=1e-15)
    assert json.loads(json.dumps(ls.to_json()))["holes"] == int(holes.sum())


def test_a_parameter_the_cost_does_not_depend_on_is_refused_by_its_label():
    g = log_graph()
    with pytest.raises(EvaluationError, match="the cost J does not depend on 'stray c'"):
        landscape.parameter_grid(g, "a", "c")
    with pytest.raises(EvaluationError, match="is not a parameter"):
        landscape.parameter_grid(g, "a", "la")
    with pytest.raises(EvaluationError, match="no box 'zz'"):
        landscape.parameter_grid(g, "a", "zz")
    with pytest.raises(EvaluationError, match="two different parameters"):
        landscape.parameter_grid(g, "a", "a")
    with pytest.raises(EvaluationError, match="span"):
        landscape.parameter_grid(g, "a", "b", span=0)


def test_path_plane_follows_li_et_al():
    g = fileformat.load(XOR)
    t = Trainer(g, epochs=60)
    start = t.params.copy()
    t.train()
    traj = np.vstack([start, t.history.params])
    ls = landscape.path_grid(g, traj, resolution=9, data=landscape.training_data(g))
    final = traj[-1]
    assert np.array_equal(ls.centre, final)
    assert np.allclose(ls.directions @ ls.directions.T, np.eye(2), atol=1e-12)  # orthonormal
    # the first direction is the top principal component of θ_t − θ_final
    _, _, vt = np.linalg.svd(traj - final, full_matrices=False)
    assert abs(abs(ls.directions[0] @ vt[0]) - 1) < 1e-10 and abs(abs(ls.directions[1] @ vt[1]) - 1) < 1e-6
    assert np.allclose(ls.path[-1], 0) and np.allclose(ls.path, (traj - final) @ ls.directions.T)
    assert np.abs(ls.path).max() <= ls.xs[-1]  # the whole path lies on the grid
    assert 0.5 < ls.explained[0] <= 1
    i, j = 3, 6  # a grid point's J is the cost at centre + x·d1 + y·d2
    h = fileformat.load(XOR)
    h.set_values(dict(zip(ls.param_ids, map(float, ls.point(i, j)))))
    assert abs(ls.J[i, j] - compile_graph(h).run(landscape.training_data(h)).cost) <= 1e-12


def test_path_needs_two_epochs():
    g = fileformat.load(XOR)
    with pytest.raises(EvaluationError, match="at least two"):
        landscape.path_grid(g, np.zeros((1, len(compile_graph(g).param_ids))))


@pytest.mark.parametrize("shape", [(40, 6), (4, 30)])  # more epochs than parameters, and fewer
def test_principal_directions_are_the_svds(shape):
    traj = np.random.default_rng(2).standard_normal(shape) * np.linspace(3, 0.1, shape[1])
    final, dirs, explained = landscape.principal_directions(traj)
    _, s, vt = np.linalg.svd(traj - traj[-1], full_matrices=False)
    assert np.array_equal(final, traj[-1])
    for k in range(2):
        assert abs(abs(dirs[k] @ vt[k]) - 1) < 1e-9
    assert np.allclose(explained, s[:2] ** 2 / np.sum(s ** 2), rtol=1e-9)


def test_a_straight_path_gets_a_second_direction_at_right_angles():
    u = np.array([3.0, 4.0, 0.0]) / 5
    traj = np.outer(np.linspace(2, 0, 5), u) + 1.0
    _, dirs, explained = landscape.principal_directions(traj)
    assert abs(abs(dirs[0] @ u) - 1) < 1e-12 and abs(dirs[1] @ dirs[0]) < 1e-12
    assert abs(np.linalg.norm(dirs[1]) - 1) < 1e-12 and explained[0] == pytest.approx(1)
