"""The engine: compile a Graph into a plan, then run forward and backward over all samples.

``compile_graph(graph)`` does the graph work once — topological order, one ``Step`` per
Function box with the slot numbers of its input and output Variables — and is cached
until the graph's structure changes. ``Plan.run`` then touches only lists and numpy:

* forward: each box in topological order computes its outputs from its inputs;
* backward (``backpropagate``): from the cost J back, each box turns the upstream
  gradient of its outputs into downstream gradients of its inputs,
  ``downstream = local × upstream``; where a Variable fans out, the contributions sum
  (the "copy gate"); where a scalar was broadcast over samples, its gradient is the
  sum over those samples.

Which boxes are evaluated is decided here, in ``ignored_boxes``: when the graph names a
cost J (``loss``) or an ``output``, only the boxes those depend on are evaluated and must
be wired; every other box is *ignored* (``plan.ignored``) — it neither runs nor blocks,
so a stray box just dropped or pasted never stops the plots or training. A graph naming
neither evaluates every box.

``trace(evaluation)`` replays a finished run as a list of ``StepEvent``s — the numbers
the step-through view shows — without touching the graph again.
"""
from __future__ import annotations

import functools
import gc
import os
import weakref
from dataclasses import dataclass, field

import numpy as np

from . import fastpath, feed_rule
from . import functions as F
from . import labels
from .errors import UnwiredPortError
from .evaluation import Evaluation, Executor, reduce_to  # noqa: F401 — reduce_to: part of the engine's API
from .graph import Graph
from .variable_ref import VariableRef
from .reference_loop import ReferenceLoop, backward_sweep


@dataclass
class Step:
    """One Function box in the plan: what to call and which Variable slots it reads and writes."""

    node: str
    op: str
    fn: F.Function
    attrs: dict
    ins: list[int]
    outs: list[int]
    on_loss_path: bool = False
    # the same step with on_loss_path the other way, once replan.py made it (a field, so that
    # setting it keeps the instance's shared-key dict: thousands are set when the cost is cut off)
    twin: "Step | None" = field(default=None, compare=False, repr=False)


@dataclass
class Source:
    node: str
    op: str
    slot: int
    column: str | None
    value: float | None

    def feed(self, columns) -> tuple[str, str]:
        """How this input box is fed from data with these ``columns`` (None: no data), and the
        column it would read: the one rule, feed_rule.input_feed."""
        return feed_rule.input_feed(self.node, self.column, self.value, columns)


