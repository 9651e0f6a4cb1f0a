"""Evaluating again after an edit at the cost of what the edit changed.

A window evaluates after every edit. Most edits touch a few boxes of a large graph: a box
dropped on the canvas (ignored until wired), one value typed, one arrow re-plugged. Here
``ChangeLog`` follows the Graph's events and remembers which boxes changed since the last
evaluation; ``rerun`` then runs forward only the boxes downstream of those — every other
Variable keeps the value the last evaluation computed (the same numbers, so the same bits)
— and runs backward only when something on the cost's path changed. When it cannot tell
(a new data set, the cost moved to another box, a whole new graph) it answers None and the
caller runs the plan in full; an error anywhere also answers None, so the full run reports
it in its own words.
"""
from __future__ import annotations

import numpy as np

from . import labels
from .engine import Evaluation, Plan
from .events import EventKind

# graph_changed keys that leave every number as it was
_NEUTRAL_META = {"name", "groups", "threshold", "training"}


class ChangeLog:
    """The boxes whose own inputs changed since ``take()`` was last called (None: all of them)."""

    def __init__(self):
        self._boxes: set | None = None  # nothing evaluated yet: everything is new

    def note(self, event):
        if self._boxes is not None:
            self._FOLLOW[event.kind](self, event)

    def _box(self, event):
        if event.kind is not EventKind.NODE_CHANGED or event.key != "label":  # a label changes no number
            self._boxes.add(event.node)

    def _arrow(self, event):
        self._boxes.add(event.edge.dst)

    def _meta(self, event):
        if event.key not in _NEUTRAL_META:
            self._boxes = None

    def _reset(self, event):
        ch = event.changes
        if ch is None or ch.everything or ch.meta - _NEUTRAL_META:
            self._boxes = None
        else:
            self._boxes |= ch.nodes | {e.dst for e in ch.edges}

    def _moved(self, event):
        pass  # where a box stands changes no number

    _FOLLOW = {EventKind.NODE_ADDED: _box, EventKind.NODE_REMOVED: _box, EventKind.NODE_CHANGED: _box,
               EventKind.NODE_MOVED: _moved, EventKind.EDGE_ADDED: _arrow, EventKind.EDGE_REMOVED: _arrow,
               EventKind.GRAPH_CHANGED: _meta, EventKind.RESET: _reset}

    def take(self) -> set | None:
        boxes, self._boxes = self._boxes, set()
        return boxes


def rerun(plan: Plan, previous: Evaluation | None, changed: set | None, data) -> Evaluation | None:
    """``plan`` evaluated reusing ``previous`` wherever ``changed`` cannot reach, or None."""
    if previous is None or changed is None:
        return None
    try:
        return _rerun(plan, previous, changed, data)
    except Exception:  # noqa: BLE001 - the full run raises the precise, named error
        return None


def _rerun(plan: Plan, previous: Evaluation, changed: set, data) -> Evaluation | None:
    old_plan = previous.plan
    old = dict(zip(old_plan.keys, previous.values))
    if plan.label_feeds:
        labels.check(plan.graph, data, plan.label_feeds)
    values, m = plan.feed(data)  # the same data as last time (the caller's rule): a column kept is the same
    fresh: set[int] = set()  # slots computed now, not copied
    for src in plan.sources:
        before = old.get(plan.keys[src.slot])
        if src.node in changed or before is None:
            fresh.add(src.slot)
        else:
            values[src.slot] = before
    with np.errstate(all="ignore"):
        for step in plan.steps:
            kept = [old.get(plan.keys[o]) for o in step.outs]
            if step.node in changed or any(k is None for k in kept) or fresh.intersection(step.ins):
                plan.forward_step(step, values)
                fresh.update(step.outs)
            else:
                for slot, v in zip(step.outs, kept):
                    values[slot] = v
    ev = Evaluation(plan, values, None, None, m)
    if plan.loss_slot is None:
        return ev
    loss = values[plan.loss_slot]
    ev.cost = float(np.mean(loss)) if loss.ndim else float(loss)
    if not np.isfinite(ev.cost):
        return None
    if _same_backward(plan, old_plan, previous, fresh):
        old_grads = dict(zip(old_plan.keys, previous.grads))
        ev.grads = [old_grads.get(k) for k in plan.keys]
    else:
        with np.errstate(all="ignore"):
            ev.grads = plan.backpropagate(values)
    return ev


def _same_backward(plan: Plan, old_plan: Plan, previous: Evaluation, fresh: set) -> bool:
    """Whether every gradient is what it was: the same cost, the same boxes on its path, and
    no value on that path computed anew."""
    if previous.grads is None or old_plan.loss_slot is None:
        return False
    if plan.keys[plan.loss_slot] != old_plan.keys[old_plan.loss_slot]:
        return False
    if plan.loss_path_boxes != old_plan.loss_path_boxes:
        return False
    return not any(fresh.intersection(s.ins) or fresh.intersection(s.outs) for s in plan.steps if s.on_loss_path)
