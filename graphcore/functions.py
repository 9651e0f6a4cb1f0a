"""The Function catalogue (SPEC §2): each Function's forward and local derivatives side by side.

A Function box takes Variables on numbered input ports and produces Variables on its
output ports. ``forward(xs, **attrs)`` returns the outputs; ``local(xs, outs, **attrs)``
returns one local derivative per input port, so that backprop is, per port,

    downstream = local × upstream

Everything is vectorised over samples with numpy (a Variable is an array of shape
``(m,)`` or a scalar of shape ``()``). ``softmax`` is the one Function with several
outputs; its local derivative is the Jacobian ``J[i][j] = ∂sᵢ/∂zⱼ``.

``sym`` builds the same Function in sympy for the symbolic derivative check; sympy
is passed in so that importing the catalogue never imports sympy.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import limits
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
    forward: Callable | None
    local: Callable | None
    formula: str  # forward, in the course's notation
    derivative: str  # local derivatives, per port
    sym: Callable | None = None
    attrs: tuple[Attr, ...] = ()
    gate: str | None = None  # the lecture's name for how the gradient flows
    jacobian: bool = False  # local() returns a Jacobian (multi-output softmax)
    reduces: bool = False  # output is a scalar whatever the input (mean, sum)

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

    def resolve_attrs(self, given: dict | None, box: str = "?") -> dict:
        """Check a box's attrs against this Function's and fill in defaults."""
        given = dict(given or {})
        known = {a.name: a for a in self.attrs}
        for key in given:
            if key not in known:
                raise BadAttributeError(f"box '{box}': {self.name} takes no attribute '{key}'", [box])
        out = {}
        for a in self.attrs:
            if a.name not in given or given[a.name] is None:
                if a.required:
                    raise BadAttributeError(f"box '{box}': {self.name} needs the attribute '{a.name}'", [box])
                if a.default is not None:
                    out[a.name] = a.default
                continue
            v = given[a.name]
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise BadAttributeError(f"box '{box}': attribute '{a.name}' must be a number, not {v!r}", [box])
            if not -1e308 < v < 1e308:  # nan, inf, or a whole number too big for a float
                raise BadAttributeError(f"box '{box}': attribute '{a.name}' must be finite, not {v!r}", [box])
            if a.kind is int:
                if float(v) != int(v):
                    raise BadAttributeError(f"box '{box}': attribute '{a.name}' must be a whole number, not {v!r}",
                                            [box])
                v = int(v)
            else:
                v = float(v)
                if not np.isfinite(v):
                    raise BadAttributeError(f"box '{box}': attribute '{a.name}' must be finite, not {v!r}", [box])
            if a.minimum is not None and v < a.minimum:
                raise BadAttributeError(f"box '{box}': attribute '{a.name}' must be at least {a.minimum:g}, "
                                        f"not {v!r}", [box])
            if a.maximum is not None and v > a.maximum:
                raise BadAttributeError(f"box '{box}': attribute '{a.name}' must be at most {a.maximum:g}, "
                                        f"not {v!r}", [box])
            out[a.name] = v
        return out


# --- numerically stable helpers ------------------------------------------------------
def sigmoid(x):
    """σ(x) without overflow: exp is only taken of a number ≤ 0."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sign(x):
    return np.sign(x)


def _ones(x):
    return np.ones_like(x)


def _samples(x) -> int:
    return x.shape[0] if np.ndim(x) else 1


def _softmax(zs):
    z = np.stack(np.broadcast_arrays(*zs))
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)


def _class_index(y, k, box="?"):
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
    yi = _class_index(y, k)
    zmax = z.max(axis=0)
    lse = zmax + np.log(np.exp(z - zmax).sum(axis=0))
    return lse - np.take_along_axis(z, yi[None, ...], axis=0)[0]


def _ce_local(xs, out, k):
    *zs, y = np.broadcast_arrays(*xs[:k + 1])
    s = _softmax(zs)
    yi = _class_index(y, k)
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


_HALF = 0.5

CATALOGUE: dict[str, Function] = {}


def _define(*fns: Function):
    for f in fns:
        CATALOGUE[f.name] = f


