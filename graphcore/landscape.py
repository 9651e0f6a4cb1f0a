"""The loss landscape: the cost J over a grid in parameter space (issue #14, headless side).

Two kinds of plane through parameter space:

* ``parameter_grid``: two parameters chosen by box id vary over a grid around their
  current values; every other parameter is held where it is;
* ``path_grid``: the plane of a training path's two main directions (Li et al. 2018,
  "Visualizing the Loss Landscape of Neural Nets"): centred at the path's final point
  θ_final, with directions the top two principal components of (θ_t − θ_final), and
  the path projected onto them.

Speed: one ``Plan.run`` per grid point costs a whole pass of Python per point (1,681 for
41 × 41). Instead ``grid_costs`` tiles the data set G times (m × G columns), gives every
parameter one value per column (its grid point's value), runs the plan once per chunk of
points, and splits the per-sample cost back into one mean per point — the same numbers
``graphcore eval`` gives with those parameters set. A chunk whose run fails (a nan or inf
somewhere) is evaluated point by point, so a non-finite J makes only its own point a hole
(NaN), never an exception.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import datasets
from .engine import compile_graph
from .errors import EvaluationError, GraphError

RESOLUTION = 41
CHUNK_COLUMNS = 4_096  # samples × grid points per run: measured best at m = 100 (bench_landscape.py)


@dataclass
class Landscape:
    """J on a ``resolution × resolution`` grid: ``J[i, j]`` is the cost at (xs[j], ys[i]).

    A grid point's parameters are ``centre + xs[j]·directions[0] + ys[i]·directions[1]``
    (``point(i, j)``); NaN in ``J`` is a hole where the cost is not finite."""

    axes: tuple[str, str]  # parameter box ids, or ("PC1", "PC2")
    xs: np.ndarray
    ys: np.ndarray
    J: np.ndarray
    param_ids: list[str]
    centre: np.ndarray
    directions: np.ndarray  # 2 × P
    path: np.ndarray | None = None  # T × 2: the training path in grid coordinates
    explained: tuple[float, float] | None = None  # share of the path's variance along each PC
    labels: tuple[str, str] = field(default=("", ""))  # what an axis shows the learner

    def point(self, i: int, j: int) -> np.ndarray:
        return self.centre + self.xs[j] * self.directions[0] + self.ys[i] * self.directions[1]

    def to_json(self) -> dict:
        def nums(a):
            return [None if not np.isfinite(v) else float(v) for v in np.ravel(a)]
        doc = {"axes": list(self.axes), "labels": list(self.labels), "xs": nums(self.xs), "ys": nums(self.ys),
               "J": [nums(row) for row in self.J], "holes": int(np.isnan(self.J).sum())}
        if self.path is not None:
            doc["path"] = [nums(p) for p in self.path]
        if self.explained is not None:
            doc["explained"] = [float(e) for e in self.explained]
        return doc


# --- evaluating many parameter vectors ----------------------------------------------------
def training_data(graph, csv_path: str | None = None) -> dict | None:
    """The points J is a mean over: the data set's training columns (None: inputs use their values)."""
    ds = datasets.for_graph(graph, csv_path)
    return None if ds is None else ds.train()