class Plan:
    """A Graph compiled for evaluation. Built by ``compile_graph``; read-only afterwards."""

    def __init__(self, graph: Graph, partial: bool = False):
        self.setup(graph, partial)
        # The cyclic garbage collector is paused meanwhile (as when fastpath builds a kernel):
        # the many small objects made here would set it off again and again over a large heap.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._compile(partial)
        finally:
            if was_enabled:
                gc.enable()

    def setup(self, graph: Graph, partial: bool):
        """The empty plan's fields (a compile fills them; replan.py patches an old plan's into them)."""
        self.graph = graph
        self.version = graph.version
        self.partial = partial
        self.roots = tuple(root_boxes(graph))  # the cost's and output's boxes it was made for
        self.patch = None  # replan.Patch: how this plan's slots follow the plan it was patched from
        self.keys: list[str] = []  # Variable key per slot
        self.owner: list[str] = []  # box per slot
        self.slot_of: dict[str, int] = {}
        self.sources: list[Source] = []
        self.steps: list[Step] = []
        self.incomplete: list[str] = []  # boxes left out because a port upstream is unwired
        self.ignored: list[str] = []  # boxes neither J nor the output depends on: not evaluated
        self.unwired: dict[str, list[int]] = {}  # box -> its own unwired input ports
        self._info: dict[str, tuple] | None = None  # while compiling: each box's op, Function, attrs, keys
        self.reference: Executor = ReferenceLoop(self)  # the definition of the numbers, and of the errors
        self._fast: fastpath.FastPlan | None = None  # the compiled kernel, made on the first fast run
        # The fast path runs dense layers as matrices (fusion.py); False (or GRAPHCORE_FUSE=0) runs
        # every box on its own, bit for bit the reference loop's numbers.
        self.fuse = os.environ.get("GRAPHCORE_FUSE", "1") != "0"
        self._labels_checked = None

    # --- compiling -------------------------------------------------------------------
    def _compile(self, partial: bool):
        g = self.graph
        order = g.topological_order()
        self.in_insertion_order = order == g.nodes()  # (replan.py keeps the order cheaply while this holds)
        self._order = order
        # each box's op, Function, attrs and Variable keys, looked up once (attrs are resolved
        # against the catalogue on every Graph.attrs call)
        info = self._info = {}
        for node in order:
            op = g.op(node)
            fn = F.get(op)
            attrs = g.attrs(node) if fn.attrs else {}  # no attrs to resolve: most boxes of a large graph
            n_out = fn.n_outputs(attrs)
            keys = VariableRef.keys_of(node, n_out)
            info[node] = (op, fn, attrs, keys)
            for key in keys:
                self.slot_of[key] = len(self.keys)
                self.keys.append(key)
                self.owner.append(node)
        ignored = ignored_boxes(g, order)
        self.ignored = [n for n in order if n in ignored]
        skipped: set[str] = set(ignored)
        into = g.edge_into
        for node in order:
            op, fn, attrs, keys = info[node]
            if node in ignored:
                if op not in F.SOURCE_OPS:  # its unwired ports are still outlined on the canvas
                    missing = [p for p in range(fn.n_inputs(attrs)) if into(node, p) is None]
                    if missing:
                        self.unwired[node] = missing
                continue
            if op in F.SOURCE_OPS:
                self.sources.append(Source(node, op, self.slot_of[node], g.column(node), g.value(node)))
                continue
            edges = [into(node, p) for p in range(fn.n_inputs(attrs))]  # g.inputs_of, attrs resolved once
            missing = [p for p, e in enumerate(edges) if e is None]
            if missing:
                self.unwired[node] = missing
            if missing or any(e.src in skipped for e in edges if e is not None):
                if not partial:
                    names = fn.input_names(attrs)
                    ports = ", ".join(f"{p} ({names[p]})" for p in missing)
                    if missing:
                        raise UnwiredPortError(f"box '{g.box_name(node)}' ({op}) has an unwired input port: {ports}",
                                               [node])
                skipped.add(node)
                self.incomplete.append(node)
                continue
            ins = [self.slot_of[self._key(e.src, e.out)] for e in edges]
            outs = [self.slot_of[k] for k in keys]
            self.steps.append(Step(node, op, fn, attrs, ins, outs))
        self.loss_slot = self.slot_of_ref(g.meta.get("loss"), skipped)
        self.output_slots = self.slots_of_output(g.meta.get("output"), skipped)
        self.param_ids = [s.node for s in self.sources if s.op == "parameter"]
        self.param_slots = [s.slot for s in self.sources if s.op == "parameter"]
        self._mark_loss_path()
        self.label_feeds = labels.feeds(g, {n: i[0] for n, i in info.items()})  # losses whose labels run() checks
        self._info = None  # only for compiling

    def _key(self, node: str, out: int) -> str:
        info = self._info
        keys = info[node][3] if info and node in info else self.graph.variable_keys(node)
        return VariableRef.of_output(node, out, len(keys)).key

    def slot_of_ref(self, ref, skipped) -> int | None:
        if not ref:
            return None
        node, port = self.graph.check_variable_ref(ref)
        if node in skipped:
            return None
        return self.slot_of[self._key(node, port)]

    def slots_of_output(self, ref, skipped) -> list[int]:
        if not ref:
            return []
        node, port = self.graph.check_variable_ref(ref, "output")
        if node in skipped:
            return []
        if self.graph.op(node) == "softmax" and VariableRef.parse(ref).out is None:  # named whole: every output
            return [self.slot_of[k] for k in self.graph.variable_keys(node)]
        return [self.slot_of[self._key(node, port)]]

    def _mark_loss_path(self):
        """Only boxes the cost depends on take part in backprop."""
        if self.loss_slot is None:
            return
        needed = {self.loss_slot}
        for step in reversed(self.steps):
            if needed.intersection(step.outs):
                step.on_loss_path = True
                needed.update(step.ins)

    @functools.cached_property
    def param_dependent(self) -> list[bool]:
        """Per slot: whether the Variable depends on a parameter (is one, or is computed
        from one) — the gradients a training step needs, on the loss path."""
        dep = [False] * len(self.keys)
        for slot in self.param_slots:
            dep[slot] = True
        for step in self.steps:
            if any(dep[i] for i in step.ins):
                for o in step.outs:
                    dep[o] = True
        return dep

    @functools.cached_property
    def step_of(self) -> dict[str, Step]:
        """Each step by its box."""
        return {s.node: s for s in self.steps}

    @functools.cached_property
    def step_rank(self) -> dict[str, int]:
        """A number per box that sorts steps as ``steps`` has them (a patched plan: each box's
        place in the topological order)."""
        return {s.node: i for i, s in enumerate(self.steps)}

    def know(self, **tables):
        """Fill cached tables (``position``, ``step_of``, ...) with what a patch already holds,
        so they are not made again from the order (replan.py)."""
        self.__dict__.update(tables)

    @functools.cached_property
    def position(self) -> dict:
        """Each box's place in the topological order the plan was compiled in."""
        return {n: i for i, n in enumerate(self._order)}

    @functools.cached_property
    def needed_boxes(self) -> set | None:
        """The boxes the cost and output depend on (None: the graph names neither)."""
        return set(self.owner).difference(self.ignored) if any(r in self.graph for r in self.roots) else None

    @functools.cached_property
    def source_at(self) -> dict[str, Source]:
        """Each source box's ``Source``."""
        return {s.node: s for s in self.sources}

    @property
    def has_loss(self) -> bool:
        return self.loss_slot is not None

    @functools.cached_property
    def loss_path_boxes(self) -> frozenset[str]:
        """The boxes backprop runs through (``Step.on_loss_path``)."""
        return frozenset(s.node for s in self.steps if s.on_loss_path)

    # --- running ---------------------------------------------------------------------
    def run(self, data: dict | None = None, params=None, backward: bool = True,
            grads: str = "all", fast: bool = True) -> Evaluation:
        """Forward over every sample at once, then (if the graph names a loss) backward.

        ``grads="all"``: dJ/dv for every Variable the cost depends on. ``grads="params"``:
        only what a training step needs — dJ/dv for the Variables on a path from a
        parameter to the cost (``param_dependent``), None for the others (data columns,
        constants and what they alone feed). Values and parameter gradients are the same
        bit for bit either way. ``fast=False`` skips the fast path: for one run of a large
        plan, generating and compiling its kernel costs more than the loop (the same numbers).

        Two executors, one interface (evaluation.Executor): the compiled kernel answers None
        whenever anything is unusual, and the reference loop then runs and raises the exact error."""
        if grads not in ("all", "params"):
            raise ValueError(f"grads must be 'all' or 'params', not {grads!r}")
        if data is not self._labels_checked:  # a full-batch run passes the same table every step
            labels.check(self.graph, data, self.label_feeds)
            self._labels_checked = data
        if fast and fastpath.ENABLED:
            ev = self.fast_path().run(data, params, backward, grads)  # same numbers (fastpath.py)
            if ev is not None:
                return ev
        return self.reference.run(data, params, backward, grads)

    def fast_path(self, make: bool = True) -> fastpath.FastPlan | None:
        """The compiled-kernel executor of this plan (kernels cached inside, per shape); with
        ``make=False``, None until a run has made it."""
        if self._fast is None and make:
            self._fast = fastpath.FastPlan(self)
        return self._fast

    # the reference loop's parts, run one by one by incremental.rerun and the boundary's grid
    def feed(self, data: dict | None, params=None) -> tuple[list, int | None]:
        """Initial slot values (ReferenceLoop.feed): data columns by the feed rule, parameters, constants."""
        return self.reference.feed(data, params)

    def forward_step(self, step: Step, values: list):
        """One box of the reference loop: its outputs into ``values``, or the exact error naming it."""
        self.reference.forward_step(step, values)

    def backpropagate(self, values: list, wanted: list[bool] | None = None) -> list:
        """The reference loop's backward (ReferenceLoop.backpropagate)."""
        return self.reference.backpropagate(values, wanted)

    def key_name(self, key: str) -> str:
        """A Variable for a message: its box's name, and ``:k`` for output k of a multi-output box."""
        node, out = VariableRef.parse(key)
        return self.graph.box_name(node) + ("" if out is None else f":{out}")

    def predict(self, ev: "Evaluation", threshold: float | None = None) -> np.ndarray | None:
        """Class predictions from the graph's output: argmax over a softmax, else a threshold."""
        if not self.output_slots:
            return None
        if len(self.output_slots) > 1:
            probs = np.stack(np.broadcast_arrays(*[ev.values[s] for s in self.output_slots]))
            return probs.argmax(axis=0).astype(float)
        t = self.graph.meta.get("threshold", 0.5) if threshold is None else threshold
        return (ev.values[self.output_slots[0]] > t).astype(float)


