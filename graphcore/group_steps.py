"""Step-through at group level: each top-level group is one forward step and one backward step.

The box-level step-through (``stepthrough``) walks every box. Here the units are the
top-level groups and the boxes in no group. A group's forward step shows its input
ports a₁…aₙ and its output vector b₁…bₖ; its backward step shows the upstream dJ/db
(what came back from outside the group, and the seed at the cost — an output also read
inside already counts through the Jacobian),
its local Jacobian ∂b/∂a as a matrix with numbers (``jacobian``) and, per input,
downstream = Jᵀ · upstream worked out: dJ/daⱼ = Σᵢ ∂bᵢ/∂aⱼ × dJ/dbᵢ. A box in no group
is stepped exactly as at box level (``stepthrough.present_step``), except that gradient
contributions that came back from inside a group are summed and named by that group.

Stepping *inside* a group (``inside``, the learner's drill-in): that group and the groups
around it are opened — their child groups become the units, their own boxes step one by
one, in place (forward among the forward steps, backward among the backward ones), and
the steps go on at group level after them.

Order: forward in the topological order of the units (each group taken as one node;
should grouping ever make that order cyclic, by each unit's first box), backward in
the reverse order from the cost, then the sources receiving their gradients, as at box
level. Numbers are for one sample or batch means, as in ``stepthrough``; the Jacobian
shown for a batch is its mean over the samples, while downstream is worked out per
sample (J at sample s times the upstream at sample s) — so it equals the engine's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from .engine import Evaluation, compile_graph, reduce_to, trace
from .errors import DataError
from .graph import Graph
from .groups import GroupError, groups_of
from .jacobian import group_jacobian
from .numbers import format_number
from . import stepthrough as box_level
from .stepthrough import (ChainRuleStep, Shown, StepSequence, Term, json_number, present_step, display_name,
                          sample_data)


@dataclass
class GroupStep:
    """One step of a collapsed group: forward (its output vector) or backward (its Jacobian)."""

    index: int
    total: int
    phase: str
    group: str
    members: int  # boxes inside
    inputs: list = field(default_factory=list)  # (port name, key, name, Shown value)
    outputs: list = field(default_factory=list)  # (port name, key, name, Shown value)
    upstream: list = field(default_factory=list)  # per output: Shown dJ/db
    jacobian: list = field(default_factory=list)  # rows outputs, columns inputs: floats (mean over samples)
    downstream: list = field(default_factory=list)  # per input: (Shown dJ/da, worked-out text)

    @property
    def node(self) -> str:
        return self.group

    def title(self) -> str:
        return (f"Step {self.index + 1} of {self.total} · {self.phase} · group {self.group} "
                f"({len(self.outputs)} output{'s' if len(self.outputs) != 1 else ''} from {len(self.inputs)} "
                f"input{'s' if len(self.inputs) != 1 else ''}, {self.members} boxes inside)")

    def lines(self, reveal: bool = True) -> list[str]:
        out = [self.title()]
        ins = ", ".join(f"{p} = {n} = {v.text}" for p, _, n, v in self.inputs) or "none"
        if self.phase == "forward":
            out.append(f"  inputs:    {ins}")
            out += [f"  output:    {p} = {n} = {v.text}" for p, _, n, v in self.outputs]
            return out
        for (p, _, n, _), up in zip(self.outputs, self.upstream):
            out.append(f"  upstream:  dJ/d{p} = dJ/d{n} = {up.text}")
        out.append("  local:     Jacobian ∂bᵢ/∂aⱼ (rows: outputs b, columns: inputs a)"
                   + (", mean over the samples:" if self.upstream and not self.upstream[0].single else ":"))
        out += ["  " + row for row in self.matrix_rows()]
        for (p, _, n, _), (_, worked) in zip(self.inputs, self.downstream):
            out.append(f"  input {n} ({p}):  downstream dJ/d{n} = Σᵢ ∂bᵢ/∂{p} × dJ/dbᵢ = "
                       + (worked if reveal else "?"))
        return out

    def matrix_rows(self) -> list[str]:
        cols = [p for p, *_ in self.inputs]
        rows = [p for p, *_ in self.outputs]
        cells = [[format_number(v, 4) for v in row] for row in self.jacobian]
        w = max([len(c) for c in cols] + [len(c) for r in cells for c in r] + [6])
        lw = max([len(r) for r in rows] + [1])
        out = [" " * (lw + 2) + "  ".join(f"{c:>{w}}" for c in cols)]
        out += [f"{name:<{lw}}  " + "  ".join(f"{c:>{w}}" for c in row) for name, row in zip(rows, cells)]
        return out

    def text(self, reveal: bool = True) -> str:
        return "\n".join(self.lines(reveal))


@dataclass
class GroupSequence:
    steps: list  # GroupStep or ChainRuleStep
    sample: int | None
    m: int | None
    cost: float | None
    graph_name: str = ""
    inside: str | None = None  # the group stepped inside (box by box), if any

    def __len__(self) -> int:
        return len(self.steps)


def build(graph: Graph, data: dict | None = None, sample: int | None = None,
          inside: str | None = None) -> GroupSequence:
    """Evaluate once (one sample, or the batch) and lay out the group-level steps;
    ``inside``: the group stepped inside (``opened``)."""
    if sample is not None:
        if data is None:
            raise DataError("the graph has no data set, so there are no samples to choose from: "
                            "its input boxes' values are used")
        data = sample_data(data, sample)
    opened(graph, inside)  # an unknown group is refused before the evaluation
    return from_evaluation(compile_graph(graph).run(data), sample, inside)


def opened(graph: Graph, inside: str | None) -> list[str]:
    """The groups opened to step inside ``inside``: it and the groups around it, outermost first."""
    groups = groups_of(graph)
    if inside is None:
        return []
    if inside not in groups:
        raise GroupError(f"there is no group '{inside}' to step inside")
    path, g = [], inside
    while g is not None:
        path.insert(0, g)
        g = groups.parent(g)
    return path


def units(graph: Graph, inside: str | None = None) -> tuple[list[str], dict[str, str]]:
    """The groups stepped as one unit, and box → its unit group (a box in none steps alone).

    Without ``inside``: the top-level groups. Inside a group, the groups opened on the way
    to it step box by box: their child groups are units, their own boxes step alone."""
    groups, open_ = groups_of(graph), set(opened(graph, inside))
    out: list[str] = []

    def visit(container):
        for child in groups.children(container):
            if child in open_:
                visit(child)
            else:
                out.append(child)
    visit(None)
    return out, {box: g for g in out for box in groups.members(g)}


def from_evaluation(ev: Evaluation, sample: int | None = None, inside: str | None = None) -> GroupSequence:
    graph, plan = ev.plan.graph, ev.plan
    groups = groups_of(graph)
    top, unit_of = units(graph, inside)
    left_out = set(plan.incomplete).union(plan.ignored)  # not evaluated: no step, as at box level
    top = [g for g in top if not left_out.issuperset(groups.members(g))]
    m = 1 if sample is not None else ev.m
    events = trace(ev)
    box_events = {(e.phase, e.node): e for e in events if e.node not in unit_of}
    order = _unit_order(graph, top, unit_of)
    sources = {s.node for s in plan.sources}
    forward, backward, receive = [], [], []
    for unit in order:
        if unit in top:
            jac = group_jacobian(ev, unit)
            forward.append(("group", unit, jac))
            if any(ev.grads is not None and ev.grads[plan.slot_of[p.variable]] is not None
                   for p in jac.ports.outputs):
                backward.append(("group", unit, jac))
        else:
            if ("forward", unit) in box_events:
                forward.append(("box", unit, box_events["forward", unit]))
            if ("backward", unit) in box_events:
                (receive if unit in sources else backward).append(("box", unit, box_events["backward", unit]))
    receive.sort(key=lambda item: [s.node for s in plan.sources].index(item[1]))  # as at box level
    items = forward + backward[::-1] + receive
    # what came back into each Variable, by consumer (the engine's fan-out terms)
    came_back = {k: terms for e in events if e.phase == "backward" for k, terms in e.contributions.items()}
    steps = []
    for i, (kind, unit, payload) in enumerate(items):
        phase = "forward" if i < len(forward) else "backward"
        if kind == "group":
            steps.append(_group_step(ev, unit, payload, phase, i, len(items), groups.members(unit), came_back))
        else:
            step = present_step(graph, payload, i, len(items), m)
            step.contributions = _merged_contributions(graph, payload, unit_of)
            steps.append(step)
    return GroupSequence(steps, sample, m, ev.cost, graph.meta.get("name", ""), inside)


def _unit_order(graph: Graph, top: list[str], unit_of: dict) -> list[str]:
    """Units (top-level groups, boxes in no group) in topological order of the contracted graph."""
    order = graph.topological_order()
    first = {}
    for i, box in enumerate(order):
        first.setdefault(unit_of.get(box, box), i)
    contracted = nx.DiGraph()
    contracted.add_nodes_from(first)
    for e in graph.edges():
        a, b = unit_of.get(e.src, e.src), unit_of.get(e.dst, e.dst)
        if a != b:
            contracted.add_edge(a, b)
    try:
        return list(nx.lexicographical_topological_sort(contracted, key=first.__getitem__))
    except nx.NetworkXUnfeasible:
        return sorted(first, key=first.__getitem__)


def _group_step(ev: Evaluation, name: str, jac, phase: str, index: int, total: int, members: list[str],
                came_back: dict) -> GroupStep:
    graph, plan = ev.plan.graph, ev.plan
    ports = jac.ports
    step = GroupStep(index, total, phase, name, len(members))
    step.inputs = [(p.name, p.variable, display_name(graph, p.variable), Shown.of(ev.value(p.variable)))
                   for p in ports.inputs]
    step.outputs = [(p.name, p.variable, display_name(graph, p.variable), Shown.of(ev.value(p.variable)))
                    for p in ports.outputs]
    if phase == "forward":
        return step
    step.jacobian = jac.mean.tolist()
    inside = set(members)
    ups = []
    for p in ports.outputs:  # upstream: only what came back from outside (inner paths are in J)
        value = ev.value(p.variable)
        up = np.zeros(np.shape(value))
        if plan.loss_slot == plan.slot_of[p.variable]:  # the seed, as the engine sets it
            up = up + (np.full(np.shape(value), 1.0 / np.size(value)) if np.ndim(value) else 1.0)
        for c in came_back.get(p.variable, []):
            if c.node not in inside:
                up = up + c.value
        ups.append(up)
    step.upstream = [Shown.of(u) for u in ups]
    m = jac.per_sample.shape[0]
    up = np.stack([np.broadcast_to(np.asarray(u, dtype=float), (m,)) for u in ups], -1) if ups \
        else np.zeros((m, 0))
    down = np.einsum("sij,si->sj", jac.per_sample, up)  # Jᵀ · upstream at every sample
    for j, p in enumerate(ports.inputs):
        d = reduce_to(down[:, j] if np.ndim(ev.value(p.variable)) or m > 1 else down[0, j], ev.value(p.variable))
        d_shown = Shown.of(d)
        step.downstream.append((d_shown, _worked(jac.per_sample[:, :, j], up, d_shown)))
    return step


def _worked(column: np.ndarray, up: np.ndarray, d: Shown) -> str:
    """Σᵢ ∂bᵢ/∂aⱼ × dJ/dbᵢ with the numbers when there is one sample, else how it was made."""
    if column.shape[0] == 1:
        terms = [f"{_factor(c)} × {_factor(u)}" for c, u in zip(column[0], up[0])]
        return (" + ".join(terms) or "0") + f" = {d.text}"
    if d.single:  # one Variable for every sample: its gradient sums theirs
        return f"Σ over the {column.shape[0]} samples of (Jᵀ · upstream)ₛ = {d.text}"
    return f"per sample (Jᵀ · upstream)ₛ → {d.text}"


def _factor(x: float) -> str:
    t = format_number(x)
    return f"({t})" if t.startswith("-") else t


def _merged_contributions(graph: Graph, event, unit_of: dict) -> dict:
    """A box's fan-out terms, those from inside one top-level group summed under its name."""
    merged = {}
    for key, terms in event.contributions.items():
        out, seen = [], {}
        for c in terms:
            group = unit_of.get(c.node)
            if group is None:
                out.append(Term(c.node, display_name(graph, c.node), c.port, Shown.of(c.value)))
            elif group in seen:
                seen[group][1] = seen[group][1] + np.asarray(c.value, dtype=float)
            else:
                seen[group] = [len(out), np.asarray(c.value, dtype=float)]
                out.append(None)
        for group, (at, value) in seen.items():
            out[at] = Term(group, group, 0, Shown.of(value))
        merged[key] = out
    return merged


