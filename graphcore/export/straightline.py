"""Straight-line numpy code for a graph's forward and backward pass (no Qt, no torch).

``emit_forward_backward(plan, names, columns)`` writes two functions:

    def forward(params, data):   # -> (J, {Variable key: value})
    def backward(values):        # -> {Variable key: dJ/dv}

``forward`` has one line per box in topological order. ``backward`` has one line per
gradient that flows, written the way the course writes the chain rule: each downstream
gradient is ``local × upstream``; a Variable that fans out gets one ``d_x_from_<box>``
line per use and a visible sum (the copy gate); a scalar used for every sample gets the
sum over the samples (broadcasting). Every line ends in ``# [node-id]``.

The numbers are those of ``graphcore.engine`` bit for bit: each local derivative is the
catalogue's own expression, multiplied by the upstream in the same order, and fan-out
sums add the contributions in the engine's order. ``PRELUDE`` holds the few helpers the
code calls (``sigmoid``, ``softmax``, ``cross_entropy``, ``check_finite``); run both with
``exec`` in one namespace (``compile_functions`` does) or paste both into a script.

Labels reach the code only as identifiers from ``naming.Namer`` and as ``comment_text``;
box ids, columns and keys only as ``repr()`` literals.
"""
from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass, field

import numpy as np

from .. import feed_rule, formula
from .. import functions as F
from ..engine import Plan, compile_graph
from ..errors import MissingDataError
from ..variable_ref import VariableRef
from .naming import Namer, comment_text, module_names

# The catalogue's own helpers, copied by source so the script computes what the app does;
# then the ones only the script needs.
PRELUDE = "\n\n".join(inspect.getsource(f) for f in (F.sigmoid, F.ln_clamped, F.ln1m_clamped)) + '''

def softmax(*zs):
    """sᵢ = e^zᵢ / Σⱼ e^zⱼ over the k inputs, per sample (shifted by the max: no overflow)."""
    z = np.stack(np.broadcast_arrays(*zs))
    e = np.exp(z - z.max(axis=0))
    return list(e / e.sum(axis=0))


def class_index(y, k):
    """The class index y as whole numbers 0..k-1 (anything else is an error, as in the app)."""
    y = np.asarray(y)
    if np.any((y != np.round(y)) | (y < 0) | (y > k - 1) | ~np.isfinite(y)):
        raise ValueError(f"cross_entropy: the class y must be a whole number 0..{k - 1}")
    return y.astype(np.int64)


def cross_entropy(zs, y):
    """−ln softmax(z)_y, computed as logsumexp(z) − z_y (logits and y broadcast together)."""
    *zs, y = np.broadcast_arrays(*zs, y)
    z = np.stack(zs)
    yi = class_index(y, len(zs))
    zmax = z.max(axis=0)
    lse = zmax + np.log(np.exp(z - zmax).sum(axis=0))
    return lse - np.take_along_axis(z, yi[None, ...], axis=0)[0]


def check_finite(phase, pairs):
    """A nan or inf is an error that names the box that produced it first."""
    for box, value in pairs:
        if not np.all(np.isfinite(value)):
            raise FloatingPointError(f"{phase}: box {box!r} produced a non-finite value")
'''

# Names the emitted code itself uses: the helpers above and the two functions' arguments.
RESERVED = frozenset(module_names(PRELUDE) | {"forward", "backward", "params", "data", "values"})

@dataclass
class Names:
    """Identifiers chosen for one graph: a value name per Variable key, gradient names,
    and a namer that still hands out fresh names (temporaries, contributions)."""

    namer: Namer
    value: dict[str, str] = field(default_factory=dict)
    grad: dict[str, str] = field(default_factory=dict)
    cost: str = "J"

    def grad_of(self, key: str) -> str:
        if key not in self.grad:
            self.grad[key] = self.namer.take("d_" + self.value[key])
        return self.grad[key]


def assign_names(plan: Plan, reserved=()) -> Names:
    """Readable, unique names from labels, in topological order (so deterministic)."""
    g = plan.graph
    names = Names(Namer(set(reserved) | RESERVED))
    for key, node in zip(plan.keys, plan.owner):
        label = g.label(node)
        if key != node:  # output k of a multi-output box
            k = VariableRef.parse(key).out
            names.value[key] = names.namer.take(f"{label}_{k}", f"{node}_{k}", f"{g.op(node)}_{k}")
        else:
            names.value[key] = names.namer.take(label, node, g.op(node))
    names.cost = names.namer.take("J")
    return names