def ignored_boxes(graph: Graph, order: list[str] | None = None) -> set[str]:
    """The boxes the evaluation leaves out: those neither the cost J (``loss``) nor the
    ``output`` depends on, when the graph names either; none when it names neither.

    The one place this rule lives: the plan, the trainer, the exports, the CLI and the
    window (which greys these boxes: "not connected to J — ignored") all follow it."""
    roots = [r for r in root_boxes(graph) if r in graph]
    if not roots:
        return set()
    # Asked by the plan, the plots' axes and the canvas after each edit: kept while the
    # structure and the roots stay (a loader resets graph.version to 0: the counts too).
    kept = _IGNORED.get(graph)
    if kept is not None and kept[0] == _stamp(graph, roots):
        return set(kept[1])
    needed = _needed(graph, roots)
    ignored = _grown(graph, roots, kept, needed)
    if ignored is None:
        ignored = set() if len(needed) == len(graph) else {n for n in graph.nodes() if n not in needed}
    remember_ignored(graph, roots, ignored)
    return ignored


def _grown(graph: Graph, roots: list[str], kept, needed) -> set[str] | None:
    """The kept answer and the boxes added since, when only boxes were added at the end (no
    arrow changed: J needs what it needed, a new box is unwired hence ignored); None otherwise
    (a box put back in the middle leaves an old box among the last ones: read them all)."""
    if kept is None or kept[2] != graph.wiring_version or kept[0][3] != tuple(roots):
        return None
    added = len(graph) - kept[0][1]
    if not 0 < added <= 64:
        return None
    new = graph.nodes()[-added:]
    if any(n in kept[1] or n in needed for n in new):
        return None
    return set(kept[1]).union(new)