# --- transcript and JSON -------------------------------------------------------------------------
def transcript(seq: GroupSequence) -> str:
    if seq.sample is not None:
        numbers = f"numbers for sample {seq.sample} alone (m = 1, so J = L)"
    elif seq.m:
        numbers = f"numbers for the whole batch of m = {seq.m}: means over the samples"
    else:
        numbers = "numbers from the input boxes' values"
    where = f", inside group {seq.inside} box by box" if seq.inside else ""
    lines = [f"Step-through of {seq.graph_name or 'the graph'} at group level{where} — {numbers}", ""]
    for i, step in enumerate(seq.steps):
        if i == 0:
            lines += ["— forward: every group and every box outside a group, in topological order —", ""]
        elif step.phase == "backward" and seq.steps[i - 1].phase == "forward":
            lines += ["— backward: from the cost J back, downstream = Jᵀ · upstream for a group, "
                      "local × upstream for a box —", ""]
        lines += step.lines()
        lines.append("")
    lines.append(f"cost J = {format_number(seq.cost)}" if seq.cost is not None
                 else "the graph names no loss, so there is no backward pass")
    return "\n".join(lines)


def steps_json(seq: GroupSequence) -> dict:
    """Like SPEC §6's steps JSON; a group's step has "group" (its name) instead of "node"."""
    out = []
    for st in seq.steps:
        if isinstance(st, ChainRuleStep):
            out.append(_box_json(st, seq))
            continue
        d = {"phase": st.phase, "group": st.group, "label": st.group,
             "inputs": [{"name": p, "variable": k, "label": n, "value": json_number(v)} for p, k, n, v in st.inputs],
             "outputs": [{"name": p, "variable": k, "label": n, "value": json_number(v)} for p, k, n, v in st.outputs]}
        if st.phase == "backward":
            d["upstream"] = [json_number(u) for u in st.upstream]
            d["jacobian"] = st.jacobian
            d["downstream"] = {p: json_number(dn) for (p, *_), (dn, _) in zip(st.inputs, st.downstream)}
        out.append(d)
    cost = seq.cost if seq.cost is not None and np.isfinite(seq.cost) else None
    doc = {"sample": seq.sample, "m": seq.m, "cost": cost, "level": "group", "steps": out}
    if seq.inside is not None:
        doc["inside"] = seq.inside
    return doc


def _box_json(step: ChainRuleStep, seq: GroupSequence) -> dict:
    """A box outside every group: its step as the box-level JSON gives it."""
    return box_level.steps_json(StepSequence([step], [], seq.sample, seq.m, seq.cost))["steps"][0]