def input_reads(plan: Plan, columns) -> dict[str, str | None]:
    """For each input box: the data column it reads, or None when it uses its value
    (the plan's feed rule, feed_rule.input_feed)."""
    out = {}
    for src in plan.sources:
        if src.op != "input":
            continue
        how, col = src.feed(columns)
        if how == feed_rule.COLUMN:
            out[src.node] = col
        elif how == feed_rule.VALUE:
            out[src.node] = None
        elif how == feed_rule.MISSING:
            raise MissingDataError(f"input box '{plan.graph.box_name(src.node)}': the data set has no column "
                                   f"'{col}'", [src.node])
        else:  # the engine's wording: there is no data set at all
            raise MissingDataError(f"input box '{plan.graph.box_name(src.node)}' has no data: load a data set "
                                   "or give it a value", [src.node])
    return out


def infer_ndims(plan: Plan, reads: dict) -> dict[str, int]:
    """0 for a scalar Variable, 1 for one value per sample (known before running)."""
    nd: dict[str, int] = {}
    for src in plan.sources:
        nd[plan.keys[src.slot]] = 1 if src.op == "input" and reads.get(src.node) else 0
    for step in plan.steps:
        n = 0 if step.fn.reduces else max((nd[plan.keys[i]] for i in step.ins), default=0)
        for o in step.outs:
            nd[plan.keys[o]] = n
    return nd


def code_tag(node: str, text: str = "") -> str:
    tag = f"  # [{comment_text(node)}]"
    return tag + (" " + comment_text(text, 70) if text else "")


def k_port_call(op: str, xs: list[str], attrs: dict) -> str | None:
    """softmax and cross_entropy (k ports, hand-written kernels) call the helper of that name
    each export's prelude defines; None for every other Function."""
    if op == "softmax":
        return f"softmax({', '.join(xs)})"
    if op == "cross_entropy":
        k = int(attrs["k"])
        return f"cross_entropy([{', '.join(xs[:k])}], {xs[k]})"
    return None


def forward_expr(op: str, xs: list[str], attrs: dict) -> str:
    """The catalogue's forward for one box, as numpy code on the input names ``xs``."""
    special = k_port_call(op, xs, attrs)
    if special:
        return special
    fn = F.get(op)
    return formula.code(fn.tree.forward, dict(zip(fn.ports, xs)), attrs, "export")


def downstream_exprs(op: str, xs: list[str], out: str, up: str, attrs: dict) -> list[str]:
    """Each input port's ``local × upstream`` as numpy code (the catalogue's local derivative)."""
    fn = F.get(op)
    names = dict(zip(fn.ports, xs)) | {formula.OUT: out}
    return [formula.code(ast.BinOp(loc, ast.Mult(), ast.Name(up, ast.Load())), names, attrs, "export")
            for loc in fn.tree.local]


def gate_text(fn: F.Function) -> str:
    """The comment over a box's backward lines: the lecture's gate, or local × upstream."""
    return fn.gate or f"{fn.name}: local derivative × upstream ({fn.derivative})"


