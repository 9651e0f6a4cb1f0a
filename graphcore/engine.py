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
from dataclasses import dataclass, field

import numpy as np

from . import fastpath
from . import functions as F
from . import labels
from .errors import (DataError, DomainError, MissingDataError, NonFiniteError,
                     UnwiredPortError)
from .graph import Graph
from .variable_ref import VariableRef


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


@dataclass
class Source:
    node: str
    op: str
    slot: int
    column: str | None
    value: float | None


class Plan:
    """A Graph compiled for evaluation. Built by ``compile_graph``; read-only afterwards."""

    def __init__(self, graph: Graph, partial: bool = False):
        self.graph = graph
        self.version = graph.version
        self.keys: list[str] = []  # Variable key per slot
        self.owner: list[str] = []  # box per slot
        self.slot_of: dict[str, int] = {}
        self.sources: list[Source] = []
        self.steps: list[Step] = []
        self.incomplete: list[str] = []  # boxes left out because a port upstream is unwired
        self.ignored: list[str] = []  # boxes neither J nor the output depends on: not evaluated
        self.unwired: dict[str, list[int]] = {}  # box -> its own unwired input ports
        # The fast path runs dense layers as matrices (fusion.py); False (or GRAPHCORE_FUSE=0) runs
        # every box on its own, bit for bit the reference loop's numbers.
        self.fuse = os.environ.get("GRAPHCORE_FUSE", "1") != "0"
        # The cyclic garbage collector is paused meanwhile (as when fastpath builds a kernel):
        # the many small objects made here would set it off again and again over a large heap.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            self._compile(partial)
        finally:
            if was_enabled:
                gc.enable()

    # --- compiling -------------------------------------------------------------------
    def _compile(self, partial: bool):
        g = self.graph
        order = g.topological_order()
        # each box's op, Function, attrs and Variable keys, looked up once (attrs are resolved
        # against the catalogue on every Graph.attrs call)
        info: dict[str, tuple] = {}
        for node in order:
            op = g.op(node)
            fn = F.get(op)
            attrs = g.attrs(node)
            n_out = fn.n_outputs(attrs)
            keys = VariableRef.keys_of(node, n_out)
            info[node] = (op, fn, attrs, keys)
            for key in keys:
                self.slot_of[key] = len(self.keys)
                self.keys.append(key)
                self.owner.append(node)
        self._info = info
        ignored = ignored_boxes(g, order)
        self.ignored = [n for n in order if n in ignored]
        skipped: set[str] = set(ignored)
        into = g.edge_into
        for node in order:
            op, fn, attrs, keys = info[node]
            if node in ignored:
                if op not in F.SOURCE_OPS:  # its unwired ports are still outlined on the canvas
                    missing = [p for p, e in enumerate(g.inputs_of(node)) if e is None]
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
        self.loss_slot = self._ref_slot(g.meta.get("loss"), skipped)
        self.output_slots = self._output_slots(g.meta.get("output"), skipped)
        self.param_ids = [s.node for s in self.sources if s.op == "parameter"]
        self.param_slots = [s.slot for s in self.sources if s.op == "parameter"]
        self._mark_loss_path()
        self.label_feeds = labels.feeds(g)  # loss boxes whose class labels run() checks
        self._labels_checked = None
        del self._info  # only for compiling

    def _key(self, node: str, out: int) -> str:
        info = self.__dict__.get("_info")
        keys = info[node][3] if info and node in info else self.graph.variable_keys(node)
        return VariableRef.of_output(node, out, len(keys)).key

    def _ref_slot(self, ref, skipped) -> int | None:
        if not ref:
            return None
        node, port = self.graph.check_variable_ref(ref)
        if node in skipped:
            return None
        return self.slot_of[self._key(node, port)]

    def _output_slots(self, ref, skipped) -> list[int]:
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

    @property
    def has_loss(self) -> bool:
        return self.loss_slot is not None

    # --- running ---------------------------------------------------------------------
    def feed(self, data: dict | None, params=None) -> tuple[list, int | None]:
        """Initial slot values: data columns, input values, parameters and constants.

        ``params`` overrides source values: a sequence in ``param_ids`` order, or a dict
        by box id (any source box — the derivative check nudges inputs this way too)."""
        values: list = [None] * len(self.keys)
        m = None
        if params is not None and not isinstance(params, dict):
            params = dict(zip(self.param_ids, params))
        for src in self.sources:
            if src.op == "input" and not (params is not None and src.node in params):
                col = src.column or src.node
                if data is not None and col in data:
                    v = np.asarray(data[col], dtype=float)
                    if v.ndim != 1 or (m is not None and len(v) != m):
                        raise DataError(f"input box '{self.graph.box_name(src.node)}': column '{col}' must hold "
                                        "one number per sample "
                                        f"({m if m is not None else 'a list'}), not shape {v.shape}", [src.node])
                    m = len(v)
                    if m == 0:  # the cost is a mean over samples: none would divide by zero
                        raise MissingDataError(f"input box '{self.graph.box_name(src.node)}': the data set has "
                                               "no points", [src.node])
                elif src.value is not None and (data is None or src.column is None):
                    v = np.asarray(src.value, dtype=float)
                elif data is not None:
                    raise MissingDataError(f"input box '{self.graph.box_name(src.node)}': the data set has no "
                                           f"column '{col}' "
                                           f"(it has {', '.join(sorted(data)) or 'none'})", [src.node])
                else:
                    raise MissingDataError(f"input box '{self.graph.box_name(src.node)}' has no data: "
                                           "load a data set or give it a value",
                                           [src.node])
            elif params is not None and src.node in params:
                v = np.asarray(params[src.node], dtype=float)
            else:
                v = np.asarray(self.graph.value(src.node), dtype=float)
            values[src.slot] = v
        return values, m

    def run(self, data: dict | None = None, params=None, backward: bool = True,
            grads: str = "all", fast: bool = True) -> "Evaluation":
        """Forward over every sample at once, then (if the graph names a loss) backward.

        ``grads="all"``: dJ/dv for every Variable the cost depends on. ``grads="params"``:
        only what a training step needs — dJ/dv for the Variables on a path from a
        parameter to the cost (``param_dependent``), None for the others (data columns,
        constants and what they alone feed). Values and parameter gradients are the same
        bit for bit either way. ``fast=False`` skips the fast path: for one run of a large
        plan, generating and compiling its kernel costs more than the loop (the same numbers)."""
        if grads not in ("all", "params"):
            raise ValueError(f"grads must be 'all' or 'params', not {grads!r}")
        if data is not self._labels_checked:  # a full-batch run passes the same table every step
            labels.check(self.graph, data, self.label_feeds)
            self._labels_checked = data
        ev = fastpath.run(self, data, params, backward, grads) if fast else None  # same numbers (fastpath.py)
        if ev is not None:
            return ev
        values, m = self.feed(data, params)  # the reference loop: also gives the exact error
        with np.errstate(all="ignore"):
            self.forward(values)
            ev = Evaluation(self, values, None, None, m)
            if self.loss_slot is not None:
                loss = values[self.loss_slot]
                ev.cost = float(np.mean(loss)) if loss.ndim else float(loss)
                if not np.isfinite(ev.cost):  # every sample finite, but their mean overflowed
                    node = VariableRef.box_of(self.keys[self.loss_slot])
                    raise NonFiniteError(f"forward: the cost J, the mean of box '{self.graph.box_name(node)}' "
                                         f"over {loss.size} samples, "
                                         f"overflowed to {ev.cost}", [node], "forward")
                if backward:
                    ev.grads = self.backpropagate(values, self.param_dependent if grads == "params" else None)
        return ev

    def forward(self, values: list):
        for step in self.steps:
            self.forward_step(step, values)

    def forward_step(self, step: Step, values: list):
        """One box forward: its outputs into ``values``, or the exact error naming it."""
        xs = [values[i] for i in step.ins]
        try:
            outs = F.run_forward(step.fn, xs, step.attrs)
        except DomainError as exc:
            raise DomainError(f"box '{self.graph.box_name(step.node)}' ({step.op}): {exc}", [step.node]) from None
        for slot, out in zip(step.outs, outs):
            if not np.all(np.isfinite(out)):
                raise NonFiniteError(self._nonfinite_message(step, xs, out, "forward"), [step.node], "forward")
            values[slot] = out

    def backpropagate(self, values: list, wanted: list[bool] | None = None) -> list:
        """dJ/dv for every Variable v the cost depends on (None for the others); with
        ``wanted`` (a flag per slot), only for the slots flagged."""
        grads: list = [None] * len(self.keys)
        loss = values[self.loss_slot]
        # The seed: J = mean of a per-sample loss, so dJ/dLᵢ = 1/m; a scalar loss is J itself.
        grads[self.loss_slot] = np.full(loss.shape, 1.0 / loss.size) if loss.ndim else np.asarray(1.0)
        for step in reversed(self.steps):
            if not step.on_loss_path or (wanted is not None and not wanted[step.outs[0]]):
                continue
            upstream = [grads[o] if grads[o] is not None else np.zeros_like(values[o]) for o in step.outs]
            xs = [values[i] for i in step.ins]
            outs = [values[o] for o in step.outs]
            local = F.run_local(step.fn, xs, outs, step.attrs)
            for slot, d in zip(step.ins, F.downstream(step.fn, local, upstream)):
                if wanted is not None and not wanted[slot]:
                    continue
                d = reduce_to(d, values[slot])
                if grads[slot] is not None:  # fan-out: the copy gate sums what comes back
                    d = grads[slot] + d
                if not np.all(np.isfinite(d)):
                    raise NonFiniteError(f"backward: box '{self.graph.box_name(step.node)}' ({step.op}) produced a "
                                         f"non-finite gradient for '{self._key_name(self.keys[slot])}'",
                                         [step.node], "backward")
                grads[slot] = d
        return grads

    def _nonfinite_message(self, step: Step, xs, out, phase: str) -> str:
        bad = np.asarray(out)[~np.isfinite(out)].flat[0]
        where = ""
        if np.ndim(out):
            where = f" at sample {int(np.flatnonzero(~np.isfinite(out))[0])}"
        return f"{phase}: box '{self.graph.box_name(step.node)}' ({step.op}) produced {bad}{where}"

    def _key_name(self, key: str) -> str:
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


