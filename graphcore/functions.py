"""The Function catalogue (SPEC §2): each Function's forward and local derivatives side by side.

A Function box takes Variables on numbered input ports and produces Variables on its
output ports. Each entry writes its forward and one local derivative per input port ONCE,
as expressions over the port names (formula.py parses them against a whitelist); the
engine's kernels (``forward(*xs, **attrs)``, ``local(*xs, out, **attrs)``), the fast path,
the numpy and PyTorch exports and the step-through's formulas are all printed from those
trees. Backprop is, per port,

    downstream = local × upstream

Everything is vectorised over samples with numpy (a Variable is an array of shape
``(m,)`` or a scalar of shape ``()``). ``softmax`` is the one Function with several
outputs; its local derivative is the Jacobian ``J[i][j] = ∂sᵢ/∂zⱼ``.

``sym`` builds the same Function in sympy for the symbolic derivative check; sympy
is passed in so that importing the catalogue never imports sympy.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import formula, limits
from .errors import BadAttributeError, DomainError, UnknownFunctionError


@dataclass(frozen=True)
class Attr:
    """An attribute a Function box takes (in the node's ``attrs`` object)."""

    name: str
    kind: type  # float or int
    default: Any = None
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None  # k: a file asking for 10**9 ports must not exhaust memory


@dataclass(frozen=True)
class Function:
    name: str
    group: str  # palette group: sources, arithmetic, activations, comparisons, losses, reductions, multi-output
    ports: tuple[str, ...]  # input port names by meaning; for k-ary Functions built from attrs
    expr: str | None  # the forward over the ports and attrs (None: a source, or a special kernel)
    local_exprs: tuple[str, ...] | None  # per port: the local derivative over the ports, attrs and ``out``
    formula: str  # forward, in the course's notation
    derivative: str  # local derivatives, per port
    sym: Callable | None = None
    attrs: tuple[Attr, ...] = ()
    gate: str | None = None  # the lecture's words for how the gradient flows
    jacobian: bool = False  # local() returns a Jacobian (multi-output softmax)
    reduces: bool = False  # output is a scalar whatever the input (mean, sum)
    torch: str | None = None  # torch forward ({port} placeholders) where autograd of ``expr`` would differ
    kernels: tuple[Callable, Callable] | None = None  # softmax, cross_entropy: forward and local by hand

    @functools.cached_property
    def tree(self) -> formula.Formula:
        """The parsed forward and local derivatives (FormulaError if one is missing or bad)."""
        if self.expr is None:
            raise formula.FormulaError(f"Function '{self.name}' has no forward expression")
        return formula.build(self.ports, [a.name for a in self.attrs], self.expr, self.local_exprs,
                             f"Function '{self.name}'")

    @functools.cached_property
    def forward(self) -> Callable | None:
        if self.kernels is not None or self.expr is None:
            return self.kernels and self.kernels[0]
        return _compile(self, self.tree.forward, ())

    @functools.cached_property
    def local(self) -> Callable | None:
        if self.kernels is not None or self.expr is None:
            return self.kernels and self.kernels[1]
        return _compile(self, formula.as_list(self.tree.local), (formula.OUT,))

    @property
    def is_source(self) -> bool:
        return self.group == "sources"

    def input_names(self, attrs: dict) -> tuple[str, ...]:
        """Port names for this box: softmax and cross_entropy take k logits."""
        if self.name == "softmax":
            return tuple(f"z{i}" for i in range(int(attrs.get("k", 2))))
        if self.name == "cross_entropy":
            return tuple(f"z{i}" for i in range(int(attrs.get("k", 2)))) + ("y",)
        return self.ports

    def n_inputs(self, attrs: dict) -> int:
        # Counted, not built from the names: connect asks once per arrow (linear for a wide softmax).
        if self.name in ("softmax", "cross_entropy"):
            return int(attrs.get("k", 2)) + (self.name == "cross_entropy")
        return len(self.ports)

    def n_outputs(self, attrs: dict) -> int:
        return int(attrs.get("k", 2)) if self.name == "softmax" else (1)

    def output_names(self, attrs: dict) -> tuple[str, ...]:
        if self.name == "softmax":
            return tuple(f"s{i}" for i in range(self.n_outputs(attrs)))
        return ("out",)

    def resolve_attrs(self, given: dict | None, box: str = "?", name: str | None = None) -> dict:
        """Check a box's attrs against this Function's and fill in defaults. A refusal names
        the box as ``name`` (its label, when editing) and carries the id ``box`` to select it."""
        shown = box if name is None else name
        given = dict(given or {})
        known = {a.name: a for a in self.attrs}
        for key in given:
            if key not in known:
                raise BadAttributeError(f"box '{shown}': {self.name} takes no attribute '{key}'", [box])
        out = {}
        for a in self.attrs:
            if a.name not in given or given[a.name] is None:
                if a.required:
                    raise BadAttributeError(f"box '{shown}': {self.name} needs the attribute '{a.name}'", [box])
                if a.default is not None:
                    out[a.name] = a.default
                continue
            v = given[a.name]
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise BadAttributeError(f"box '{shown}': attribute '{a.name}' must be a number, not {v!r}", [box])
            if not -1e308 < v < 1e308:  # nan, inf, or a whole number too big for a float
                raise BadAttributeError(f"box '{shown}': attribute '{a.name}' must be finite, not {v!r}", [box])
            if a.kind is int:
                if float(v) != int(v):
                    raise BadAttributeError(f"box '{shown}': attribute '{a.name}' must be a whole number, not {v!r}",
                                            [box])
                v = int(v)
            else:
                v = float(v)
                if not np.isfinite(v):
                    raise BadAttributeError(f"box '{shown}': attribute '{a.name}' must be finite, not {v!r}", [box])
            if a.minimum is not None and v < a.minimum:
                raise BadAttributeError(f"box '{shown}': attribute '{a.name}' must be at least {a.minimum:g}, "
                                        f"not {v!r}", [box])
            if a.maximum is not None and v > a.maximum:
                raise BadAttributeError(f"box '{shown}': attribute '{a.name}' must be at most {a.maximum:g}, "
                                        f"not {v!r}", [box])
            out[a.name] = v
        return out


# --- numerically stable helpers ------------------------------------------------------
def sigmoid(x):
    """σ(x) without overflow: exp is only taken of a number ≤ 0."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _samples(x) -> int:
    return x.shape[0] if np.ndim(x) else 1


def _softmax(zs):
    z = np.stack(np.broadcast_arrays(*zs))
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)


def class_index(y, k, box="?"):
    y = np.asarray(y)
    bad = (y != np.round(y)) | (y < 0) | (y > k - 1) | ~np.isfinite(y)
    if np.any(bad):
        raise DomainError(f"cross_entropy: the class y must be a whole number 0..{k - 1}, "
                          f"got {float(y[bad].flat[0]):g}")
    return y.astype(np.int64)


# bce as torch.nn.functional.binary_cross_entropy computes it: each log clamped at −100 and
# the denominator of the derivative at 1e-12 (as a float32), so a sigmoid saturated to exactly 0 or 1
# gives a finite loss and gradient. A probability outside [0, 1] still gives nan (the
# log of a negative number): a NonFiniteError naming the box. The derivative for the
# target b is that of this clamped forward, max(ln(1−a), −100) − max(ln a, −100); torch's
# own is −logit(a), the same (to rounding) wherever both logs are above −100, but ±inf at
# a = 0 or 1 — torch seldom asks for it (a target is data), while here every Variable's
# dJ/dv is shown, so it stays finite.
BCE_EPS = 9.999999960041972e-13  # torch's EPSILON is the C++ float 1e-12, i.e. this double


def ln_clamped(a):
    """max(ln a, −100): binary cross-entropy's log as torch takes it (ln 0 counts as −100)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.maximum(np.log(a), -100.0)


def ln1m_clamped(a):
    """max(ln(1 − a), −100), computed as log1p(−a)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.maximum(np.log1p(-a), -100.0)


def _check_log(x):
    if np.any(x <= 0) or np.any(np.isnan(x)):
        bad = np.asarray(x)[~(x > 0)].flat[0]
        raise DomainError(f"log of {bad:g}: log needs x > 0")
    return np.log(x)


def _ce_forward(xs, k):
    # logits and class may be scalars or per-sample: broadcast them together first
    *zs, y = np.broadcast_arrays(*xs[:k + 1])
    z = np.stack(zs)
    yi = class_index(y, k)
    zmax = z.max(axis=0)
    lse = zmax + np.log(np.exp(z - zmax).sum(axis=0))
    return lse - np.take_along_axis(z, yi[None, ...], axis=0)[0]


def _ce_local(xs, out, k):
    *zs, y = np.broadcast_arrays(*xs[:k + 1])
    s = _softmax(zs)
    yi = class_index(y, k)
    return [s[i] - (yi == i) for i in range(k)] + [np.zeros(np.shape(y))]


def _ce_sym(sp, xs, k):
    zs, y = xs[:k], xs[k]
    if not y.is_number:
        return None
    yi = int(y)
    return sp.log(sum(sp.exp(z) for z in zs)) - zs[yi]


def _softmax_local(xs, outs, k):
    s = outs
    return [[s[i] * ((1.0 if i == j else 0.0) - s[j]) for j in range(k)] for i in range(k)]


def _softmax_sym(sp, *xs, k):
    total = sum(sp.exp(z) for z in xs)
    return [sp.exp(z) / total for z in xs]


def _mean(x):
    return np.asarray(np.mean(x)) if np.ndim(x) else x


def _sum(x):
    return np.asarray(np.sum(x)) if np.ndim(x) else x


def _asfloat(c):
    return np.asarray(c, dtype=float)


# What a printed expression calls in the engine (formula.PRIMITIVES, with a leading _).
NUMPY = {
    "_exp": np.exp, "_log": _check_log, "_log1p": np.log1p, "_abs": np.abs, "_sin": np.sin, "_cos": np.cos,
    "_tanh": np.tanh, "_sigmoid": sigmoid, "_sign": np.sign, "_maximum": np.maximum, "_minimum": np.minimum,
    "_logaddexp": np.logaddexp, "_power": np.power, "_where": np.where, "_asfloat": _asfloat,
    "_ln_clamped": ln_clamped, "_ln1m_clamped": ln1m_clamped, "_mean": _mean, "_sum": _sum,
    "_samples": _samples, "_full_like": np.full_like, "_ones_like": np.ones_like,
}


def _compile(fn: "Function", tree, extra: tuple[str, ...]) -> Callable:
    """The printed expression as a numpy function of the ports (then ``extra``) and the attrs."""
    attrs = [a.name for a in fn.attrs]
    ports = {p: f"_x{i}" for i, p in enumerate(fn.ports)}  # a learner's port names never reach compile()
    args = ", ".join([*ports.values(), *extra] + (["*", *attrs] if attrs else []))
    src = f"lambda {args}: {formula.code(tree, ports, None, 'numpy')}"
    return eval(compile(src, f"<catalogue {fn.name}>", "eval"), dict(NUMPY))  # noqa: S307 — printed from a checked tree


CATALOGUE: dict[str, Function] = {}


def _define(*fns: Function):
    for f in fns:
        CATALOGUE[f.name] = f


def _fn(name, group, ports, expr, local, formula_text, derivative, sym=None, **kw) -> Function:
    """One entry: forward and local derivatives as expressions over the port names."""
    return Function(name, group, tuple(ports.split()), expr, tuple(local), formula_text, derivative, sym, **kw)


_define(
    # --- sources: no input ports; the engine feeds them --------------------------
    Function("input", "sources", (), None, None, "a data column (or its value)", "—"),
    Function("parameter", "sources", (), None, None, "a trainable value", "—"),
    Function("constant", "sources", (), None, None, "a fixed value", "—"),
    # --- one input -----------------------------------------------------------------
    _fn("identity", "arithmetic", "x", "x", ["1.0"], "x", "1", lambda sp, x: x),
    _fn("neg", "arithmetic", "x", "-x", ["-1.0"], "−x", "−1", lambda sp, x: -x),
    _fn("inv", "arithmetic", "x", "1.0 / x", ["-1.0 / (x * x)"], "1/x", "−1/x²", lambda sp, x: 1 / x),
    _fn("square", "arithmetic", "x", "x * x", ["2.0 * x"], "x²", "2x", lambda sp, x: x**2),
    _fn("pow", "arithmetic", "x", "power(x, exponent)",
        ["exponent * power(x, exponent - 1.0) if exponent else 0.0"],  # 0·x⁻¹ would be nan at 0
        "xᵖ", "p·xᵖ⁻¹", lambda sp, x, exponent: x ** sp.nsimplify(exponent),
        attrs=(Attr("exponent", float, required=True),)),
    _fn("exp", "arithmetic", "x", "exp(x)", ["out"], "eˣ", "eˣ", lambda sp, x: sp.exp(x)),
    _fn("log", "arithmetic", "x", "log(x)", ["1.0 / x"], "ln x", "1/x", lambda sp, x: sp.log(x)),
    _fn("abs", "arithmetic", "x", "abs(x)", ["sign(x)"], "|x|", "sign(x) (0 at 0)", lambda sp, x: sp.Abs(x)),
    _fn("sin", "arithmetic", "x", "sin(x)", ["cos(x)"], "sin x", "cos x", lambda sp, x: sp.sin(x)),
    _fn("cos", "arithmetic", "x", "cos(x)", ["-sin(x)"], "cos x", "−sin x", lambda sp, x: sp.cos(x)),
    # --- activations -----------------------------------------------------------------
    _fn("tanh", "activations", "x", "tanh(x)", ["1.0 - out * out"], "tanh x", "1 − tanh²x",
        lambda sp, x: sp.tanh(x)),
    _fn("sigmoid", "activations", "x", "sigmoid(x)", ["out * (1.0 - out)"], "σ(x) = 1/(1+e⁻ˣ)", "σ(x)(1−σ(x))",
        lambda sp, x: 1 / (1 + sp.exp(-x))),
    _fn("relu", "activations", "x", "maximum(x, 0.0)", ["asfloat(x > 0)"], "max(0, x)", "1 if x > 0 else 0",
        lambda sp, x: sp.Piecewise((x, x > 0), (0, True)), torch="torch.relu({x})"),  # relu'(0) = 0, as here
    _fn("leaky_relu", "activations", "x", "where(x > 0, x, slope * x)", ["where(x > 0, 1.0, slope)"],
        "x if x > 0 else slope·x", "1 if x > 0 else slope",
        lambda sp, x, slope: sp.Piecewise((x, x > 0), (sp.nsimplify(slope) * x, True)),
        attrs=(Attr("slope", float, default=0.01),)),
    _fn("softplus", "activations", "x", "logaddexp(0.0, x)", ["sigmoid(x)"], "ln(1+eˣ)", "σ(x)",
        lambda sp, x: sp.log(1 + sp.exp(x))),
    _fn("swish", "activations", "x", "x * sigmoid(x)", ["sigmoid(x) * (1.0 + x * (1.0 - sigmoid(x)))"],
        "x·σ(x)", "σ(x)(1 + x(1−σ(x)))", lambda sp, x: x / (1 + sp.exp(-x))),
    # --- two inputs ------------------------------------------------------------------
    _fn("add", "arithmetic", "a b", "a + b", ["1.0", "1.0"], "a + b", "1, 1", lambda sp, a, b: a + b,
        gate="add gate: distributes the upstream to both inputs unchanged"),
    _fn("sub", "arithmetic", "a b", "a - b", ["1.0", "-1.0"], "a − b", "1, −1", lambda sp, a, b: a - b,
        gate="sub gate: distributes the upstream (and negates it for b)"),
    _fn("mul", "arithmetic", "a b", "a * b", ["b", "a"], "a·b", "b, a", lambda sp, a, b: a * b,
        gate="mul gate: swaps the inputs: each gets the other input × upstream"),
    _fn("div", "arithmetic", "a b", "a / b", ["1.0 / b", "-a / (b * b)"], "a / b", "1/b, −a/b²",
        lambda sp, a, b: a / b),
    _fn("max", "arithmetic", "a b", "maximum(a, b)",
        ["where(a > b, 1.0, where(a < b, 0.0, 0.5))", "where(a < b, 1.0, where(a > b, 0.0, 0.5))"],
        "max(a, b)", "(1,0) if a > b, (0,1) if a < b, (½,½) on a tie",
        lambda sp, a, b: sp.Piecewise((a, a > b), (b, a < b), ((a + b) / 2, True)),
        gate="max gate: routes the upstream to the larger input (halves on a tie)"),
    _fn("min", "arithmetic", "a b", "minimum(a, b)",
        ["where(a < b, 1.0, where(a > b, 0.0, 0.5))", "where(a > b, 1.0, where(a < b, 0.0, 0.5))"],
        "min(a, b)", "(1,0) if a < b, (0,1) if a > b, (½,½) on a tie",
        lambda sp, a, b: sp.Piecewise((a, a < b), (b, a > b), ((a + b) / 2, True)),
        gate="min gate: routes the upstream to the smaller input (halves on a tie)"),
    _fn("lt", "comparisons", "a b", "asfloat(a < b)", ["0.0", "0.0"], "1 if a < b else 0", "0, 0",
        lambda sp, a, b: sp.Piecewise((1, a < b), (0, True))),
    _fn("gt", "comparisons", "a b", "asfloat(a > b)", ["0.0", "0.0"], "1 if a > b else 0", "0, 0",
        lambda sp, a, b: sp.Piecewise((1, a > b), (0, True))),
    _fn("eq", "comparisons", "a b", "asfloat(a == b)", ["0.0", "0.0"], "1 if a = b else 0", "0, 0",
        lambda sp, a, b: sp.Piecewise((1, sp.Eq(a, b)), (0, True))),
    # --- losses ----------------------------------------------------------------------
    _fn("squared_error", "losses", "a b", "(a - b) ** 2", ["2.0 * (a - b)", "-2.0 * (a - b)"],
        "(a − b)²", "2(a−b), −2(a−b)", lambda sp, a, b: (a - b) ** 2),
    _fn("bce", "losses", "a b", "(b - 1.0) * ln1m_clamped(a) - b * ln_clamped(a)",
        [f"(a - b) / maximum(a * (1.0 - a), {BCE_EPS!r})", "ln1m_clamped(a) - ln_clamped(a)"],
        "−[b ln a + (1−b) ln(1−a)]", "(a−b)/(a(1−a)), ln(1−a) − ln a",
        lambda sp, a, b: -(b * sp.log(a) + (1 - b) * sp.log(1 - a)), torch="bce({a}, {b})"),
    _fn("bce_logits", "losses", "z y", "maximum(z, 0.0) - z * y + log1p(exp(-abs(z)))", ["sigmoid(z) - y", "-z"],
        "max(z,0) − z·y + ln(1+e^−|z|)", "σ(z) − y, −z",
        lambda sp, z, b: sp.log(1 + sp.exp(z)) - z * b),
    # --- reductions over samples -------------------------------------------------------
    _fn("mean", "reductions", "x", "mean(x)", ["full_like(x, 1.0 / samples(x))"],
        "1/m Σᵢ xᵢ", "1/m for each sample", lambda sp, x: x, reduces=True),
    _fn("sum", "reductions", "x", "sum(x)", ["ones_like(x)"], "Σᵢ xᵢ", "1 for each sample", lambda sp, x: x,
        reduces=True),
    # --- multi-output: k ports, so their kernels are written out (and each export writes them once) ----
    Function("softmax", "multi-output", (), None, None,
             "sᵢ = e^zᵢ / Σⱼ e^zⱼ", "∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ)", _softmax_sym,
             attrs=(Attr("k", int, default=2, minimum=2, maximum=limits.MAX_PORTS),), jacobian=True,
             kernels=(lambda *zs, k: list(_softmax(zs)), lambda *a, k: _softmax_local(a[:k], a[k], k))),
    Function("cross_entropy", "losses", (), None, None,
             "−ln softmax(z)_y", "sᵢ − [i = y] for logits; 0 for y",
             lambda sp, *xs, k: _ce_sym(sp, xs, k),
             attrs=(Attr("k", int, default=2, minimum=2, maximum=limits.MAX_PORTS),),
             kernels=(lambda *xs, k: _ce_forward(xs, k), lambda *a, k: _ce_local(a[:k + 1], a[k + 1], k))),
)

SOURCE_OPS = ("input", "parameter", "constant")
GROUPS = ("sources", "arithmetic", "activations", "comparisons", "losses", "reductions", "multi-output")


def get(op: str) -> Function:
    try:
        return CATALOGUE[op]
    except (KeyError, TypeError):
        raise UnknownFunctionError(f"unknown Function '{op}'") from None


def run_forward(fn: Function, xs: list, attrs: dict) -> list:
    """Outputs of ``fn`` as a list (one entry per output port)."""
    out = fn.forward(*xs, **attrs)
    return out if isinstance(out, list) else [np.asarray(out, dtype=float)]


def run_local(fn: Function, xs: list, outs: list, attrs: dict):
    """Local derivatives per input port (the Jacobian for softmax)."""
    if fn.jacobian:
        return fn.local(*xs, outs, **attrs)
    return fn.local(*xs, outs[0], **attrs)


def downstream(fn: Function, local, upstream: list) -> list:
    """downstream = local × upstream, per input port (for softmax: Σᵢ upstreamᵢ · ∂sᵢ/∂zⱼ)."""
    if fn.jacobian:  # one stacked product, summed over i in order from 0 (as Python's sum would)
        terms = np.stack(np.broadcast_arrays(*upstream))[:, None] * np.array(local)
        acc = 0 + terms[0]
        for i in range(1, len(upstream)):
            acc = acc + terms[i]
        return list(acc)
    up = upstream[0]
    return [loc * up for loc in local]


def describe(op: str) -> str:
    """One tooltip line: the formula and the local derivative."""
    f = get(op)
    if f.is_source:
        return f"{op}: {f.formula}"
    return f"{op}: {f.formula}    local derivative: {f.derivative}"


# --- the catalogue as a table (docs/FUNCTIONS.md is generated from this) -------------------------
_SOURCE_ATTRS = {"input": "`column`, `value` (optional)", "parameter": "`value` (required)",
                 "constant": "`value` (required)"}


def _ports_text(f: Function) -> str:
    if f.is_source:
        return "—"
    if f.name == "softmax":
        return "z0 … z(k−1)"
    if f.name == "cross_entropy":
        return "z0 … z(k−1), y"
    return ", ".join(f"{i}: {p}" for i, p in enumerate(f.ports))


def _attrs_text(f: Function) -> str:
    if f.is_source:
        return _SOURCE_ATTRS[f.name]
    parts = []
    for a in f.attrs:
        kind = a.kind.__name__
        if a.minimum is not None:
            kind = f"{a.minimum:g} ≤ {kind}" + (f" ≤ {a.maximum:g}" if a.maximum is not None else "")
        extra = "required" if a.required else f"default {a.default:g}"
        parts.append(f"`{a.name}` ({kind}, {extra})")
    return ", ".join(parts)


def _code_text(f: Function) -> str:
    """The single source: forward, then each port's local derivative (— for hand-written kernels)."""
    if f.expr is None:
        return "—" if f.is_source else "kernels written by hand (k ports)"
    return f"`{f.expr}`; " + ", ".join(f"`{loc}`" for loc in f.local_exprs)


def catalogue_markdown() -> str:
    """The Function catalogue as a Markdown table, one row per Function, by palette group."""
    rows = ["| op | group | ports | attrs | forward | local derivative | gate | as written in the catalogue |",
            "|---|---|---|---|---|---|---|---|"]
    for group in GROUPS:
        for f in CATALOGUE.values():
            if f.group == group:
                cells = [f"`{f.name}`", group, _ports_text(f), _attrs_text(f), f.formula,
                         f.derivative, f.gate or "", _code_text(f)]
                rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"
