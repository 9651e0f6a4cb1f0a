"""The model's output over a grid: the decision boundary and the derivative lessons' curve.

``decision_boundary`` evaluates the graph's ``output`` at every point of a grid covering
the data (default 100×100) in ONE forward run of the compiled plan — the grid points are
just m = 10,000 samples. Only the boxes the output depends on are run: the loss is not
needed for a prediction, and a loss that saturates somewhere far from the data (log 0)
must not stop the picture.

``function_curve`` does the same in one dimension for a graph with one ``input`` that
has a value (the derivative lessons: f(x) = sin 2x, x²): f over a range of x, the
backprop derivative at a chosen x (the tangent's slope) and the central difference
(the secant's slope), as in the lecture's "Intuition: Derivative" figures.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import feed_rule
from . import functions as F
from .engine import Plan, compile_graph, ignored_boxes
from .errors import DataError, EvaluationError
from .graph import Graph
from .variable_ref import VariableRef

DEFAULT_RESOLUTION = 100


@dataclass
class Boundary:
    """The output over a ``len(ys) × len(xs)`` grid; row i is y = ys[i]."""

    axes: tuple[str, str]  # the data columns on the x and y axes
    xs: np.ndarray  # (nx,) grid x coordinates
    ys: np.ndarray  # (ny,)
    values: np.ndarray  # (ny, nx) the single output (e.g. a probability); for softmax the winner's probability
    probs: np.ndarray | None  # (k, ny, nx) every softmax output, else None
    classes: np.ndarray  # (ny, nx) the predicted class (threshold, or argmax for softmax)
    threshold: float

    @property
    def extent(self) -> tuple[float, float, float, float]:
        return float(self.xs[0]), float(self.xs[-1]), float(self.ys[0]), float(self.ys[-1])

    @property
    def n_classes(self) -> int:
        return 2 if self.probs is None else len(self.probs)


def input_columns(graph: Graph) -> list[str]:
    """Data columns the graph's ``input`` boxes read, in graph order (label ``y`` excluded)."""
    cols: list[str] = []
    ignored = ignored_boxes(graph)
    for node in (n for n in graph.inputs() if n not in ignored):
        col = feed_rule.column_name(node, graph.column(node))
        if col != "y" and col not in cols and feed_rule.reads_data(graph.column(node), graph.value(node)):
            cols.append(col)
    return cols


def boundary_axes(graph: Graph, features: list[str] | None = None) -> tuple[str, str]:
    """The two columns to plot against: the first two the graph reads (and the data has)."""
    cols = input_columns(graph)
    if features is not None:
        cols = [c for c in cols if c in features]
    if len(cols) < 2:
        raise DataError("a decision boundary needs two input columns "
                        f"(the graph reads {', '.join(cols) or 'none'})")
    return cols[0], cols[1]


def grid_extent(columns: dict[str, np.ndarray] | None, axes: tuple[str, str],
                margin: float = 0.05) -> tuple[float, float, float, float]:
    """A box covering the unit square (where the generators draw) and every data point, plus a margin."""
    lo, hi = np.zeros(2), np.ones(2)
    for i, col in enumerate(axes):
        if columns is not None and col in columns and len(columns[col]):
            v = np.asarray(columns[col], dtype=float)
            lo[i], hi[i] = min(lo[i], float(v.min())), max(hi[i], float(v.max()))
    pad = margin * (hi - lo)
    return lo[0] - pad[0], hi[0] + pad[0], lo[1] - pad[1], hi[1] + pad[1]


def output_steps(plan: Plan, slots: list[int]) -> list:
    """The plan's steps that the given Variable slots depend on, in run order."""
    needed = set(slots)
    keep = []
    for step in reversed(plan.steps):
        if needed.intersection(step.outs):
            keep.append(step)
            needed.update(step.ins)
    return keep[::-1]


def run_to(plan: Plan, data: dict, params, slots: list[int]) -> list[np.ndarray]:
    """Forward over all samples at once through just the boxes ``slots`` need."""
    values, m = plan.feed(data, params)
    with np.errstate(all="ignore"):
        for step in output_steps(plan, slots):
            outs = F.run_forward(step.fn, [values[i] for i in step.ins], step.attrs)
            for slot, out in zip(step.outs, outs, strict=True):
                values[slot] = out
    return [np.broadcast_to(np.asarray(values[s], dtype=float), (m,)) if m else np.asarray(values[s])
            for s in slots]


def fill_columns(plan: Plan, columns: dict | None, grid_cols: dict, m: int) -> dict:
    """Grid data: the two axes vary; any other column the graph reads is held at its mean
    (the label at 0, a valid class for every loss) — it only feeds the loss or a fixed input."""
    data = dict(grid_cols)
    for src in plan.sources:
        if src.op != "input":
            continue
        how, col = src.feed(data)
        if how in (feed_rule.COLUMN, feed_rule.VALUE):
            continue
        held = 0.0
        if col != "y" and columns is not None and col in columns and len(columns[col]):
            held = float(np.mean(columns[col]))
        data[col] = np.full(m, held)
    return data


