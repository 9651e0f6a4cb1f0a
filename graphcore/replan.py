"""The plan after a structural edit, patched from the previous one at the cost of the edit.

``compile_graph`` reads every box (about 0.1 s at 10,000 boxes); a window's edit touches a
few. ``replan(old, touched)`` starts from ``old`` — the plan of the same graph before the
edit — and re-reads only the ``touched`` boxes (added, removed or changed boxes, and both
ends of every arrow added or removed), then follows what can change beyond them:

* which boxes the cost/output depend on (the rest are ignored): a box loses that when its
  last arrow to a needed box goes, which can spread upstream; it gains it with a new arrow
  into a needed box, spreading upstream too (``_reach``);
* which needed boxes are incomplete (an unwired port upstream): spreads downstream;
* which steps lie on the cost's path (backprop's boxes): as the first, towards the cost box.

Everything else is the old plan's, shared: its Step objects, Sources, slot numbers. A Variable
keeps its slot; a removed one's slot is filled by the last slot (``Patch.moved``), so the
previous evaluation's values carry over by slot (incremental.rerun). The lists a compile
orders by the graph's topological order (steps, sources, ignored, incomplete) are put in
that order again, so backprop sums fan-out in the same order: the same bits as a compile.
Answers None whenever a fresh compile is the simpler truth (the cost or output box touched,
a non-partial plan, many boxes touched); the caller then compiles.
"""
from __future__ import annotations

import bisect
import collections
import gc
import heapq
import weakref
from dataclasses import dataclass, field

from . import engine, labels
from . import functions as F
from .errors import GraphError
from .variable_ref import VariableRef

# Above this share of the graph touched, a compile costs about what patching does.
TOUCHED_SHARE = 0.05

# Why patching gave way to a compile, counted (tests read it). "unexpected <Error>" is a fault
# in the patching itself: the compile still gives the right plan, so the learner never sees it,
# but the property tests (tests/perf) fail on it.
GAVE_UP: collections.Counter = collections.Counter()


@dataclass
class Patch:
    """How a patched plan's slots relate to its base plan's (read by incremental.rerun)."""

    base: weakref.ref  # the plan it was patched from
    moved: dict = field(default_factory=dict)  # base slot -> slot here (a Variable moved into a hole)
    cleared: set = field(default_factory=set)  # slots here whose base value does not hold
    fresh: set = field(default_factory=set)  # boxes to compute anew: now evaluated, or given new slots
    reread: set = field(default_factory=set)  # boxes whose record was read again (the rest: shared)
    inputs: bool = False  # an input box began or ceased to be fed: count the samples again
    path_basis: tuple | None = None  # while the cost is cut off: replan._path_basis


def replan(old: engine.Plan | None, touched: set | None, added: set | None = None) -> engine.Plan | None:
    """``old``'s graph compiled (partial), patched from ``old``; None: compile instead.
    ``added``: the boxes (re)inserted since (None: any touched box may have been)."""
    if old is None or touched is None or not old.partial:
        return None
    g = old.graph
    if len(touched) > max(64, TOUCHED_SHARE * len(g)):
        return None
    roots = engine.root_boxes(g)
    if tuple(roots) != old.roots or touched.intersection(roots) or old.version > g.version:
        return None
    added = touched if added is None else added
    basis = old.patch.path_basis if old.loss_slot is None and old.patch is not None else None
    if basis is not None and (was := basis[4]()) is not None and was.roots == old.roots:
        # the cost cut off since ``was`` (a delete upstream of it): patched from ``was``, whose
        # steps still carry their flags — an undo then changes only what the delete did (the
        # boxes touched since were checked, as this edit's were, when each patch was made)
        old, touched, added = was, basis[2] | touched, basis[3] | added
    # The cyclic collector paused meanwhile, as Plan.__init__ does: thousands of small objects
    # (a step per box when the cost is cut off) would set it off over the whole heap.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _Patcher(old, touched, roots, added).plan()
    except GraphError:  # a compile then says it in its own words
        GAVE_UP["graph error"] += 1
        return None
    except Exception as exc:  # noqa: BLE001 - a fault here; a compile is still right
        GAVE_UP[f"unexpected {type(exc).__name__}"] += 1
        return None
    finally:
        if was_enabled:
            gc.enable()