def _needed(graph: Graph, roots: list[str]) -> frozenset:
    """The roots and every box upstream of them: kept while no arrow changes (a box dropped on
    the canvas comes unwired, so adding one leaves it as it was: no walk over 10,000 boxes)."""
    key = (graph.wiring_version, tuple(roots))
    kept = _NEEDED.get(graph)
    if kept is not None and kept[0] == key:
        return kept[1]
    needed = frozenset(graph.upstream_of(roots).union(roots))
    _NEEDED[graph] = (key, needed)
    return needed


def root_boxes(graph: Graph) -> list[str]:
    """The boxes the graph names as its cost J and its output (present or not)."""
    return [VariableRef.box_of(ref) for ref in (graph.meta.get("loss"), graph.meta.get("output"))
            if isinstance(ref, str) and ref]


def _stamp(graph: Graph, roots: list[str]) -> tuple:
    return graph.version, len(graph), len(graph.edges()), tuple(roots)


def remember_ignored(graph: Graph, roots: list[str], ignored: set[str]):
    """What ``ignored_boxes`` answers until the structure changes (a patched plan tells it, replan.py)."""
    roots = [r for r in roots if r in graph]
    if roots:
        _IGNORED[graph] = (_stamp(graph, roots), frozenset(ignored), graph.wiring_version)


# Per graph, kept here rather than on the Graph (which owns none of it); a graph closed frees it.
_IGNORED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # graph -> (stamp, ignored boxes, wiring)
_NEEDED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # graph -> ((wiring, roots), needed boxes)


def compile_graph(graph: Graph, partial: bool = False) -> Plan:
    """The graph's plan, reused until its structure changes."""
    # Kept on the graph itself: a plan refers to its graph, so a table beside the graph would
    # keep every graph alive (a WeakKeyDictionary's values are strong) — and with it the names
    # of the learner's Functions it holds (learner.hold).
    cache = graph.attached.setdefault("plans", {})
    plan = cache.get(partial)
    if plan is None or plan.version != graph.version:
        plan = cache[partial] = Plan(graph, partial)
    return plan