def decision_boundary(graph: Graph, params=None, columns: dict[str, np.ndarray] | None = None, *,
                      axes: tuple[str, str] | None = None, extent=None,
                      resolution: int | tuple[int, int] = DEFAULT_RESOLUTION) -> Boundary:
    """The graph's output over a grid covering ``columns`` (the data set's columns).

    ``params`` as for ``Plan.run`` (parameter values in ``param_ids`` order, or by id);
    None uses the graph's values."""
    if not graph.meta.get("output"):  # said before compiling: the plot asks after every change
        raise EvaluationError("the graph names no output box: choose one to see a decision boundary")
    plan = compile_graph(graph)
    if not plan.output_slots:
        raise EvaluationError("the graph names no output box: choose one to see a decision boundary")
    if axes is None:
        axes = boundary_axes(graph, list(columns) if columns is not None else None)
    if extent is None:
        extent = grid_extent(columns, axes)
    nx_, ny_ = (resolution, resolution) if isinstance(resolution, int) else resolution
    xs = np.linspace(extent[0], extent[1], nx_)
    ys = np.linspace(extent[2], extent[3], ny_)
    gx, gy = np.meshgrid(xs, ys)
    m = gx.size
    data = fill_columns(plan, columns, {axes[0]: gx.ravel(), axes[1]: gy.ravel()}, m)
    # An output that reads neither axis (only parameters) is one number: the same everywhere.
    outs = [np.broadcast_to(o, (m,)) for o in run_to(plan, data, params, plan.output_slots)]
    threshold = float(graph.meta.get("threshold", 0.5) or 0.5)
    if len(outs) > 1:
        probs = np.stack(outs).reshape(len(outs), ny_, nx_)
        classes = probs.argmax(axis=0)
        values = np.take_along_axis(probs, classes[None], axis=0)[0]
        return Boundary(axes, xs, ys, values, probs, classes.astype(float), threshold)
    values = outs[0].reshape(ny_, nx_)
    return Boundary(axes, xs, ys, values, None, (values > threshold).astype(float), threshold)


# --- one input with a value: f(x), its tangent and its central-difference secant ------------
@dataclass
class Curve:
    input: str  # the input box x
    key: str  # the Variable plotted as f
    xs: np.ndarray
    fs: np.ndarray  # f over xs (nan where f is undefined)
    x0: float
    f0: float
    slope: float  # df/dx at x0 by backprop
    secant: float  # (f(x0 + h) − f(x0 − h)) / 2h
    h: float
    f_minus: float  # f(x0 − h)
    f_plus: float  # f(x0 + h)


def curve_input(graph: Graph) -> str | None:
    """The one ``input`` box that has a value, if the graph has exactly one input and it has one."""
    ignored = ignored_boxes(graph)
    inputs = [n for n in graph.inputs() if n not in ignored]
    if len(inputs) == 1 and graph.value(inputs[0]) is not None:
        return inputs[0]
    return None


def curve_key(graph: Graph) -> str | None:
    """What to plot as f: the output if named, else the loss."""
    return graph.meta.get("output") or graph.meta.get("loss")


def function_curve(graph: Graph, x_id: str | None = None, *, x0: float | None = None, span: float = 3.0,
                   points: int = 400, h: float = 0.5, params=None) -> Curve:
    """f(x) on [x0 − span, x0 + span], the tangent slope at x0 (backprop, dJ/dx with f as J)
    and the central-difference secant through x0 ± h."""
    x_id = x_id or curve_input(graph)
    if x_id is None:
        raise EvaluationError("a derivative curve needs a graph with one input box that has a value")
    key = curve_key(graph)
    if key is None:
        raise EvaluationError("the graph names no output or loss box to plot as f(x)")
    plan = compile_graph(graph)
    node, port = graph.check_variable_ref(key)
    slot = plan.slot_of[VariableRef.of_output(node, port, graph.n_outputs(node)).key]
    x0 = float(graph.value(x_id) if x0 is None else x0)
    if params is None or isinstance(params, dict):
        base = dict(params or {})
    else:
        base = dict(zip(plan.param_ids, params, strict=True))

    def f(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        out = run_to(plan, None, {**base, x_id: x}, [slot])[0]
        return np.broadcast_to(out, x.shape).astype(float)

    xs = np.linspace(x0 - span, x0 + span, points)
    try:
        fs = f(xs)
    except EvaluationError:  # e.g. log of x ≤ 0 somewhere on the range: plot pointwise, gaps as nan
        fs = np.array([_safe(f, x) for x in xs])
    fs = np.where(np.isfinite(fs), fs, np.nan)
    f0 = float(f(np.array(x0)))
    slope = _slope(graph, key, x_id, x0, base)
    f_minus, f_plus = _safe(f, x0 - h), _safe(f, x0 + h)
    secant = (f_plus - f_minus) / (2 * h)
    return Curve(x_id, key, xs, fs, x0, f0, slope, secant, h, f_minus, f_plus)


def _safe(f, x: float) -> float:
    try:
        return float(f(np.array(x)))
    except EvaluationError:
        return float("nan")


def _slope(graph: Graph, key: str, x_id: str, x0: float, base: dict) -> float:
    """df/dx at x0 by backprop, seeded at f (df/df = 1). If f is not the graph's loss, a copy
    of the graph with f as its loss is run, so the learner's graph is never touched."""
    if key != graph.meta.get("loss"):
        graph = graph.copy()
        graph.set_meta("loss", key)
    try:
        ev = compile_graph(graph).run(None, {**base, x_id: np.asarray(x0)})
    except EvaluationError:
        return float("nan")
    g = ev.grad(x_id)
    return float(np.sum(g)) if g is not None else 0.0