def _preds(g, n):
    return g.neighbours(n)[0] if n in g else ()


def _succs(g, n):
    return g.neighbours(n)[1] if n in g else ()


def _reach(members: set, roots, seeds, can, g, flips: set | None = None) -> set:
    """``members`` (mutated) made the boxes that ``can`` be members and reach a root along
    arrows through members, after the arrows at ``seeds`` changed. On a DAG that set is
    unique: drop members that lost every member successor (spreading upstream), then add
    what now reaches a member (spreading upstream); both cost only the boxes that change
    (noted in ``flips``: a box dropped and added back is noted too)."""
    flips = set() if flips is None else flips
    work = list(seeds)
    while work:
        n = work.pop()
        if n in members and (not can(n) or (n not in roots and not any(s in members for s in _succs(g, n)))):
            members.discard(n)
            flips.add(n)
            work.extend(p for p in _preds(g, n) if p in members)
    work = [n for n in seeds if n in members]
    for r in roots:
        if r not in members and can(r):
            members.add(r)
            flips.add(r)
            work.append(r)
    while work:
        for p in _preds(g, work.pop()):
            if p not in members and can(p):
                members.add(p)
                flips.add(p)
                work.append(p)
    return members


class _Patcher:
    def __init__(self, old, touched, roots, added):
        self.old, self.g, self.roots, self.added = old, old.graph, roots, added
        self.present = [n for n in touched if n in self.g]
        self.touched = touched

    def plan(self) -> engine.Plan:
        old, g = self.old, self.g
        new = engine.Plan.__new__(engine.Plan)
        new.setup(g, partial=True)
        self.new = new
        self.order, self.pos, new.in_insertion_order = self._order()
        self.patch = new.patch = Patch(weakref.ref(old))
        self._slots()
        self.needed = self._needed()
        self._statuses()
        self._lay_out()
        return new

    def _order(self) -> tuple[list | None, dict, bool]:
        """The graph's topological order (None: the insertion order, not listed), each box's
        place in it, and whether it is the insertion order. When the old plan's was, arrows
        between untouched boxes still run forwards (their order is kept): checking the touched
        boxes' arrows tells that it still is — the order ``Graph.topological_order`` gives then."""
        g = self.g
        if self.old.in_insertion_order:
            pos = self._positions()
            if pos is not None and all(pos[p] < pos[n] for n in self.present for p in _preds(g, n)) and \
                    all(pos[n] < pos[d] for n in self.present for d in _succs(g, n)):
                return None, pos, True
        order = g.topological_order()
        return order, {n: i for i, n in enumerate(order)}, order == g.nodes()

    def _positions(self) -> dict | None:
        """Numbers that sort the boxes as the insertion order does, patched from the old plan's:
        a box added gets a number between its neighbours' (None: a renumbering is simpler)."""
        old_pos = self.old.position
        added = [n for n in self.present if n not in old_pos or n in self.added]
        if len(added) > 8:
            return None
        pos = dict(old_pos)
        for n in self.touched:
            if n not in self.g or n in self.added:
                pos.pop(n, None)  # gone, or put back elsewhere
        nodes = self.g.nodes() if added else []
        for i, n in sorted((nodes.index(n), n) for n in added):
            lo = pos[nodes[i - 1]] if i else None
            j = i + 1
            while j < len(nodes) and nodes[j] not in pos:
                j += 1
            hi = pos[nodes[j]] if j < len(nodes) else None
            v = (lo + hi) / 2 if lo is not None and hi is not None else \
                (lo + 1 if lo is not None else (hi - 1 if hi is not None else 0))
            if v == lo or v == hi:  # no float left between them
                return None
            pos[n] = v
        return pos

    def _steps_list(self, step_of: dict, flipped: list) -> list:
        """``steps`` in order: the old list with the boxes whose step changed put in, taken out
        or replaced where their number places them (every other step keeps its place)."""
        if self.order is not None:
            return [step_of[n] for n in self.order if n in step_of]
        pos, old_pos, old_of = self.pos, self.old.position, self.old.step_of
        read = [n for n in self.patch.reread | self.touched if old_of.get(n) is not step_of.get(n)]
        moved = {n for n in read if n not in step_of or n in self.added}  # out, maybe back elsewhere
        if len(read) + len(flipped) > 64:  # many replaced (the cost cut off or put back): one pass
            lst = [step_of[s.node] for s in self.old.steps if s.node not in moved]
        else:
            lst = list(self.old.steps)
            for n in read + [n for n in flipped if n not in self.patch.reread]:  # (flipped alone: in place)
                if n in old_of:  # found by the old numbers (a box put back elsewhere has new ones)
                    i = bisect.bisect_left(lst, old_pos[n], key=lambda s: old_pos[s.node])
                    if n in moved:
                        del lst[i]
                    else:
                        lst[i] = step_of[n]
        for n in read:
            if n in step_of and (n in moved or n not in old_of):
                lst.insert(bisect.bisect_left(lst, pos[n], key=lambda s: pos[s.node]), step_of[n])
        return lst

    # --- slots -------------------------------------------------------------------------
    def _old_keys(self, n) -> list[str]:
        sl = self.old.slot_of
        if n in sl:
            return [n]
        keys, k = [], 0
        while f"{n}:{k}" in sl:
            keys.append(f"{n}:{k}")
            k += 1
        return keys

    def _slots(self):
        """Free the slots of boxes gone or whose outputs changed, give new Variables the lowest
        free slots, then fill the holes left with the last slots (every other slot stays)."""
        old, new = self.old, self.new
        keys, owner, slot_of = list(old.keys), list(old.owner), dict(old.slot_of)
        self.info, free, wanted, self.reslotted = {}, [], [], set()
        for n in self.touched:
            have = self._old_keys(n)
            want = self._info(n)[3] if n in self.g else []
            if have == want:
                continue
            self.reslotted.add(n)
            for k in have:
                s = slot_of.pop(k)
                keys[s] = owner[s] = None
                free.append(s)
            wanted.extend((k, n) for k in want)
        free.sort(reverse=True)
        for k, n in wanted:  # all frees first: a slot given out now is below every hole left
            s = free.pop() if free else len(keys)
            if s == len(keys):
                keys.append(None)
                owner.append(None)
            keys[s], owner[s], slot_of[k] = k, n, s
            self.patch.cleared.add(s)
        self.moved_owners = set()
        for h in sorted(free):
            while keys and keys[-1] is None:
                keys.pop()
                owner.pop()
            if h >= len(keys):
                continue
            last = len(keys) - 1
            keys[h], owner[h] = keys[last], owner[last]
            slot_of[keys[h]] = h
            self.patch.moved[last] = h
            self.moved_owners.add(owner[h])
            keys.pop()
            owner.pop()
        new.keys, new.owner, new.slot_of = keys, owner, slot_of

    def _info(self, n):
        info = self.info.get(n)
        if info is None:
            g = self.g
            op = g.op(n)
            fn = F.get(op)
            attrs = g.attrs(n) if fn.attrs else {}
            info = self.info[n] = (op, fn, attrs, VariableRef.keys_of(n, fn.n_outputs(attrs)))
        return info

    # --- which boxes are evaluated -----------------------------------------------------
    def _needed(self) -> set | None:
        """The boxes the cost/output depend on (None: every box, the graph names neither).
        The roots are untouched, so present now exactly when the old plan was compiled."""
        g, old = self.g, self.old
        roots = [r for r in self.roots if r in g]
        self.needed_flips = set()
        if not roots:
            return None
        return _reach(set(old.needed_boxes), roots, set(self.touched), g.__contains__, g, self.needed_flips)

    def _statuses(self):
        """Re-read the touched boxes and those whose status or slots changed, in topological
        order, spreading downstream while a box's status (source, step, incomplete) changes."""
        old, g = self.old, self.g
        self.step_of = dict(old.step_of)
        self.src_of = dict(old.source_at)
        self.incomplete = set(old.incomplete)
        self.unwired = dict(old.unwired)
        flipped = self._ignored_flips()
        pos = self.pos
        todo = set(self.present) | flipped | self.moved_owners
        for n in self.moved_owners:
            todo.update(_succs(g, n))
        for n in self.touched:
            if n not in g:
                self.patch.inputs |= n in self.src_of and self.src_of[n].op == "input"
                self.step_of.pop(n, None)
                self.src_of.pop(n, None)
                self.incomplete.discard(n)
                self.unwired.pop(n, None)
        heap = [(pos[n], n) for n in todo if n in pos]
        heapq.heapify(heap)
        seen = set()
        while heap:
            _, n = heapq.heappop(heap)
            if n in seen:
                continue
            seen.add(n)
            if self._reread(n):
                for s in _succs(g, n):
                    if s not in seen:
                        heapq.heappush(heap, (pos[s], s))
        self.patch.reread = seen

    def _ignored_flips(self) -> set:
        """The new ignored set; the boxes (old ones, still here) now evaluated or now ignored."""
        needed, g = self.needed, self.g
        if needed is None:
            self.ignored = set()
            return set()
        ign = self.ignored = set(self.old.ignored)
        for n in self.needed_flips | set(self.present):
            if n in needed or n not in g:
                ign.discard(n)
            else:
                ign.add(n)
        ign.difference_update(n for n in self.touched if n not in g)
        return {n for n in self.needed_flips if n in g}

    def _status(self, n):
        if n in self.src_of:
            return "source"
        if n in self.step_of:
            return "step"
        return "incomplete" if n in self.incomplete else "ignored"

    def _reread(self, n) -> bool:
        """Re-read box ``n``'s record; whether its status changed (its successors must follow)."""
        g, new = self.g, self.new
        before = self._status(n) if n not in self.reslotted else None
        self.step_of.pop(n, None)
        self.src_of.pop(n, None)
        self.incomplete.discard(n)
        self.unwired.pop(n, None)
        op, fn, attrs, keys = self._info(n)
        if op not in F.SOURCE_OPS:
            edges = [g.edge_into(n, p) for p in range(fn.n_inputs(attrs))]
            missing = [p for p, e in enumerate(edges) if e is None]
            if missing:
                self.unwired[n] = missing
        if n in self.ignored:
            after = "ignored"
        elif op in F.SOURCE_OPS:
            self.src_of[n] = engine.Source(n, op, new.slot_of[n], g.column(n), g.value(n))
            after = "source"
        elif missing or any(e.src in self.incomplete for e in edges):
            self.incomplete.add(n)
            after = "incomplete"
        else:
            ins = [new.slot_of[_key(new, e.src, e.out)] for e in edges]
            self.step_of[n] = engine.Step(n, op, fn, attrs, ins, [new.slot_of[k] for k in keys])
            after = "step"
        if after in ("source", "step") and before != after:  # a value the base did not have
            self.patch.fresh.add(n)
        self.patch.inputs |= op == "input" and (before != after or n in self.touched)
        if after not in ("source", "step"):
            self.patch.cleared.update(new.slot_of[k] for k in keys)
        return before != after

    # --- the lists, in the compile's order ---------------------------------------------
    def _lay_out(self):
        new, g = self.new, self.g
        step_of, src_of, ign, inc = self.step_of, self.src_of, self.ignored, self.incomplete
        at = self.pos.__getitem__
        new.ignored = sorted(ign, key=at)  # a few boxes each: sorted, not a pass over the order
        new.incomplete = sorted(inc, key=at)
        new.unwired = self.unwired
        new.sources = [src_of[n] for n in sorted(src_of, key=at)]
        skipped = _Skipped(ign, inc)
        new.loss_slot = new.slot_of_ref(g.meta.get("loss"), skipped)
        new.output_slots = new.slots_of_output(g.meta.get("output"), skipped)
        new.param_ids = [s.node for s in new.sources if s.op == "parameter"]
        new.param_slots = [s.slot for s in new.sources if s.op == "parameter"]
        path, flips = self._loss_path()
        if flips is None:
            flips = self.old.loss_path_boxes.symmetric_difference(path)
        flipped, get = [], step_of.get
        for n in flips | self.patch.reread:
            s = get(n)
            if s is not None and s.on_loss_path is not (n in path):  # a copy: the old plan keeps its own flags
                step_of[n] = _flipped(s)
                flipped.append(n)
        new.steps = self._steps_list(step_of, flipped)
        new.know(step_of=step_of, step_rank=self.pos, source_at=src_of, needed_boxes=self.needed,
                 loss_path_boxes=frozenset(path))
        if new.in_insertion_order:
            new.know(position=self.pos)
        new.label_feeds = self._label_feeds()
        engine.remember_ignored(g, self.roots, ign)

    def _loss_path(self) -> set:
        """The steps backprop runs through, from the last plan that had a cost path (this
        one's base, or further back while the cost box was cut off: an undo of a delete puts
        back what the delete took, seen from the plan before it) and every box re-read since."""
        new, step_of = self.new, self.step_of
        basis = _path_basis(self.old)
        if basis is not None:
            basis = (basis[0], basis[1], basis[2] | self.touched | self.patch.reread, basis[3] | self.added, basis[4])
        if new.loss_slot is None:
            self.patch.path_basis = basis
            return set(), None
        from_old = False
        if basis is None or basis[1] != new.keys[new.loss_slot]:
            path, seeds = set(), set()
        else:
            path, seeds = set(basis[0]), basis[2]  # the boxes re-read since: every step gone among them
            from_old = self.old.loss_slot is not None
        flips = set()
        path = _reach(path, {new.owner[new.loss_slot]}, seeds | self.patch.fresh, step_of.__contains__, self.g,
                      flips)
        return path, (flips if from_old else None)

    def _label_feeds(self) -> list:
        g, old = self.g, self.old
        near = set(self.present)
        for n in self.present:
            near.update(_succs(g, n))
        kept = [f for f in old.label_feeds if f[0] not in near and f[0] in g]
        ops = {n: self._info(n)[0] for n in near if n in g}
        found = [f for f in labels.feeds(_Only(g, ops), ops)]
        if not found:
            return kept
        losses = {f[0] for f in kept} | {f[0] for f in found}
        by = {f[0]: f for f in kept + found}
        return [by[n] for n in g.nodes() if n in losses]


