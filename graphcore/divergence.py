"""The Trainer's divergence rule and its diagnosis (see graphcore/training.py's docstring).

A run diverges when an epoch's cost exceeds ``max(10 × c1, c1 + 10)``, c1 being the first
epoch's cost. The error then names the box that blew up first: the first, in topological
order, whose largest |value| on the training points grew more than ``BLOWUP_GROWTH``× since
training started (relative to max(its start, 1)); else the loss box, whose outputs saturated.
"""
from __future__ import annotations

import numpy as np

from . import optim
from .errors import DivergenceError, GraphError, NonFiniteError
from .numbers import format_number

DIVERGE_FACTOR, DIVERGE_MARGIN = 10.0, 10.0  # the cost limit: max(10 × c1, c1 + 10)
BLOWUP_GROWTH = 1e3  # a box "blew up" when its largest |value| grew more than this many times


def cost_limit(history) -> float | None:
    """The epoch cost above which the run counts as diverged (None before the first epoch)."""
    if not len(history):
        return None
    c1 = float(history.cost[0])
    return max(DIVERGE_FACTOR * c1, c1 + DIVERGE_MARGIN)


def diverged(history) -> bool:
    limit = cost_limit(history)
    return limit is not None and len(history) > 1 and float(history.cost[-1]) > limit


def divergence_error(t, start_params) -> DivergenceError:
    """The one line for Trainer ``t``'s diverged run (it started from ``start_params``): how far
    the cost rose, in how many epochs, at which learning rate, the box that blew up, and a
    smaller learning rate to try."""
    costs = t.history.cost
    n = len(costs) - 1
    first, last = format_number(costs[0], 4), format_number(costs[-1], 4)
    rose = (f"training diverged: the cost J rose from {first} (epoch 1) to {last} "
            f"(epoch {t.epoch}) in {n} epoch{'s' if n != 1 else ''} at lr {format_number(t.lr)} "
            f"({optim.TITLES.get(t.optimizer_name, t.optimizer_name)})")
    node, why = blown_up_box(t, start_params)
    return DivergenceError(f"{rose}; {why}; try a smaller learning rate", [node] if node else [])


def blown_up_box(t, start_params) -> tuple[str | None, str]:
    """(box, what happened to it): the first box, in topological order, whose largest
    |value| grew more than BLOWUP_GROWTH× since ``start_params``; else the loss box."""
    plan, graph, data = t.plan, t.graph, t.train_data
    try:
        start = plan.run(data, start_params, backward=False).values
        now = plan.run(data, t.params, backward=False).values
    except NonFiniteError as exc:  # the last step took a box past the float range
        box = exc.nodes[0] if exc.nodes else None
        if not box:
            return None, str(exc)
        return box, f"box '{graph.box_name(box)}' ({graph.op(box)}) blew up: {exc}"
    except GraphError as exc:
        return None, str(exc)
    for key, a, b in zip(plan.keys, start, now, strict=True):
        if a is None or b is None or not np.size(b):
            continue
        was, big = float(np.max(np.abs(a))), float(np.max(np.abs(b)))
        if big > BLOWUP_GROWTH * max(was, 1.0):
            box = plan.owner[plan.slot_of[key]]
            return box, (f"box '{graph.box_name(box)}' ({graph.op(box)}) blew up first: "
                         f"its largest |value| grew from {format_number(was, 3)} to {format_number(big, 3)}")
    loss = plan.keys[plan.loss_slot]
    box = plan.owner[plan.loss_slot]
    return box, _saturation(graph, box, now[plan.slot_of[loss]])


def _saturation(graph, box: str, loss) -> str:
    op = graph.op(box)
    loss = np.asarray(loss, dtype=float)
    if op != "bce":  # no clamp to saturate at: say what the loss box holds
        return (f"no box grew 1000×; the loss box '{graph.box_name(box)}' ({op}) reaches "
                f"{format_number(np.max(np.abs(loss)), 3)} per sample")
    head = f"no box grew 1000×: the loss box '{graph.box_name(box)}' (bce) saturated"
    at_clamp = int(np.sum(loss >= 100.0 - 1e-9))
    if at_clamp:
        return (f"{head}: {at_clamp} of {loss.size} samples sit at its clamp of 100 "
                f"(σ at exactly 0 or 1 for a wrong label, as in PyTorch)")
    return (f"{head}: σ near 0 or 1 for wrong labels, up to {format_number(np.max(loss), 3)} per sample "
            f"(100 at its clamp, as in PyTorch)")