def reduce_to(grad, value) -> np.ndarray:
    """Undo broadcasting: the gradient of a scalar used for every sample is their sum."""
    grad = np.asarray(grad, dtype=float)
    if grad.ndim > np.ndim(value):
        return np.asarray(grad.sum())
    if grad.shape != np.shape(value):
        return np.broadcast_to(grad, np.shape(value)).copy()
    return grad


@dataclass
class Evaluation:
    """The result of one run: every Variable's value, and dJ/dv where backprop reached."""

    plan: Plan
    values: list
    grads: list | None
    cost: float | None
    m: int | None

    def value(self, key: str) -> np.ndarray:
        return self.values[self.plan.slot_of[key]]

    def grad(self, key: str) -> np.ndarray | None:
        if self.grads is None:
            return None
        return self.grads[self.plan.slot_of[key]]

    def values_dict(self) -> dict[str, np.ndarray]:
        return {k: v for k, v in zip(self.plan.keys, self.values) if v is not None}

    def grads_dict(self) -> dict[str, np.ndarray]:
        if self.grads is None:
            return {}
        return {k: (g if g is not None else np.zeros_like(v))
                for k, g, v in zip(self.plan.keys, self.grads, self.values) if v is not None}

    @property
    def param_grads(self) -> np.ndarray:
        """dJ/dθ for each parameter, in ``plan.param_ids`` order (0 where J does not depend on it)."""
        fused = self.__dict__.get("_param_grads")  # a fused run made them as one vector (fusion_kernel.py)
        if fused is not None and self.grads is not None:
            return fused.copy()
        g = self.grads or [None] * len(self.values)
        return np.array([float(g[s]) if g[s] is not None else 0.0 for s in self.plan.param_slots])