def _flipped(s: engine.Step) -> engine.Step:
    """``s`` with ``on_loss_path`` the other way: the copy made last time when there is one (a
    delete cutting the cost off, then its undo and redo, flip the same thousands of steps).
    A step's fields never change once it is in a plan, so its twin stays alike."""
    twin = s.twin
    if twin is None:
        twin = s.twin = engine.Step(s.node, s.op, s.fn, s.attrs, s.ins, s.outs, not s.on_loss_path, s)
    return twin


def make_twins(plan: engine.Plan):
    """Each step's twin made ahead (with the compile): a delete that cuts the cost off then
    only swaps every step on the path for its twin."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for s in plan.steps:
            _flipped(s)
    finally:
        if was_enabled:
            gc.enable()


def _path_basis(plan) -> tuple | None:
    """(cost path, cost key, boxes touched or re-read since, boxes added since, a weakref to the
    plan) of the last plan in ``plan``'s line that had a cost."""
    if plan.loss_slot is not None:
        return plan.loss_path_boxes, plan.keys[plan.loss_slot], frozenset(), frozenset(), weakref.ref(plan)
    return plan.patch.path_basis if plan.patch is not None else None


class _Skipped:
    """``node in skipped`` for Plan.slot_of_ref: ignored or incomplete."""

    def __init__(self, ignored, incomplete):
        self.ignored, self.incomplete = ignored, incomplete

    def __contains__(self, n):
        return n in self.ignored or n in self.incomplete


class _Only:
    """The graph as labels.feeds reads it, narrowed to a few boxes."""

    def __init__(self, g, ops):
        self.g, self.ops = g, ops

    def nodes(self):
        return list(self.ops)

    def __getattr__(self, name):
        return getattr(self.g, name)


def _key(plan, node, out) -> str:
    keys = plan.graph.variable_keys(node)
    return VariableRef.of_output(node, out, len(keys)).key
