"""Step-through backprop as the lecture writes it: the engine's trace turned into chain-rule text.

``engine.trace`` gives one ``StepEvent`` per box and phase with the raw arrays. This module
turns each into what a learner reads, with the real numbers:

* forward: the Function's formula, then with the wired Variables, then with their values,
  and the output;
* backward: the upstream gradient that arrived (a sum of contributions, each named by the
  box it came back from, where the Variable fans out: the copy gate), then per input port
  the local derivative (formula and number) and ``downstream = local × upstream = result``;
  for softmax the Jacobian as a small table.

Numbers are for one sample (``sample=i``: the plan is evaluated on that sample's data alone,
so m = 1 and J = L) or for the whole batch (each per-sample Variable shown as its mean with
the per-sample spread). Nothing here recomputes the graph after ``build``: a window can
step, scrub and step back over the ``StepSequence`` freely.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from . import formula
from . import functions as F
from .engine import Evaluation, StepEvent, compile_graph, trace
from .errors import DataError
from .graph import Graph
from .variable_ref import VariableRef
from .numbers import format_number


# --- numbers as shown -------------------------------------------------------------------
@dataclass(frozen=True)
class Shown:
    """One Variable's value or gradient as shown: a number, or a mean with its spread."""

    mean: float
    sd: float = 0.0
    lo: float = 0.0
    hi: float = 0.0
    count: int = 1  # how many samples it stands for (1: a single number)

    @classmethod
    def of(cls, v) -> "Shown":
        a = np.asarray(v, dtype=float).ravel()
        if a.size <= 1:
            x = float(a[0]) if a.size else 0.0
            return cls(x, 0.0, x, x, 1)
        with np.errstate(all="ignore"):  # the mean of huge finite values may overflow: shown as inf
            return cls(float(a.mean()), float(a.std()), float(a.min()), float(a.max()), int(a.size))

    @property
    def single(self) -> bool:
        return self.count == 1

    @property
    def text(self) -> str:
        if self.single:
            return format_number(self.mean)
        if self.lo == self.hi:
            return f"{format_number(self.mean)} (each of the {self.count} samples)"
        return (f"{format_number(self.mean)} (mean of {self.count}; sd {format_number(self.sd)}, "
                f"{format_number(self.lo)} … {format_number(self.hi)})")

    @property
    def short(self) -> str:
        """For a canvas label: few digits, a bar over a mean."""
        return format_number(self.mean, 4) if self.single else f"x̄ {format_number(self.mean, 3)}"

    def factor(self) -> str:
        """As a factor in a product: negatives in brackets."""
        t = format_number(self.mean)
        return f"({t})" if t.startswith("-") else t


# --- formulas ---------------------------------------------------------------------------
# Forward formula and local derivative per input port, printed from the catalogue's trees
# with the ports' (and attrs') names in braces, to be filled in with Variable names or numbers.
def forward_template(fn: F.Function) -> str:
    return formula.pretty(fn.tree.forward, _braces(fn))


def local_templates(fn: F.Function) -> list[str]:
    return [formula.pretty(loc, _braces(fn), fn.tree.forward) for loc in fn.tree.local]


def _braces(fn: F.Function) -> dict:
    return {n: "{" + n + "}" for n in (*fn.ports, *(a.name for a in fn.attrs))}


SOURCE_WORDS = {"input": "an input", "parameter": "a trainable parameter", "constant": "a constant"}
COPY_GATE = "copy gate: the gradients that come back sum"

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


_DOUBLE_BRACKETS = re.compile(r"\(\(([^()]*)\)\)")


def _fill(template: str, names: dict) -> str:
    filled = _PLACEHOLDER.sub(lambda m: names.get(m.group(1), m.group(0)), template)
    return _DOUBLE_BRACKETS.sub(r"(\1)", filled)  # σ((-0.5)) reads better as σ(-0.5)


def _wrap(name: str) -> str:
    """A Variable name inside a formula: brackets around anything that is not one word."""
    return name if re.fullmatch(r"[\w.]+", name) else f"({name})"


# --- one step as shown --------------------------------------------------------------------
@dataclass
class Term:
    """One contribution to a fan-out sum: what came back from ``node``'s input ``port``."""

    node: str
    name: str  # the box's display name
    port: int
    value: Shown