def ignored_boxes(graph: Graph, order: list[str] | None = None) -> set[str]:
    """The boxes the evaluation leaves out: those neither the cost J (``loss``) nor the
    ``output`` depends on, when the graph names either; none when it names neither.

    The one place this rule lives: the plan, the trainer, the exports, the CLI and the
    window (which greys these boxes: "not connected to J — ignored") all follow it."""
    roots = [VariableRef.box_of(ref) for ref in (graph.meta.get("loss"), graph.meta.get("output"))
             if isinstance(ref, str) and ref]
    roots = [r for r in roots if r in graph]
    if not roots:
        return set()
    # Asked by the plan, the plots' axes and the canvas after each edit: kept while the
    # structure (the graph's cached topological order, a new list after any change) and roots stay.
    stamp = (graph._topo_cache, tuple(roots))
    kept = graph.__dict__.get("_ignored_cache")
    if kept is not None and kept[0][0] is stamp[0] and stamp[0] is not None and kept[0][1] == stamp[1]:
        return set(kept[1])
    needed = graph.upstream_of(roots).union(roots)
    ignored = set() if len(needed) == len(graph) else {n for n in graph.nodes() if n not in needed}
    graph.__dict__["_ignored_cache"] = (stamp, frozenset(ignored))
    return ignored


def compile_graph(graph: Graph, partial: bool = False) -> Plan:
    """The graph's plan, reused until its structure changes."""
    cache = graph.__dict__.setdefault("_plan_cache", {})
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
    if ev.grads is None:
        return events
    contributions: dict[str, list[Contribution]] = {}
    with np.errstate(all="ignore"):
        for s in reversed(plan.steps):
            if not s.on_loss_path:
                continue
            xs = [ev.values[i] for i in s.ins]
            outs = [ev.values[o] for o in s.outs]
            upstream = [ev.grads[o] if ev.grads[o] is not None else np.zeros_like(ev.values[o]) for o in s.outs]
            local = F.run_local(s.fn, xs, outs, s.attrs)
            down = [reduce_to(d, ev.values[i]) for d, i in zip(F.downstream(s.fn, local, upstream), s.ins)]
            if not s.fn.jacobian:
                local = [np.broadcast_to(loc, np.broadcast_shapes(np.shape(loc), np.shape(o))) * 1.0
                         for loc, o in zip(local, [outs[0]] * len(local))]
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
