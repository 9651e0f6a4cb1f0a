"""Derivative checks: autodiff (backprop), central difference and symbolic (sympy), side by side.

Central difference, as in the lecture:  f'(x) ≈ (f(x + ε) − f(x − ε)) / 2ε.
The symbolic derivative turns the graph into one sympy expression for the cost J and
differentiates it; it is given when the graph runs without a per-sample data set.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import limits
from .engine import compile_graph, ignored_boxes
from .errors import EvaluationError, GraphError
from .graph import Graph

TOLERANCE = 1e-4  # on rel_error = |a − b| / max(|a|, |b|, 1e-4)
SYMBOLIC_MAX_STEPS = 400  # beyond this many boxes sympy is too slow to be worth waiting for
SKIPPED = "symbolic skipped: expression too large"


def central_difference(f, *vals, arg: int = 0, epsilon: float = 1e-6) -> float:
    """MiniTorch's central difference: the derivative of ``f`` in argument ``arg``."""
    up, down = list(vals), list(vals)
    up[arg] += epsilon
    down[arg] -= epsilon
    return (f(*up) - f(*down)) / (2.0 * epsilon)


def rel_error(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-4)


@dataclass
class CheckRow:
    node: str
    autodiff: float
    numerical: float
    symbolic: float | None
    rel_error: float

    @property
    def ok(self) -> bool:
        return self.rel_error <= TOLERANCE

    def to_dict(self) -> dict:
        return {"node": self.node, "autodiff": self.autodiff, "numerical": self.numerical,
                "symbolic": self.symbolic, "rel_error": self.rel_error}


def checked_variables(graph: Graph, data: dict | None) -> list[str]:
    """Every parameter, and every input that is fed its own value (not a data column)."""
    names = []
    ignored = ignored_boxes(graph)
    for node in (n for n in graph.nodes() if n not in ignored):
        op = graph.op(node)
        if op == "parameter":
            names.append(node)
        elif op == "input" and graph.value(node) is not None:
            col = graph.column(node) or node
            if data is None or col not in data:
                names.append(node)
    return names


def check(graph: Graph, data: dict | None = None, eps: float = 1e-6, symbolic: bool = True) -> list[CheckRow]:
    plan = compile_graph(graph)
    if not plan.has_loss:
        raise EvaluationError("the graph names no loss: set 'loss' to the box whose value is the cost J")
    ev = plan.run(data)
    names = checked_variables(graph, data)
    base = {n: float(ev.value(n)) for n in names}

    def cost_at(node):
        def f(x):
            return plan.run(data, {**base, node: x}, backward=False).cost
        return f

    sym = symbolic_gradients(graph, names, base, ev.values) if symbolic and data is None else {}
    rows = []
    for node in names:
        a = float(ev.grad(node))
        n = central_difference(cost_at(node), base[node], epsilon=eps)
        s = sym.get(node)
        err = rel_error(a, n)
        if s is not None:
            err = max(err, rel_error(a, s))
        rows.append(CheckRow(node, a, n, s, err))
    return rows


def symbolic_gradients(graph: Graph, names: list[str], base: dict[str, float],
                       at: list | None = None) -> dict[str, float | None]:
    """dJ/dv by sympy for each named source, the others held at their values.

    ``at`` (the slot values of a run at ``base``) lets the boxes with branches — relu, abs,
    max, lt, ... — take the branch that is active there instead of a sympy Piecewise, which
    sympy cannot always fold (a nan in an inactive branch) and which grows with depth."""
    plan = compile_graph(graph)
    if symbolic_skipped(plan):
        return {}
    import sympy as sp
    out: dict[str, float | None] = {}
    for name in names:
        x = sp.Symbol(name, real=True)
        try:
            expr = _cost_expression(plan, sp, {**{k: sp.Float(v) for k, v in base.items()}, name: x}, at)
            out[name] = None if expr is None else float(sp.diff(expr, x).subs(x, base[name]).evalf())
        except (TypeError, ValueError, ZeroDivisionError, GraphError):
            out[name] = None
        if out[name] is not None and not np.isfinite(out[name]):
            out[name] = None
    return out


def expression_size(plan) -> int:
    """Nodes of the cost J written out as one expression tree: a Variable read twice is
    written out twice, so a fan-out chain (h ← h·sin h) doubles it per box — what sympy's
    time grows with, though the graph stays small."""
    size = [1] * len(plan.keys)
    for step in plan.steps:
        s = 1 + sum(size[i] for i in step.ins)
        for slot in step.outs:
            size[slot] = min(s, 1 << 62)  # only compared with the limit
    return size[plan.loss_slot] if plan.loss_slot is not None else 0


def symbolic_skipped(plan) -> str | None:
    """Why the symbolic step is left out for this plan, or None."""
    if len(plan.steps) > SYMBOLIC_MAX_STEPS:
        return f"{SKIPPED} ({limits.too_many('boxes', len(plan.steps), SYMBOLIC_MAX_STEPS)})"
    size = expression_size(plan)
    if size > limits.MAX_SYMBOLIC_OPS:
        return f"{SKIPPED} ({size:,} terms; the symbolic expression size limit is {limits.MAX_SYMBOLIC_OPS:,})"
    return None


def _branch(sp, op: str, xs: list, nums: list, attrs: dict):
    """The expression of a box with branches, on the branch active at the values ``nums``
    (at a tie or kink, the catalogue's convention: ½/½ for max and min, sign(0) = 0)."""
    n = [float(v) for v in nums]
    if op == "relu":
        return xs[0] if n[0] > 0 else sp.Integer(0) * xs[0]
    if op == "leaky_relu":
        return xs[0] if n[0] > 0 else sp.Float(attrs["slope"]) * xs[0]
    if op == "abs":
        return xs[0] if n[0] > 0 else -xs[0] if n[0] < 0 else sp.Abs(xs[0])
    if op in ("max", "min"):
        first = n[0] > n[1] if op == "max" else n[0] < n[1]
        second = n[0] < n[1] if op == "max" else n[0] > n[1]
        return xs[0] if first else xs[1] if second else (xs[0] + xs[1]) / 2
    if op in ("lt", "gt", "eq"):
        return sp.Float(float({"lt": n[0] < n[1], "gt": n[0] > n[1], "eq": n[0] == n[1]}[op]))
    return None


BRANCHING = ("relu", "leaky_relu", "abs", "max", "min", "lt", "gt", "eq")


def _cost_expression(plan, sp, leaves: dict, at: list | None = None):
    exprs: list = [None] * len(plan.keys)
    for src in plan.sources:
        if src.node in leaves:
            exprs[src.slot] = leaves[src.node]
        else:
            exprs[src.slot] = sp.Float(float(plan.graph.value(src.node)))
    for step in plan.steps:
        xs = [exprs[i] for i in step.ins]
        if any(x is None for x in xs) or step.fn.sym is None:
            return None
        if at is not None and step.op in BRANCHING and all(np.ndim(at[i]) == 0 for i in step.ins):
            result = _branch(sp, step.op, xs, [at[i] for i in step.ins], step.attrs)
        else:
            result = step.fn.sym(sp, *xs, **step.attrs)
        if result is None:
            return None
        results = result if isinstance(result, list) else [result]
        for slot, r in zip(step.outs, results):
            exprs[slot] = r
    return exprs[plan.loss_slot]