@dataclass
class PortGrad:
    """One input port of a backward step: its local derivative and the downstream gradient."""

    port: int
    port_name: str
    key: str  # the Variable wired into the port
    name: str  # its display name
    local_formula: str  # with the Variables' names
    local: Shown | None  # None for softmax (see the Jacobian)
    downstream: Shown
    product: str  # "2 × 3 = 6", or how the number was made when it is not one product


@dataclass
class ChainRuleStep:
    """Everything the chain-rule panel and the transcript say about one step."""

    index: int
    total: int
    phase: str
    node: str
    op: str
    name: str
    is_source: bool
    is_seed: bool = False
    gate: str | None = None
    formula: str = ""  # generic, the catalogue's
    formula_named: str = ""  # with the wired Variables' names
    formula_numbers: str = ""  # with their values
    inputs: list = field(default_factory=list)  # (port name, key, name, Shown)
    outputs: list = field(default_factory=list)  # (key, name, Shown)
    upstream: list = field(default_factory=list)  # (key, name, Shown) — dJ/d(output)
    contributions: dict = field(default_factory=dict)  # output key -> [Term]
    ports: list = field(default_factory=list)  # [PortGrad]
    jacobian: list | None = None  # softmax: rows i (outputs), columns j (inputs), Shown
    seed_text: str = ""

    def title(self) -> str:
        kind = f"{self.op}" + (" — the cost" if self.is_seed else "")
        return f"Step {self.index + 1} of {self.total} · {self.phase} · box {self.name} ({kind})"

    def lines(self, reveal: bool = True) -> list[str]:
        """The step as plain text; ``reveal=False`` hides the downstream numbers (quiz)."""
        out = [self.title()]
        if self.phase == "forward":
            out += self._forward_lines()
        else:
            out += self._backward_lines(reveal)
        return out

    def text(self, reveal: bool = True) -> str:
        return "\n".join(self.lines(reveal))

    def _forward_lines(self) -> list[str]:
        if self.is_source:
            key, name, v = self.outputs[0]
            return [f"  {name} = {v.text}    ({SOURCE_WORDS.get(self.op, self.op)})"]
        args = ", ".join(p for p, *_ in self.inputs)
        lines = [f"  formula:  {self.op}({args}) = {self.formula}"]
        outs = ", ".join(n for _, n, _ in self.outputs)
        here = f"  here:     {outs} = {self.formula_named}"
        if self.formula_numbers and len(self.outputs) == 1:
            lines.append(f"{here} = {self.formula_numbers} = {self.outputs[0][2].text}")
            return lines
        lines.append(here)
        if self.formula_numbers:
            lines.append(f"            = {self.formula_numbers}")
        for _, name, v in self.outputs:
            lines.append(f"  output:   {name} = {v.text}")
        return lines

    def _upstream_lines(self) -> list[str]:
        lines = []
        for key, name, v in self.upstream:
            terms = self.contributions.get(key, [])
            if self.is_seed and not terms:
                lines.append(f"  seed:      {self.seed_text}")
            elif len(terms) > 1:
                parts = " + ".join(f"{t.value.factor()} (from {t.name})" for t in terms)
                lines.append(f"  upstream:  dJ/d{name} = {parts} = {v.text}")
                lines.append(f"             {COPY_GATE} ({len(terms)} contributions)")
            elif terms:
                lines.append(f"  upstream:  dJ/d{name} = {v.text}    (came back from {terms[0].name})")
            else:
                lines.append(f"  upstream:  dJ/d{name} = {v.text}    (J does not depend on it)")
        if self.is_source:
            lines = [ln.replace("upstream: ", "arrived:  ").replace("came back from", "from") for ln in lines]
        return lines

    def _backward_lines(self, reveal: bool) -> list[str]:
        lines = []
        if self.gate:
            lines.append(f"  {self.gate}")
        lines += self._upstream_lines()
        if self.is_source:
            return lines
        if self.jacobian is not None:
            lines.append(f"  local:     Jacobian {self.formula_local_header()}")
            lines += ["  " + row for row in self.jacobian_rows()]
        for p in self.ports:
            head = f"  input {p.name} (port {p.port_name}):"
            result = p.product if reveal else "?"
            if p.local is None:  # softmax: the Jacobian above is the local derivative
                lines.append(f"{head}  downstream dJ/d{p.name} = Σᵢ dJ/dsᵢ × ∂sᵢ/∂z{p.port} = {result}")
                continue
            value = "" if p.local_formula == p.local.text else f" = {p.local.text}"
            lines.append(f"{head}  local ∂{self.name}/∂{p.name} = {p.local_formula}{value}")
            lines.append(f"{' ' * len(head)}  downstream dJ/d{p.name} = local × upstream = {result}")
        return lines

    def formula_local_header(self) -> str:
        return "∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ):"

    def jacobian_rows(self) -> list[str]:
        """The softmax Jacobian as a small aligned table: rows outputs sᵢ, columns inputs zⱼ."""
        if self.jacobian is None:
            return []
        cols = [p.name for p in self.ports]
        rows = [n for _, n, _ in self.outputs]
        cells = [[c.short for c in row] for row in self.jacobian]
        w = max([len(c) for c in cols] + [len(c) for r in cells for c in r] + [6])
        lw = max(len(r) for r in rows)
        out = [" " * (lw + 2) + "  ".join(f"{c:>{w}}" for c in cols)]
        for name, row in zip(rows, cells):
            out.append(f"{name:<{lw}}  " + "  ".join(f"{c:>{w}}" for c in row))
        return out