def evaluate(graph: Graph, data: dict | None = None, params=None, backward: bool = True) -> Evaluation:
    """Compile (or reuse) the plan and run it once."""
    return compile_graph(graph).run(data, params, backward)


# --- the step-through trace ------------------------------------------------------------
@dataclass
class Contribution:
    """One term of a Variable's gradient: what came back from ``node``'s input ``port``."""

    node: str
    port: int
    value: np.ndarray


@dataclass
class StepEvent:
    """One step of the step-through: a box computing forward, or passing gradients backward."""

    phase: str  # "forward" or "backward"
    node: str
    op: str
    inputs: list = field(default_factory=list)  # value at each input port
    input_keys: list = field(default_factory=list)  # the Variable wired into each port
    output: list = field(default_factory=list)  # value at each output port
    output_keys: list = field(default_factory=list)
    local: object = None  # per port (list) or Jacobian (list of lists) for softmax
    upstream: list = field(default_factory=list)  # dJ/d(output) per output port
    downstream: list = field(default_factory=list)  # per input port: local × upstream
    # For each output Variable, the terms that summed into its gradient (fan-out).
    contributions: dict = field(default_factory=dict)
    is_seed: bool = False  # the first backward step at the cost: dJ/dJ = 1


def trace(ev: Evaluation) -> list[StepEvent]:
    """The run as step events: every box forward in topological order, then backward
    from the cost to the sources in reverse order (only boxes the cost depends on)."""
    events = _forward_events(ev)
    if ev.grads is not None:
        events += _backward_events(ev)
    return events


def _forward_events(ev: Evaluation) -> list[StepEvent]:
    plan = ev.plan
    events: list[StepEvent] = []
    step_of = {s.node: s for s in plan.steps}
    left_out = set(plan.incomplete).union(plan.ignored)
    for node in plan.graph.topological_order():
        if node in step_of:
            s = step_of[node]
            events.append(StepEvent("forward", node, s.op, [ev.values[i] for i in s.ins],
                                    [plan.keys[i] for i in s.ins], [ev.values[o] for o in s.outs],
                                    [plan.keys[o] for o in s.outs]))
        elif node not in left_out:
            slot = plan.slot_of[node]
            events.append(StepEvent("forward", node, plan.graph.op(node), [], [], [ev.values[slot]], [node]))
    return events


def _backward_events(ev: Evaluation) -> list[StepEvent]:
    """The reference loop's backward walk (reference_loop.backward_sweep) over the finished
    gradients, each step shown with the terms that came back to its outputs."""
    plan = ev.plan
    events: list[StepEvent] = []
    contributions: dict[str, list[Contribution]] = {}
    with np.errstate(all="ignore"):
        for s, xs, outs, upstream, local, down in backward_sweep(plan, ev.values, ev.grads):
            down = [reduce_to(d, ev.values[i]) for d, i in zip(down, s.ins)]
            if not s.fn.jacobian:
                local = [np.broadcast_to(loc, np.broadcast_shapes(np.shape(loc), np.shape(outs[0]))) * 1.0
                         for loc in local]
            out_keys = [plan.keys[o] for o in s.outs]
            events.append(StepEvent("backward", s.node, s.op, xs, [plan.keys[i] for i in s.ins], outs, out_keys,
                                    local, upstream, down,
                                    {k: list(contributions.get(k, [])) for k in out_keys},
                                    is_seed=plan.loss_slot in s.outs))
            for port, (i, d) in enumerate(zip(s.ins, down)):
                contributions.setdefault(plan.keys[i], []).append(Contribution(s.node, port, d))
    # Sources receive their gradients last: one step each, showing the sum that arrived.
    for src in plan.sources:
        if ev.grads[src.slot] is None:
            continue
        key = plan.keys[src.slot]
        events.append(StepEvent("backward", src.node, src.op, [], [], [ev.values[src.slot]], [key], None,
                                [ev.grads[src.slot]], [], {key: list(contributions.get(key, []))}))
    return events
