"""A full-batch training step's shortest way to the fused kernel (#18).

``Plan.run`` serves every caller: it checks the labels, feeds the sources one by one, picks
a kernel by the shapes it is given, tests and wraps the result. A full-batch Trainer asks
the same question every epoch — the same data table, new parameters — so after one
ordinary run (which builds the kernel) a ``Lane`` keeps the fed
sources and the kernel and, per step, only puts the parameters in and calls it: the same
kernel on the same values, so the same numbers bit for bit. ``Lane.run`` gives the cost and
dJ/dθ with no Evaluation around them (made only when asked for: the accuracy's prediction).

Whenever anything is unusual — the graph or its values changed, another table, the plan
unfused or without dense blocks, a nan or inf anywhere — ``run`` and ``step`` return None and
the Trainer takes ``Plan.run``, which gives the precise error.
"""
from __future__ import annotations

import numpy as np

from . import fastpath, fusion, labels
from .errors import GraphError
from .evaluation import Evaluation


class Lane:
    """One plan with one data table: its fed sources and fused kernel (``grads="params"``)."""

    def __init__(self, plan, data, fast, fed):
        S, m, sig, _ = fed
        self.plan, self.data, self.m = plan, data, m
        graph = plan.graph
        self.stamp = (graph.version, graph.values_version)
        # the table's columns as read-only copies of its own: what the kernel keeps from one
        # epoch to the next (the labels' class indices) cannot go stale under it
        self.S = [_frozen(v) if isinstance(v, np.ndarray) and v.ndim == 1 else v for v in S]
        self.loose = fast.loose_parameters()
        self.kernel = fast.fused_kernel(sig)
        self.loss_slot = plan.loss_slot

    def fits(self, plan, data) -> bool:
        graph = self.plan.graph
        return plan is self.plan and data is self.data and plan.version == graph.version \
            and self.stamp == (graph.version, graph.values_version)

    def run(self, params):
        """One fused forward and backward: ``Step`` (cost, dJ/dθ, and the Evaluation when asked
        for), or None. The caller holds ``np.errstate(all="ignore")`` (the Trainer, once for
        this and its optimizer step)."""
        theta = np.array(params, dtype=float)  # a copy: the optimizer changes params in place
        S = self.S
        for pos, i in self.loose:  # the parameters outside the blocks, as 0-d views (as the feed gives)
            S[pos] = theta[i, ...]
        try:
            raw = self.kernel.run(S, True, theta)
        except Exception:  # noqa: BLE001 — Plan.run then says what is wrong
            return None
        if raw is None:
            return None
        loss = raw[0][self.loss_slot]
        cost = float(_add_reduce(loss)) / loss.size if loss.ndim else float(loss)  # as the fast path
        if cost - cost != 0.0:  # nan or inf: the reference loop names the box
            return None
        return Step(cost, raw[2], self, raw, theta)

    def step(self, params) -> Evaluation | None:
        """``run`` as an Evaluation (the same numbers as ``Plan.run(grads="params")``), or None."""
        with np.errstate(all="ignore"):
            done = self.run(params)
        return None if done is None else done.evaluation()


class Step:
    """A lane's step: the cost and dJ/dθ at once; the Evaluation (wrapped lists, for the
    accuracy or any other reader) only when asked for."""

    __slots__ = ("cost", "param_grads", "lane", "raw", "theta")

    def __init__(self, cost: float, param_grads: np.ndarray, lane: Lane, raw: tuple, theta: np.ndarray):
        self.cost, self.param_grads, self.lane, self.raw, self.theta = cost, param_grads, lane, raw, theta

    def evaluation(self) -> Evaluation:
        lane = self.lane
        values, grads, pg = lane.kernel.wrap(*self.raw, self.theta)
        ev = Evaluation(lane.plan, values, grads, self.cost, lane.m)
        ev.fused_param_grads = pg
        return ev


_add_reduce = np.add.reduce


def _frozen(v: np.ndarray) -> np.ndarray:
    if v.flags.owndata and not v.flags.writeable:
        return v
    v = v.copy()
    v.flags.writeable = False
    return v


class Lanes:
    """A Trainer's lane: kept while the plan and the table stay, made anew when either changes."""

    def __init__(self):
        self.lane: Lane | None = None

    def ready(self, plan, data, params) -> Lane | None:
        """The lane for a full-batch step of ``plan`` on ``data`` (made after ``Plan.run`` has made
        the fast path), or None: then ``plan.run(data, params, grads="params")`` — the same numbers."""
        if not (fastpath.ENABLED and fusion.wanted(plan)) or plan.loss_slot is None:
            return None
        if not (isinstance(params, np.ndarray) and params.ndim == 1 and len(params) == len(plan.param_slots)):
            return None
        lane = self.lane
        if lane is None or not lane.fits(plan, data):
            lane = self.lane = _new_lane(plan, data, params)
        return None if lane is None or lane.kernel is None else lane

    def step(self, plan, data, params) -> Evaluation | None:
        """One fused forward and backward for a full-batch training step (``grads="params"``),
        or None: then ``plan.run(data, params, grads="params")`` — the same numbers."""
        lane = self.ready(plan, data, params)
        return None if lane is None else lane.step(params)


def _new_lane(plan, data, params) -> Lane | None:
    """A lane once ``Plan.run`` has made the plan's fast path; the table's labels checked once
    here (as ``Plan.run`` checks them once per table)."""
    fast = plan.fast_path(make=False)
    if fast is None or plan.version != plan.graph.version:
        return None
    try:
        labels.check(plan.graph, data, plan.label_feeds)
    except GraphError:
        return None
    fed = fast.feed_lean(data, params)
    return None if fed is None else Lane(plan, data, fast, fed)