def emit_forward(plan: Plan, names: Names, reads: dict, check: bool = True) -> list[str]:
    """``def forward(params, data)``: sources, then every box in topological order."""
    g, v = plan.graph, names.value
    lines = ["def forward(params, data):",
             '    """Every Variable from the parameters and the data, box by box in topological order."""']
    for src in plan.sources:
        n = v[plan.keys[src.slot]]
        what = f"{src.op} {g.label(src.node)!r}" if g.label(src.node) != src.node else src.op
        if src.op == "parameter":
            code = f"np.asarray(params[{src.node!r}], dtype=float)"
        elif src.op == "input" and reads.get(src.node):
            code = f"np.asarray(data[{reads[src.node]!r}], dtype=float)"
            what += f", data column {reads[src.node]!r}"
        else:
            code = f"np.asarray({float(src.value)!r}, dtype=float)"
        lines.append(f"    {n} = {code}" + code_tag(src.node, what))
    for step in plan.steps:
        xs = [v[plan.keys[i]] for i in step.ins]
        outs = [v[plan.keys[o]] for o in step.outs]
        expr = forward_expr(step.op, xs, step.attrs)
        what = step.op + (f" {g.label(step.node)!r}" if g.label(step.node) != step.node else "")
        lines.append(f"    {', '.join(outs)} = {expr}" + code_tag(step.node, what))
    if plan.loss_slot is not None:
        loss_key = plan.keys[plan.loss_slot]
        owner = plan.owner[plan.loss_slot]
        if loss_is_per_sample(plan, reads):
            lines.append(f"    {names.cost} = np.mean({v[loss_key]})"
                         + code_tag(owner, "the cost J: the mean of the loss over the samples"))
        else:
            lines.append(f"    {names.cost} = {v[loss_key]}"
                         + code_tag(owner, "the cost J: the loss itself (a scalar)"))
    else:
        lines.append(f"    {names.cost} = None  # the graph names no loss")
    if check and plan.steps:
        pairs = ", ".join(f"({s.node!r}, {v[plan.keys[o]]})" for s in plan.steps for o in s.outs)
        lines.append(f"    check_finite('forward', ({pairs},))")
    ignored = set(plan.ignored)  # boxes the cost does not depend on: never computed
    body = ", ".join(f"{k!r}: {v[k]}" for k, o in zip(plan.keys, plan.owner) if o not in ignored)
    lines.append(f"    return {names.cost}, {{{body}}}")
    return lines


def loss_is_per_sample(plan: Plan, reads: dict) -> bool:
    return plan.loss_slot is not None and infer_ndims(plan, reads)[plan.keys[plan.loss_slot]] == 1


def emit_backward(plan: Plan, names: Names, reads: dict, check: bool = True) -> list[str]:
    """``def backward(values)``: dJ/dv for every Variable the cost depends on, by the chain rule."""
    nd = infer_ndims(plan, reads)
    loss_key = plan.keys[plan.loss_slot]
    lines = [_seed_line(plan, names, nd[loss_key])]
    path = [s for s in reversed(plan.steps) if s.on_loss_path]
    # How many gradients flow into each Variable: more than one is fan-out (the copy gate).
    arrivals: dict[str, int] = {}
    for s in path:
        for i in s.ins:
            arrivals[plan.keys[i]] = arrivals.get(plan.keys[i], 0) + 1
    sums = _GradientSums(plan, names, arrivals, {loss_key})
    for s in path:
        lines += _step_backward(plan, names, nd, s, sums)
    return _backward_function(plan, names, lines, sums, check)


def _seed_line(plan: Plan, names: Names, per_sample: int) -> str:
    v = names.value
    loss_key = plan.keys[plan.loss_slot]
    owner = plan.owner[plan.loss_slot]
    if per_sample:
        return (f"    {names.grad_of(loss_key)} = np.full(np.shape({v[loss_key]}), 1.0 / np.size({v[loss_key]}))"
                + code_tag(owner, "the seed: J = mean of the loss, so dJ/dL = 1/m per sample"))
    return f"    {names.grad_of(loss_key)} = 1.0" + code_tag(owner, "the seed: dJ/dJ = 1")


@dataclass
class _GradientSums:
    """The copy gate as it is written: which Variables have their gradient yet, and the terms
    still to be summed for those several boxes read."""

    plan: Plan
    names: Names
    arrivals: dict[str, int]
    has_grad: set[str]
    parts: dict[str, list[str]] = field(default_factory=dict)
    checks: list[tuple[str, str]] = field(default_factory=list)  # (box, name) to test for nan/inf

    def add(self, s, key: str, port: int, expr: str, note: str) -> list[str]:
        """Lines giving ``key`` the term that came back from box ``s``'s ``port``."""
        names, v = self.names, self.names.value
        port_names = s.fn.input_names(s.attrs)
        if self.arrivals[key] == 1:
            target = names.grad_of(key)
        else:
            suffix = f"_{port_names[port]}" if [self.plan.keys[i] for i in s.ins].count(key) > 1 else ""
            consumer = v.get(s.node) or v[self.plan.keys[s.outs[0]]]
            target = names.namer.take(f"d_{v[key]}_from_{consumer}{suffix}")
            self.parts.setdefault(key, []).append(target)
        lines = [f"    {target} = {expr}" + code_tag(s.node, note)]
        self.checks.append((s.node, target))
        if self.arrivals[key] == 1:
            self.has_grad.add(key)
        elif len(self.parts[key]) == self.arrivals[key]:
            owner = self.plan.owner[self.plan.slot_of[key]]
            lines.append(f"    {names.grad_of(key)} = {' + '.join(self.parts[key])}"
                         + code_tag(owner, "fan-out: the copy gate sums what came back"))
            self.has_grad.add(key)
        return lines