@dataclass
class StepSequence:
    """A whole step-through: forward steps, then backward steps, all precomputed."""

    steps: list[ChainRuleStep]
    events: list[StepEvent]
    sample: int | None  # None: the whole batch
    m: int | None  # samples the numbers stand for (1 for one sample; None without data)
    cost: float | None
    graph_name: str = ""

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def first_backward(self) -> int | None:
        return next((s.index for s in self.steps if s.phase == "backward"), None)

    @property
    def last_forward(self) -> int | None:
        fw = [s.index for s in self.steps if s.phase == "forward"]
        return fw[-1] if fw else None

    def describe_numbers(self) -> str:
        if self.sample is not None:
            return f"numbers for sample {self.sample} alone (m = 1, so J = L)"
        if self.m:
            return f"numbers for the whole batch of m = {self.m}: per-sample Variables shown as mean (sd, min … max)"
        return "numbers from the input boxes' values"


def sample_data(data: dict, i: int) -> dict:
    """One sample's data, as a batch of one (each column sliced to [i])."""
    m = len(next(iter(data.values()))) if data else 0
    if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
        raise DataError(f"sample must be a whole number, not {i!r}")
    if not 0 <= i < m:
        raise DataError(f"sample {i} is out of range: the data set has {m} training points (0 … {m - 1})")
    return {k: np.asarray(v, dtype=float)[i:i + 1] for k, v in data.items()}


def build(graph: Graph, data: dict | None = None, sample: int | None = None) -> StepSequence:
    """Evaluate the graph once (on one sample's data, or the whole batch) and lay out its steps."""
    if sample is not None:
        if data is None:
            raise DataError("the graph has no data set, so there are no samples to choose from: "
                            "its input boxes' values are used")
        data = sample_data(data, sample)
    ev = compile_graph(graph).run(data)
    return from_evaluation(ev, sample)


def from_evaluation(ev: Evaluation, sample: int | None = None) -> StepSequence:
    """The steps of a finished run (the engine's trace, presented)."""
    graph = ev.plan.graph
    events = trace(ev)
    m = 1 if sample is not None else ev.m
    steps = [present_step(graph, e, i, len(events), m) for i, e in enumerate(events)]
    return StepSequence(steps, events, sample, m, ev.cost, graph.meta.get("name", ""))


# --- building the presentation ---------------------------------------------------------------
def display_name(graph: Graph, key: str) -> str:
    """A Variable's name for the learner: its box's label (or id), and the output port's name."""
    node, out = VariableRef.parse(key)
    base = graph.label(node) if node in graph else node
    base = base or node
    if out is not None:
        names = graph.function(node).output_names(graph.attrs(node))
        base = f"{base}.{names[out]}"
    return base


