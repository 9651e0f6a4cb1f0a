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

from . import engine, feed_rule, labels, replan
from .engine import Evaluation, Plan
from .events import EventKind

# graph_changed keys that leave every number as it was
_NEUTRAL_META = {"name", "groups", "threshold", "training"}


class ChangeLog:
    """The boxes whose own inputs changed since ``take()`` was last called (None: all of them),
    and in ``touched`` (after ``take()``) the boxes whose record a plan must read again:
    those, and the sources of arrows added or removed (for replan.replan)."""

    def __init__(self):
        self._boxes: set | None = None  # nothing evaluated yet: everything is new
        self._touched: set | None = None
        self._added: set | None = None
        self.touched: set | None = None
        self.added: set | None = None  # (after ``take()``) the boxes added or put back since

    def note(self, event):
        if self._boxes is not None:
            self._FOLLOW[event.kind](self, event)

    def _box(self, event):
        if event.kind is not EventKind.NODE_CHANGED or event.key != "label":  # a label changes no number
            self._boxes.add(event.node)
            self._touched.add(event.node)
            if event.kind is EventKind.NODE_ADDED:
                self._added.add(event.node)

    def _arrow(self, event):
        self._boxes.add(event.edge.dst)
        self._touched.update((event.edge.src, event.edge.dst))

    def _meta(self, event):
        if event.key not in _NEUTRAL_META:
            self.forget()

    def _reset(self, event):
        ch = event.changes
        if ch is None or ch.everything or ch.meta - _NEUTRAL_META:
            self.forget()
        else:
            self._boxes |= ch.nodes | {e.dst for e in ch.edges}
            self._touched |= ch.nodes | {e.dst for e in ch.edges} | {e.src for e in ch.edges}
            self._added |= ch.nodes  # which of them came or came back, a batch does not say

    def _moved(self, event):
        pass  # where a box stands changes no number

    _FOLLOW = {EventKind.NODE_ADDED: _box, EventKind.NODE_REMOVED: _box, EventKind.NODE_CHANGED: _box,
               EventKind.NODE_MOVED: _moved, EventKind.EDGE_ADDED: _arrow, EventKind.EDGE_REMOVED: _arrow,
               EventKind.GRAPH_CHANGED: _meta, EventKind.RESET: _reset}

    def take(self) -> set | None:
        boxes, self._boxes = self._boxes, set()
        self.touched, self._touched = self._touched, set()
        self.added, self._added = self._added, set()
        return boxes

    def forget(self):
        """The next evaluation must be a full one (the last one failed, the data set changed)."""
        self._boxes = self._touched = self._added = None


def plan_after(graph, previous: Plan | None, touched: set | None, added: set | None = None) -> Plan:
    """The graph's partial plan: the one compiled for this structure, else ``previous`` (the
    plan before the boxes ``touched`` changed) patched (replan.py), else a fresh compile."""
    cache = graph.attached.setdefault("plans", {})
    plan = cache.get(True)
    if plan is not None and plan.version == graph.version:
        return plan
    if previous is not None and previous.graph is graph:
        plan = replan.replan(previous, touched, added)
        if plan is not None:
            cache[True] = plan
            return plan
    plan = engine.compile_graph(graph, partial=True)
    for table in ("position", "needed_boxes", "loss_path_boxes", "step_of", "source_at", "step_rank"):
        getattr(plan, table)  # what the next edit's patch reads, made now beside the compile it costs little
    replan.make_twins(plan)
    return plan


def rerun(plan: Plan, previous: Evaluation | None, changed: set | None, data) -> Evaluation | None:
    """``plan`` evaluated reusing ``previous`` wherever ``changed`` cannot reach, or None."""
    if previous is None or changed is None:
        return None
    try:
        if plan is previous.plan or (plan.patch is not None and plan.patch.base() is previous.plan):
            return _rerun_by_slot(plan, previous, changed, data)
        basis = previous.grads_basis
        if plan.patch is not None and basis is not None and plan.patch.base() is basis[0].plan:
            # patched from the plan of the last run with gradients (replan: the cost was cut off
            # since): carried from that run, the boxes redone since computed again
            return _rerun_by_slot(plan, basis[0], changed | basis[2], data, shown=previous)
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


def _carried(plan: Plan, previous: Evaluation, old: list) -> list:
    """``old`` (the previous run's values or gradients) in ``plan``'s slots (replan.Patch)."""
    n = len(plan.keys)
    out = old[:n]
    out.extend([None] * (n - len(out)))
    patch = plan.patch if plan is not previous.plan else None
    if patch is not None:
        for was, now in patch.moved.items():
            out[now] = old[was]
        for slot in patch.cleared:
            out[slot] = None
    return out