def _step_backward(plan: Plan, names: Names, nd: dict, s, sums: _GradientSums) -> list[str]:
    """One box's backward lines: its downstream gradients, local × upstream per input port."""
    v = names.value
    in_keys = [plan.keys[i] for i in s.ins]
    out_keys = [plan.keys[o] for o in s.outs]
    xs, outs = [v[k] for k in in_keys], [v[k] for k in out_keys]
    ups = [names.grad_of(k) if k in sums.has_grad else None for k in out_keys]
    port_names = s.fn.input_names(s.attrs)
    lines = [f"    # [{comment_text(s.node)}] {comment_text(gate_text(s.fn), 90)}"]
    if s.op == "softmax":
        down = [" + ".join(f"{ups[i]} * ({outs[i]} * ({1.0 if i == j else 0.0!r} - {outs[j]}))"
                           for i in range(len(outs)) if ups[i] is not None) for j in range(len(xs))]
    elif s.op == "cross_entropy":
        k = int(s.attrs["k"])
        tmp = names.namer.take("s_" + outs[0])
        lines.append(f"    {tmp} = softmax({', '.join(xs[:k])})" + code_tag(s.node, "softmax of the logits"))
        down = [f"({tmp}[{i}] - ({xs[k]} == {i})) * {ups[0]}" for i in range(k)] + [f"0.0 * {ups[0]}"]
    else:
        down = downstream_exprs(s.op, xs, outs[0], ups[0], s.attrs)
    for port, (key, expr) in enumerate(zip(in_keys, down)):
        d_nd = nd[key] if s.fn.reduces else nd[out_keys[0]]
        note = f"port {port} ({port_names[port]}): local × upstream"
        if d_nd > nd[key]:
            expr = f"np.sum({expr})"
            note = "broadcast: a scalar's gradient is the sum over the samples"
        lines += sums.add(s, key, port, expr, note)
    return lines


def _backward_function(plan: Plan, names: Names, lines: list[str], sums: _GradientSums, check: bool) -> list[str]:
    """The backward lines inside their function: the Variables they read unpacked first."""
    v = names.value
    code = "\n".join(line.split("#")[0] for line in lines)
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code))
    used = {k for k in plan.keys if v[k] in words}
    unpack = [f"    {v[k]} = values[{k!r}]" + code_tag(plan.owner[plan.slot_of[k]])
              for k in plan.keys if k in used]
    out = ["def backward(values):",
           '    """dJ/dv for every Variable the cost depends on: downstream = local × upstream."""']
    out += unpack + lines
    if check and sums.checks:
        pairs = ", ".join(f"({node!r}, {name})" for node, name in sums.checks)
        out.append(f"    check_finite('backward', ({pairs},))")
    body = ", ".join(f"{k!r}: {names.grad[k]}" for k in plan.keys if k in sums.has_grad)
    out.append(f"    return {{{body}}}")
    return out


def emit_forward_backward(plan_or_graph, names: Names | None = None, columns=None,
                          check: bool = True) -> list[str]:
    """Source lines of ``forward`` and ``backward`` (backward only when the graph names a
    loss). ``columns``: the data columns that will be passed (None: inputs use their
    values). Run them after ``PRELUDE`` with ``np`` bound to numpy."""
    plan = plan_or_graph if isinstance(plan_or_graph, Plan) else compile_graph(plan_or_graph)
    names = names or assign_names(plan)
    reads = input_reads(plan, columns)
    lines = emit_forward(plan, names, reads, check)
    if plan.loss_slot is not None:
        lines += [""] + emit_backward(plan, names, reads, check)
    return lines


def compile_functions(plan_or_graph, columns=None, check: bool = True) -> dict:
    """``emit_forward_backward`` executed in-process: a namespace with ``forward`` (and
    ``backward``). The code is generated from the graph through the safe-naming layer."""
    ns: dict = {"np": np}
    exec(compile(PRELUDE, "<graphcore prelude>", "exec"), ns)
    src = "\n".join(emit_forward_backward(plan_or_graph, None, columns, check)) + "\n"
    exec(compile(src, "<graphcore straight-line plan>", "exec"), ns)
    return ns