def present_step(graph: Graph, e: StepEvent, index: int, total: int, m: int | None) -> ChainRuleStep:
    fn = F.get(e.op)
    name = display_name(graph, e.node)
    attrs = graph.attrs(e.node) if e.node in graph else {}
    step = ChainRuleStep(index, total, e.phase, e.node, e.op, name, fn.is_source, e.is_seed)
    port_names = fn.input_names(attrs)
    in_names = [display_name(graph, k) for k in e.input_keys]
    out_names = [display_name(graph, k) for k in e.output_keys]
    step.inputs = [(pn, k, n, Shown.of(v)) for pn, k, n, v in zip(port_names, e.input_keys, in_names, e.inputs)]
    step.outputs = [(k, n, Shown.of(v)) for k, n, v in zip(e.output_keys, out_names, e.output)]
    step.formula = fn.formula
    if not fn.is_source:
        step.formula_named, step.formula_numbers = _forward_formulas(e, fn, attrs, port_names, in_names)
    if e.phase == "forward":
        return step
    step.gate = fn.gate
    step.upstream = [(k, n, Shown.of(v)) for k, n, v in zip(e.output_keys, out_names, e.upstream)]
    step.contributions = {k: [Term(c.node, display_name(graph, c.node), c.port, Shown.of(c.value)) for c in terms]
                          for k, terms in e.contributions.items()}
    if e.is_seed:
        step.seed_text = _seed_text(out_names[0], e.upstream[0], m)
    if fn.is_source:
        return step
    if fn.jacobian:
        step.jacobian = [[Shown.of(c) for c in row] for row in e.local]
        step.ports = [PortGrad(j, pn, k, n, "Σᵢ dJ/dsᵢ · ∂sᵢ/∂zⱼ", None, Shown.of(d),
                               _jacobian_product(e, j, Shown.of(d)))
                      for j, (pn, k, n, d) in enumerate(zip(port_names, e.input_keys, in_names, e.downstream))]
        return step
    local_t = _local_templates(fn, attrs)
    names = {pn: _wrap(n) for pn, n in zip(port_names, in_names)}
    names.update({a: format_number(v) for a, v in attrs.items()})
    up = step.upstream[0][2]
    for p, (pn, k, n, loc, d) in enumerate(zip(port_names, e.input_keys, in_names, e.local, e.downstream)):
        loc_s, d_s = Shown.of(loc), Shown.of(d)
        step.ports.append(PortGrad(p, pn, k, n, _fill(local_t[p], names), loc_s, d_s, _product(loc_s, up, d_s)))
    return step


def _local_templates(fn: F.Function, attrs) -> list[str]:
    if fn.name == "cross_entropy":
        k = int(attrs.get("k", 2))
        return [f"s{i} − [y = {i}]" for i in range(k)] + ["0"]
    return local_templates(fn)


def _forward_formulas(e: StepEvent, fn: F.Function, attrs, port_names, in_names) -> tuple[str, str]:
    values = [Shown.of(v) for v in e.inputs]
    numeric = all(v.single for v in values)
    if e.op == "softmax":
        named = _softmax_formula(in_names)
        nums = _softmax_formula([v.factor() for v in values]) if numeric else ""
        return named, nums
    if e.op == "cross_entropy":
        zs = ", ".join(in_names[:-1])
        named = f"−ln softmax({zs})[{in_names[-1]}]"
        nums = f"−ln softmax({', '.join(v.factor() for v in values[:-1])})[{values[-1].factor()}]" if numeric else ""
        return named, nums
    template = forward_template(fn)
    extra = {a: format_number(v) for a, v in attrs.items()}
    named = _fill(template, {**{p: _wrap(n) for p, n in zip(port_names, in_names)}, **extra})
    if fn.reduces:
        count = np.size(e.inputs[0])
        return named, f"{e.op} of {in_names[0]} over {count} sample{'s' if count != 1 else ''}"
    nums = _fill(template, {**{p: v.factor() for p, v in zip(port_names, values)}, **extra}) if numeric else ""
    return named, nums


def _softmax_formula(zs: list[str]) -> str:
    return "e^zᵢ / (" + " + ".join(f"e^{z}" for z in zs) + ")"