def _rerun_by_slot(plan: Plan, previous: Evaluation, changed: set, data, shown=None) -> Evaluation | None:
    """``_rerun`` when ``plan`` is the previous run's plan or patched from it: values carried by
    slot, and only the boxes downstream of the change visited (no pass over every box)."""
    patch = plan.patch if plan is not previous.plan else None
    if plan.label_feeds:
        labels.check(plan.graph, data, plan.label_feeds)
    values = _carried(plan, previous, previous.values)
    seeds = set(changed) | (patch.fresh if patch is not None else set())
    m = _samples(plan, data, previous.m) if patch is not None and patch.inputs else previous.m
    src_at = plan.source_at
    for n in seeds:
        if n in src_at:
            src = src_at[n]
            values[src.slot], m = plan.reference.feed_source(src, data, m)
    recomputed = _downstream_steps(plan, seeds)
    with np.errstate(all="ignore"):
        for step in recomputed:
            plan.forward_step(step, values)
    redone = seeds | {s.node for s in recomputed} | (patch.reread if patch is not None else set())
    if shown is not None:  # the run the window shows differs from ``previous`` where it redid boxes
        redone = redone | shown.grads_basis[1]
    ev = Evaluation(plan, values, None, None, m, carried_from=(shown or previous).serial, redone=redone)
    # (the last run with gradients, the boxes whose values may differ from it, the boxes changed
    # since it): what a run after a cut-off cost carries from (rerun) and compares with
    basis = (previous, set(), set()) if previous.grads is not None else previous.grads_basis
    if basis is not None:
        basis = (basis[0], basis[1] | redone, basis[2] | changed)
    if plan.loss_slot is None:
        ev.grads_basis = basis
        return ev
    loss = values[plan.loss_slot]
    ev.cost = float(np.mean(loss)) if loss.ndim else float(loss)
    if not np.isfinite(ev.cost):
        return None
    old_plan = previous.plan
    same = (previous.grads is not None and old_plan.loss_slot is not None
            and plan.keys[plan.loss_slot] == old_plan.keys[old_plan.loss_slot]
            and plan.loss_path_boxes == old_plan.loss_path_boxes
            and not any(s.on_loss_path for s in recomputed))
    if same:
        ev.grads = _carried(plan, previous, previous.grads)
    elif basis is not None and _same_gradients(plan, ev, basis[0], basis[1]):
        at = list(map(basis[0].plan.slot_of.get, plan.keys))  # each Variable's slot back then
        grads0 = basis[0].grads + [None]  # (a Variable new since: slot -1, no gradient)
        ev.grads = list(map(grads0.__getitem__, [-1 if i is None else i for i in at]))
    else:
        with np.errstate(all="ignore"):
            ev.grads = plan.backpropagate(values)
    return ev


def _bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _same_gradients(plan: Plan, ev: Evaluation, was: Evaluation, dirty: set) -> bool:
    """Whether backprop over ``plan`` and ``ev``'s values gives ``was``'s gradients bit for bit:
    the same cost, the same steps on its path in the same order, and every box redone since
    ``was`` reads and writes what it did then (the others kept their very values)."""
    p0 = was.plan
    if (was.m != ev.m or p0.loss_slot is None or p0.keys[p0.loss_slot] != plan.keys[plan.loss_slot]
            or p0.loss_path_boxes != plan.loss_path_boxes):
        return False
    path = plan.loss_path_boxes
    k0, k1, v0 = p0.keys, plan.keys, was.values
    g = plan.graph
    for n in dirty:
        if n in path:
            a, b = plan.step_of[n], p0.step_of[n]
            if (a.op, a.attrs, [k1[i] for i in a.ins], [k1[o] for o in a.outs]) != \
                    (b.op, b.attrs, [k0[i] for i in b.ins], [k0[o] for o in b.outs]):
                return False
            if not all(_bits(ev.values[o], v0[p0.slot_of[k1[o]]]) for o in a.outs):
                return False
        elif n in plan.source_at and any(s in path for s in g.neighbours(n)[1]):
            src = plan.source_at[n]
            if n not in p0.source_at or not _bits(ev.values[src.slot], v0[p0.source_at[n].slot]):
                return False
    # last (a pass over the steps): the path's steps in the same order, so fan-out sums alike
    return [s.node for s in plan.steps if s.on_loss_path] == [s.node for s in p0.steps if s.on_loss_path]


def _samples(plan: Plan, data, m):
    """The number of samples a full feed finds: the length of the columns the inputs read."""
    columns = None if data is None else data.keys()
    found = None
    for src in plan.sources:
        if src.op == "input" and src.feed(columns)[0] == feed_rule.COLUMN:
            found = len(data[src.feed(columns)[1]])
    return found


def _downstream_steps(plan: Plan, seeds: set) -> list:
    """The steps at or downstream of ``seeds``, in ``plan.steps``'s order."""
    step_of = plan.step_of
    g = plan.graph
    found = []
    todo = [n for n in seeds if n in g]
    seen = set(todo)
    while todo:
        n = todo.pop()
        if n in step_of:
            found.append(n)
        elif n not in plan.source_at:
            continue  # not evaluated: nothing downstream of it is either
        for d in g.neighbours(n)[1]:
            if d not in seen:
                seen.add(d)
                todo.append(d)
    found.sort(key=plan.step_rank.__getitem__)
    return [step_of[n] for n in found]