def grid_costs(plan, data: dict | None, thetas: np.ndarray, chunk_columns: int = CHUNK_COLUMNS) -> np.ndarray:
    """J at each row of ``thetas`` (G × P, in ``plan.param_ids`` order); NaN where not finite."""
    thetas = np.atleast_2d(np.asarray(thetas, dtype=float))
    g = len(thetas)
    m = len(next(iter(data.values()))) if data else 1
    per_run = max(1, chunk_columns // m)
    out = np.full(g, np.nan)
    for start in range(0, g, per_run):
        block = thetas[start:start + per_run]
        out[start:start + len(block)] = _tiled_costs(plan, data, block, m)
    return out


def _tiled_costs(plan, data, block: np.ndarray, m: int) -> np.ndarray:
    k = len(block)
    tiled = None if data is None else {c: np.tile(np.asarray(v, dtype=float), k) for c, v in data.items()}
    # one value per column for a parameter that varies over the block; one scalar for one that does not
    params = [np.repeat(col, m) if np.any(col != col[0]) else np.asarray(col[0]) for col in block.T]
    try:
        ev = plan.run(tiled, params, backward=False)
        loss = np.asarray(ev.values[plan.loss_slot], dtype=float)
    except GraphError:
        loss = None
    if loss is not None and loss.size == k * m:
        with np.errstate(all="ignore"):
            costs = np.add.reduce(loss.reshape(k, m), axis=1) / m  # as Plan.run's mean, point by point
        if np.all(np.isfinite(costs)):
            return costs
    return np.array([_one_cost(plan, data, theta) for theta in block])  # holes only where they are


def _one_cost(plan, data, theta) -> float:
    try:
        cost = plan.run(data, np.asarray(theta, dtype=float), backward=False).cost
    except GraphError:
        return np.nan
    return cost if cost is not None and np.isfinite(cost) else np.nan


# --- checks ---------------------------------------------------------------------------------
def depends_on(plan, graph, pid: str) -> bool:
    """Whether the cost J depends on parameter box ``pid``."""
    loss_box = plan.owner[plan.loss_slot]
    return pid == loss_box or pid in graph.upstream_of([loss_box])


def _checked_plan(graph):
    plan = compile_graph(graph)
    if not plan.has_loss:
        raise EvaluationError("the graph names no loss: choose the box whose value is the cost J "
                              "to draw its landscape")
    return plan


def _check_parameter(plan, graph, pid: str):
    if pid not in graph:
        raise EvaluationError(f"no box '{pid}' in the graph: the landscape needs two parameter boxes")
    if graph.op(pid) != "parameter":
        raise EvaluationError(f"box '{graph.box_name(pid)}' is not a parameter: the landscape varies "
                              "parameter boxes only")
    if pid not in plan.param_ids or not depends_on(plan, graph, pid):  # an ignored box is not in the plan
        raise EvaluationError(f"the cost J does not depend on '{graph.box_name(pid)}': its landscape "
                              "would be flat along that axis")


def _span(span) -> float:
    s = float(span)
    if not (np.isfinite(s) and s > 0):
        raise EvaluationError(f"the landscape's span must be a number > 0, not {span!r}")
    return s


def _resolution(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise EvaluationError(f"the landscape's resolution must be a whole number ≥ 2, not {n!r}")
    return int(n)


# --- the two planes -------------------------------------------------------------------------
def parameter_grid(graph, p1: str, p2: str, *, span: float = 1.0, resolution: int = RESOLUTION,
                   data: dict | None = None, params=None) -> Landscape:
    """J with parameters ``p1`` (x axis) and ``p2`` (y axis) over their value ± ``span``;
    the others at ``params`` (default: the graph's values). Axis coordinates are the
    parameters' own values."""
    plan = _checked_plan(graph)
    if p1 == p2:
        raise EvaluationError(f"the landscape needs two different parameters, not '{graph.box_name(p1)}' twice")
    for pid in (p1, p2):
        _check_parameter(plan, graph, pid)
    span, n = _span(span), _resolution(resolution)
    ids = list(plan.param_ids)
    base = np.array([graph.value(p) for p in ids] if params is None else params, dtype=float)
    i1, i2 = ids.index(p1), ids.index(p2)
    xs = np.linspace(base[i1] - span, base[i1] + span, n)
    ys = np.linspace(base[i2] - span, base[i2] + span, n)
    centre = base.copy()
    centre[i1] = centre[i2] = 0.0  # so that point(i, j) puts the axis values in place
    directions = np.zeros((2, len(ids)))
    directions[0, i1] = directions[1, i2] = 1.0
    J = _costs_on_plane(plan, data, centre, directions, xs, ys)
    return Landscape((p1, p2), xs, ys, J, ids, centre, directions,
                     labels=(graph.box_name(p1), graph.box_name(p2)))


def principal_directions(trajectory: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(θ_final, directions 2 × P, explained variance shares) of a path T × P, per Li et al.:
    the top two principal components of (θ_t − θ_final)."""
    traj = np.asarray(trajectory, dtype=float)
    if traj.ndim != 2 or len(traj) < 2:
        raise EvaluationError("the path's main directions need at least two recorded epochs")
    if traj.shape[1] < 2:
        raise EvaluationError("the path's main directions need at least two parameters")
    final = traj[-1]
    d = traj - final
    # the eigenvectors of the smaller Gram matrix, not an SVD: on a busy machine LAPACK's SVD
    # through a threaded BLAS took up to 0.8 s here for 501 × 41, the eigh of 41 × 41 under 1 ms
    small_side = d.shape[1] <= d.shape[0]
    w, v = np.linalg.eigh(d.T @ d if small_side else d @ d.T)
    order = np.argsort(w)[::-1]
    w = np.maximum(w[order], 0.0)
    if w[0] <= 0:
        raise EvaluationError("the training path never moved: it has no main direction")
    if small_side:
        dirs = v[:, order[:2]].T.copy()
    else:  # right singular vectors from left ones: vᵢ = dᵀuᵢ / sᵢ
        dirs = (d.T @ v[:, order[:2]]).T / np.sqrt(np.maximum(w[:2], 1e-300))[:, None]
    dirs[0] /= np.linalg.norm(dirs[0])
    if w[1] <= w[0] * 1e-24:  # a straight path: any direction at right angles will do
        dirs[1] = _orthogonal(dirs[0])
    else:
        dirs[1] /= np.linalg.norm(dirs[1])
    explained = w[:2] / w.sum()
    return final, dirs, explained


def _orthogonal(d: np.ndarray) -> np.ndarray:
    e = np.zeros_like(d)
    e[int(np.argmin(np.abs(d)))] = 1.0
    e -= (e @ d) * d
    return e / np.linalg.norm(e)


def path_grid(graph, trajectory: np.ndarray, *, span: float | None = None, resolution: int = RESOLUTION,
              data: dict | None = None, margin: float = 0.25) -> Landscape:
    """J on the plane of the training path's two main directions, centred at its final point.

    ``trajectory``: T × P parameter vectors in ``plan.param_ids`` order (e.g. a History's
    ``params``). ``span`` defaults to the path's largest projected distance from the
    centre plus ``margin`` of it, so the whole path lies on the grid."""
    plan = _checked_plan(graph)
    traj = np.asarray(trajectory, dtype=float)
    if traj.ndim != 2 or traj.shape[1] != len(plan.param_ids):
        raise EvaluationError(f"the training path must hold {len(plan.param_ids)} parameter values per epoch, "
                              f"not shape {traj.shape}")
    centre, dirs, explained = principal_directions(traj)
    path = (traj - centre) @ dirs.T
    if span is None:
        span = float(np.max(np.abs(path))) * (1 + margin) or 1.0
    span, n = _span(span), _resolution(resolution)
    xs = ys = np.linspace(-span, span, n)
    J = _costs_on_plane(plan, data, centre, dirs, xs, ys)
    return Landscape(("PC1", "PC2"), xs, ys.copy(), J, list(plan.param_ids), centre, dirs, path,
                     (float(explained[0]), float(explained[1])), labels=("1st direction", "2nd direction"))


def _costs_on_plane(plan, data, centre, directions, xs, ys) -> np.ndarray:
    a, b = np.meshgrid(xs, ys)  # a[i, j] = xs[j], b[i, j] = ys[i]
    thetas = centre + a.reshape(-1, 1) * directions[0] + b.reshape(-1, 1) * directions[1]
    return grid_costs(plan, data, thetas).reshape(len(ys), len(xs))