def _product(local: Shown, up: Shown, down: Shown) -> str:
    if local.single and up.single and down.single:
        return f"{local.factor()} × {up.factor()} = {down.text}"
    if down.single:  # a Variable shared by all samples: its gradient sums theirs
        return f"Σ over the {max(local.count, up.count)} samples of localᵢ × upstreamᵢ = {down.text}"
    return f"per sample localᵢ × upstreamᵢ → {down.text}"


def _jacobian_product(e: StepEvent, j: int, down: Shown) -> str:
    ups = [Shown.of(u) for u in e.upstream]
    locs = [Shown.of(row[j]) for row in e.local]
    if all(x.single for x in ups + locs):
        terms = " + ".join(f"{u.factor()} × {loc.factor()}" for u, loc in zip(ups, locs))
        return f"{terms} = {down.text}"
    return f"Σᵢ upstreamᵢ × ∂sᵢ/∂z{j}, per sample → {down.text}"


def _seed_text(name: str, seed, m: int | None) -> str:
    s = Shown.of(seed)
    if np.ndim(seed) == 0 or np.size(seed) == 1:
        what = "J is the cost" if name == "J" else f"{name} is the cost J"
        return f"dJ/dJ = 1    ({what}: the seed of backprop)"
    return (f"dJ/d{name}ᵢ = 1/m = {format_number(s.mean)} for each of the m = {s.count} samples, "
            f"since J = 1/m Σᵢ {name}ᵢ")


# --- the transcript and its JSON -------------------------------------------------------------
def transcript(seq: StepSequence) -> str:
    """The worked example a teacher can hand out: every step's chain-rule text."""
    head = f"Step-through of {seq.graph_name or 'the graph'} — {seq.describe_numbers()}"
    lines = [head, ""]
    for step in seq.steps:
        if step.phase == "backward" and (step.index == 0 or seq.steps[step.index - 1].phase == "forward"):
            lines.append("— backward: from the cost J back to every box, downstream = local × upstream —")
            lines.append("")
        elif step.index == 0:
            lines.append("— forward: every box in topological order —")
            lines.append("")
        lines += step.lines()
        lines.append("")
    if seq.cost is not None:
        lines.append(f"cost J = {format_number(seq.cost)}")
    else:
        lines.append("the graph names no loss, so there is no backward pass")
    return "\n".join(lines)


def json_number(s: Shown) -> float | None:
    """A JSON number; null where a batch mean overflowed (strict JSON has no inf)."""
    return s.mean if np.isfinite(s.mean) else None


def steps_json(seq: StepSequence) -> dict:
    """SPEC §6 ``steps`` JSON: numbers for the chosen sample, or batch means."""
    out = []
    for st in seq.steps:
        d = {"phase": st.phase, "node": st.node, "op": st.op, "label": st.name,
             "inputs": [json_number(v) for *_, v in st.inputs], "input_keys": [k for _, k, _, _ in st.inputs],
             "output": (json_number(st.outputs[0][2]) if len(st.outputs) == 1
                        else [json_number(v) for *_, v in st.outputs]),
             "output_keys": [k for k, _, _ in st.outputs],
             "local": {}, "upstream": None, "downstream": {}}
        if st.phase == "backward":
            ups = [json_number(v) for *_, v in st.upstream]
            d["upstream"] = ups[0] if len(ups) == 1 else ups
            if st.jacobian is not None:
                d["local"] = {str(p.port): [json_number(row[p.port]) for row in st.jacobian] for p in st.ports}
                d["jacobian"] = [[json_number(c) for c in row] for row in st.jacobian]
            else:
                d["local"] = {str(p.port): json_number(p.local) for p in st.ports}
            d["downstream"] = {str(p.port): json_number(p.downstream) for p in st.ports}
            d["contributions"] = {k: [{"from": t.node, "port": t.port, "value": json_number(t.value)} for t in terms]
                                  for k, terms in st.contributions.items()}
            d["seed"] = st.is_seed
            if st.gate:
                d["gate"] = st.gate
        out.append(d)
    cost = seq.cost if seq.cost is not None and np.isfinite(seq.cost) else None
    return {"sample": seq.sample, "m": seq.m, "cost": cost, "steps": out}