_define(
    # --- sources: no input ports; the engine feeds them --------------------------
    Function("input", "sources", (), None, None, "a data column (or its value)", "—"),
    Function("parameter", "sources", (), None, None, "a trainable value", "—"),
    Function("constant", "sources", (), None, None, "a fixed value", "—"),
    # --- one input -----------------------------------------------------------------
    Function("identity", "arithmetic", ("x",), lambda x: x, lambda x, o: [_ones(x)],
             "x", "1", lambda sp, x: x),
    Function("neg", "arithmetic", ("x",), lambda x: -x, lambda x, o: [-_ones(x)],
             "−x", "−1", lambda sp, x: -x),
    Function("inv", "arithmetic", ("x",), lambda x: 1.0 / x, lambda x, o: [-1.0 / (x * x)],
             "1/x", "−1/x²", lambda sp, x: 1 / x),
    Function("square", "arithmetic", ("x",), lambda x: x * x, lambda x, o: [2.0 * x],
             "x²", "2x", lambda sp, x: x**2),
    Function("pow", "arithmetic", ("x",), lambda x, exponent: np.power(x, exponent),
             lambda x, o, exponent: [exponent * np.power(x, exponent - 1.0) if exponent else np.zeros_like(x)],
             "xᵖ", "p·xᵖ⁻¹", lambda sp, x, exponent: x ** sp.nsimplify(exponent),
             attrs=(Attr("exponent", float, required=True),)),
    Function("exp", "arithmetic", ("x",), np.exp, lambda x, o: [o],
             "eˣ", "eˣ", lambda sp, x: sp.exp(x)),
    Function("log", "arithmetic", ("x",), _check_log, lambda x, o: [1.0 / x],
             "ln x", "1/x", lambda sp, x: sp.log(x)),
    Function("abs", "arithmetic", ("x",), np.abs, lambda x, o: [_sign(x)],
             "|x|", "sign(x) (0 at 0)", lambda sp, x: sp.Abs(x)),
    Function("sin", "arithmetic", ("x",), np.sin, lambda x, o: [np.cos(x)],
             "sin x", "cos x", lambda sp, x: sp.sin(x)),
    Function("cos", "arithmetic", ("x",), np.cos, lambda x, o: [-np.sin(x)],
             "cos x", "−sin x", lambda sp, x: sp.cos(x)),
    # --- activations -----------------------------------------------------------------
    Function("tanh", "activations", ("x",), np.tanh, lambda x, o: [1.0 - o * o],
             "tanh x", "1 − tanh²x", lambda sp, x: sp.tanh(x)),
    Function("sigmoid", "activations", ("x",), sigmoid, lambda x, o: [o * (1.0 - o)],
             "σ(x) = 1/(1+e⁻ˣ)", "σ(x)(1−σ(x))", lambda sp, x: 1 / (1 + sp.exp(-x))),
    Function("relu", "activations", ("x",), lambda x: np.maximum(x, 0.0),
             lambda x, o: [(x > 0).astype(float)],
             "max(0, x)", "1 if x > 0 else 0",
             lambda sp, x: sp.Piecewise((x, x > 0), (0, True))),
    Function("leaky_relu", "activations", ("x",), lambda x, slope: np.where(x > 0, x, slope * x),
             lambda x, o, slope: [np.where(x > 0, 1.0, slope)],
             "x if x > 0 else slope·x", "1 if x > 0 else slope",
             lambda sp, x, slope: sp.Piecewise((x, x > 0), (sp.nsimplify(slope) * x, True)),
             attrs=(Attr("slope", float, default=0.01),)),
    Function("softplus", "activations", ("x",), lambda x: np.logaddexp(0.0, x),
             lambda x, o: [sigmoid(x)],
             "ln(1+eˣ)", "σ(x)", lambda sp, x: sp.log(1 + sp.exp(x))),
    # --- two inputs ------------------------------------------------------------------
    Function("add", "arithmetic", ("a", "b"), lambda a, b: a + b,
             lambda a, b, o: [_ones(o), _ones(o)],
             "a + b", "1, 1", lambda sp, a, b: a + b, gate="add distributes"),
    Function("sub", "arithmetic", ("a", "b"), lambda a, b: a - b,
             lambda a, b, o: [_ones(o), -_ones(o)],
             "a − b", "1, −1", lambda sp, a, b: a - b, gate="sub distributes (and negates b)"),
    Function("mul", "arithmetic", ("a", "b"), lambda a, b: a * b,
             lambda a, b, o: [b * _ones(o), a * _ones(o)],
             "a·b", "b, a", lambda sp, a, b: a * b, gate="mul swaps"),
    Function("div", "arithmetic", ("a", "b"), lambda a, b: a / b,
             lambda a, b, o: [1.0 / b * _ones(o), -a / (b * b)],
             "a / b", "1/b, −a/b²", lambda sp, a, b: a / b),
    Function("max", "arithmetic", ("a", "b"), np.maximum,
             lambda a, b, o: [np.where(a > b, 1.0, np.where(a < b, 0.0, _HALF)),
                              np.where(a < b, 1.0, np.where(a > b, 0.0, _HALF))],
             "max(a, b)", "(1,0) if a > b, (0,1) if a < b, (½,½) on a tie",
             lambda sp, a, b: sp.Piecewise((a, a > b), (b, a < b), ((a + b) / 2, True)),
             gate="max routes"),
    Function("min", "arithmetic", ("a", "b"), np.minimum,
             lambda a, b, o: [np.where(a < b, 1.0, np.where(a > b, 0.0, _HALF)),
                              np.where(a > b, 1.0, np.where(a < b, 0.0, _HALF))],
             "min(a, b)", "(1,0) if a < b, (0,1) if a > b, (½,½) on a tie",
             lambda sp, a, b: sp.Piecewise((a, a < b), (b, a > b), ((a + b) / 2, True)),
             gate="min routes"),
    Function("lt", "comparisons", ("a", "b"), lambda a, b: (a < b).astype(float),
             lambda a, b, o: [np.zeros_like(o), np.zeros_like(o)],
             "1 if a < b else 0", "0, 0", lambda sp, a, b: sp.Piecewise((1, a < b), (0, True))),
    Function("gt", "comparisons", ("a", "b"), lambda a, b: (a > b).astype(float),
             lambda a, b, o: [np.zeros_like(o), np.zeros_like(o)],
             "1 if a > b else 0", "0, 0", lambda sp, a, b: sp.Piecewise((1, a > b), (0, True))),
    Function("eq", "comparisons", ("a", "b"), lambda a, b: (a == b).astype(float),
             lambda a, b, o: [np.zeros_like(o), np.zeros_like(o)],
             "1 if a = b else 0", "0, 0", lambda sp, a, b: sp.Piecewise((1, sp.Eq(a, b)), (0, True))),
    # --- losses ----------------------------------------------------------------------
    Function("squared_error", "losses", ("a", "b"), lambda a, b: (a - b) ** 2,
             lambda a, b, o: [2.0 * (a - b), -2.0 * (a - b)],
             "(a − b)²", "2(a−b), −2(a−b)", lambda sp, a, b: (a - b) ** 2),
    Function("bce", "losses", ("a", "b"),
             lambda a, b: (b - 1.0) * ln1m_clamped(a) - b * ln_clamped(a),
             lambda a, b, o: [(a - b) / np.maximum(a * (1.0 - a), BCE_EPS), ln1m_clamped(a) - ln_clamped(a)],
             "−[b ln a + (1−b) ln(1−a)]", "(a−b)/(a(1−a)), ln(1−a) − ln a",
             lambda sp, a, b: -(b * sp.log(a) + (1 - b) * sp.log(1 - a))),
    Function("bce_logits", "losses", ("z", "y"),
             lambda z, b: np.maximum(z, 0.0) - z * b + np.log1p(np.exp(-np.abs(z))),
             lambda z, b, o: [sigmoid(z) - b, -z * _ones(o)],
             "max(z,0) − z·y + ln(1+e^−|z|)", "σ(z) − y, −z",
             lambda sp, z, b: sp.log(1 + sp.exp(z)) - z * b),
    # --- reductions over samples -------------------------------------------------------
    Function("mean", "reductions", ("x",), lambda x: np.asarray(np.mean(x)) if np.ndim(x) else x,
             lambda x, o: [np.full_like(x, 1.0 / _samples(x))],
             "1/m Σᵢ xᵢ", "1/m for each sample", lambda sp, x: x, reduces=True),
    Function("sum", "reductions", ("x",), lambda x: np.asarray(np.sum(x)) if np.ndim(x) else x,
             lambda x, o: [_ones(x)],
             "Σᵢ xᵢ", "1 for each sample", lambda sp, x: x, reduces=True),
    # --- multi-output ----------------------------------------------------------------
    Function("softmax", "multi-output", (), lambda *zs, k: list(_softmax(zs)),
             lambda *a, k: _softmax_local(a[:k], a[k], k),
             "sᵢ = e^zᵢ / Σⱼ e^zⱼ", "∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ)", _softmax_sym,
             attrs=(Attr("k", int, default=2, minimum=2, maximum=limits.MAX_PORTS),), jacobian=True),
    Function("cross_entropy", "losses", (), lambda *xs, k: _ce_forward(xs, k),
             lambda *a, k: _ce_local(a[:k + 1], a[k + 1], k),
             "−ln softmax(z)_y", "sᵢ − [i = y] for logits; 0 for y",
             lambda sp, *xs, k: _ce_sym(sp, xs, k),
             attrs=(Attr("k", int, default=2, minimum=2, maximum=limits.MAX_PORTS),), gate=None),
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
    if fn.jacobian:
        k = len(upstream)
        return [sum(upstream[i] * local[i][j] for i in range(k)) for j in range(k)]
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


def catalogue_markdown() -> str:
    """The Function catalogue as a Markdown table, one row per Function, by palette group."""
    rows = ["| op | group | ports | attrs | forward | local derivative | gate |",
            "|---|---|---|---|---|---|---|"]
    for group in GROUPS:
        for f in CATALOGUE.values():
            if f.group == group:
                cells = [f"`{f.name}`", group, _ports_text(f), _attrs_text(f), f.formula,
                         f.derivative, f.gate or ""]
                rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"
