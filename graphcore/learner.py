"""The learner's own Functions: a forward and a local derivative per port, written as
expressions (never code), checked three ways as the lecture asks — your derivative, sympy's
symbolic derivative of your forward, and a central difference of your forward.

``define(name, ports, forward, derivatives)`` reads and checks the text (the whitelist of
formula.py: numbers, the port names, + − × ÷ **, the catalogue's math functions; size
limits) and gives a catalogue ``Function`` in the group "mine", which every derived place
(engine, fast path, exports, step-through) runs like a built-in one. ``check(fn)`` gives
the verdict. ``register(fn)`` puts it in the catalogue, where graph boxes can use it; a
graph file carries its learner Functions as expressions in an optional ``functions`` block.
"""
from __future__ import annotations

import ast
import gc
import keyword
import math
import operator
import re
import weakref
from dataclasses import dataclass, field

import numpy as np

from . import formula, limits
from . import functions as F
from .errors import DomainError, GraphError
from .numbers import format_number

GROUP = "mine"
MAX_PORTS = 8
RANGE = (-3.0, 3.0)  # where the check draws its points
POINTS = 24
NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}\Z")
BUILT_IN = frozenset(F.CATALOGUE)  # as shipped: a learner's Function may not take one of these names


class LearnerFunctionError(GraphError):
    """A learner Function refused: the one line says what is wrong with it."""


# --- defining -----------------------------------------------------------------------------------
def _name_ok(name, what: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name) or keyword.iskeyword(name):
        raise LearnerFunctionError(f"{what} {name!r} must be a word of letters, digits and _ (starting "
                                   "with a letter, at most 32 characters)")
    if name in formula.PRIMITIVES or name == formula.OUT:
        raise LearnerFunctionError(f"{what} '{name}' is the name of a math function the expressions use")
    return name


def ports_of(forward: str) -> list[str]:
    """The names a forward expression uses, in order of first appearance (its ports by default)."""
    tree = formula.parse(forward, _AnyName(), "the forward")
    seen: dict[str, None] = {}
    for node in _in_order(tree):
        if isinstance(node, ast.Name) and not _is_callee(node, tree):
            seen.setdefault(node.id)
    return list(seen)


class _AnyName(set):
    def __contains__(self, item):
        return True


def _in_order(tree):
    """Nodes left to right, as written."""
    yield tree
    for child in ast.iter_child_nodes(tree):
        yield from _in_order(child)


def _is_callee(name: ast.Name, tree) -> bool:
    return any(isinstance(n, ast.Call) and n.func is name for n in ast.walk(tree))


def define(name: str, ports, forward: str, derivatives) -> F.Function:
    """A learner Function from its text; LearnerFunctionError (one line) for anything wrong.

    ``derivatives``: one expression per port, in port order, or a dict port → expression."""
    if name in BUILT_IN:
        raise LearnerFunctionError(f"'{name}' is a built-in Function: choose another name")
    _name_ok(name, "the name")
    try:
        ports = list(ports_of(forward) if ports is None else ports)
    except formula.FormulaError as exc:
        raise LearnerFunctionError(f"{name}: {exc}") from None
    if not 1 <= len(ports) <= MAX_PORTS:
        raise LearnerFunctionError(f"{name}: a Function takes 1 to {MAX_PORTS} input ports, not {len(ports)}")
    for p in ports:
        _name_ok(p, "the port")
    if len(set(ports)) != len(ports):
        raise LearnerFunctionError(f"{name}: a port name is used twice")
    if isinstance(derivatives, dict):
        for port in derivatives:
            if port not in ports:
                raise LearnerFunctionError(f"{name}: a derivative for the port '{port}', which it does not have "
                                           f"(its ports: {', '.join(ports)})")
        missing = [p for p in ports if p not in derivatives]
        if missing:
            raise LearnerFunctionError(f"{name}: no local derivative for the port '{missing[0]}'")
        derivatives = [derivatives[p] for p in ports]
    derivatives = list(derivatives)
    if len(derivatives) != len(ports):
        raise LearnerFunctionError(f"{name}: {len(derivatives)} local derivative(s) for {len(ports)} port(s) "
                                   f"({', '.join(ports)}): give one per port")
    try:
        tree = formula.build(ports, (), forward, derivatives, name, conditions=False)
    except formula.FormulaError as exc:
        raise LearnerFunctionError(str(exc)) from None
    used = {n.id for n in ast.walk(tree.forward) if isinstance(n, ast.Name)}
    for p in ports:
        if p not in used:
            raise LearnerFunctionError(f"{name}: the forward does not use the port '{p}'")
    for node in ast.walk(tree.forward):
        if isinstance(node, ast.Name) and node.id == formula.OUT:
            raise LearnerFunctionError(f"{name}: the forward cannot use 'out' (it is the forward's own value)")
    fn = F.Function(name, GROUP, tuple(ports), forward.strip(), tuple(d.strip() for d in derivatives),
                    formula.pretty(tree.forward, {p: p for p in ports}),
                    ", ".join(formula.pretty(loc, {p: p for p in ports}, tree.forward) for loc in tree.local),
                    sym=_sym_of(tree.forward, ports))
    if not _sample(fn).any_finite:
        lo, hi = RANGE
        raise LearnerFunctionError(f"{name}: the forward is not a finite number anywhere on the test range "
                                   f"[{lo:g}, {hi:g}]")
    return fn


# --- sympy: the symbolic derivative -------------------------------------------------------------
def _sym_of(tree: ast.expr, ports):
    """``sym(sp, *xs)`` for gradcheck: the forward built in sympy."""
    def sym(sp, *xs):
        return to_sympy(sp, tree, dict(zip(ports, xs)))
    return sym


_SYMPY_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
                 ast.Pow: operator.pow}


def to_sympy(sp, node, env: dict):
    """The tree as a sympy expression over ``env`` (port name → symbol or number)."""
    if isinstance(node, ast.Constant):
        return sp.Rational(node.value) if isinstance(node.value, float) else sp.Integer(node.value)  # no parsing
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        v = to_sympy(sp, node.operand, env)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = to_sympy(sp, node.left, env), to_sympy(sp, node.right, env)
        return _SYMPY_BINOPS[type(node.op)](a, b)
    if isinstance(node, ast.Compare):
        a, b = to_sympy(sp, node.left, env), to_sympy(sp, node.comparators[0], env)
        return {ast.Lt: sp.Lt, ast.Gt: sp.Gt, ast.Eq: sp.Eq}[type(node.ops[0])](a, b)
    if isinstance(node, ast.Call):
        args = [to_sympy(sp, a, env) for a in node.args]
        name = node.func.id
        if name == "where":
            return sp.Piecewise((args[1], args[0]), (args[2], True))
        table = {"exp": sp.exp, "log": sp.log, "abs": sp.Abs, "sin": sp.sin, "cos": sp.cos, "tanh": sp.tanh,
                 "sign": sp.sign, "maximum": sp.Max, "minimum": sp.Min, "power": sp.Pow, "ln_clamped": sp.log,
                 "log1p": lambda a: sp.log(1 + a), "sigmoid": lambda a: 1 / (1 + sp.exp(-a)),
                 "logaddexp": lambda a, b: sp.log(sp.exp(a) + sp.exp(b)),
                 "ln1m_clamped": lambda a: sp.log(1 - a)}
        return table[name](*args)
    raise LearnerFunctionError(f"cannot build {type(node).__name__} in sympy")


# --- the check ----------------------------------------------------------------------------------
@dataclass
class _Sample:
    points: list  # per point: one float per port
    values: list  # forward at each point (nan where it is not finite or not defined)

    @property
    def any_finite(self) -> bool:
        return any(math.isfinite(v) for v in self.values)


def _forward_at(fn: F.Function, xs) -> float:
    try:
        with np.errstate(all="ignore"):
            return float(F.run_forward(fn, [np.asarray(float(x)) for x in xs], {})[0])
    except (DomainError, ArithmeticError, ValueError):
        return math.nan


def _sample(fn: F.Function, seed: int = 0) -> _Sample:
    rng = np.random.default_rng(seed)
    lo, hi = RANGE
    points = [[round(float(v), 2) for v in rng.uniform(lo, hi, len(fn.ports))] for _ in range(POINTS)]
    return _Sample(points, [_forward_at(fn, p) for p in points])


@dataclass
class Verdict:
    """✔ all three agree at every point checked, or ✘ naming the first point where they do not."""

    ok: bool
    text: str
    checked: int = 0
    point: dict | None = None
    port: str | None = None
    yours: float | None = None
    symbolic: float | None = None
    central: float | None = None
    notes: list = field(default_factory=list)

    @property
    def mark(self) -> str:
        return "✔" if self.ok else "✘"

    def as_dict(self) -> dict:
        return {"ok": self.ok, "verdict": self.text, "points_checked": self.checked, "point": self.point,
                "port": self.port, "yours": self.yours, "symbolic": self.symbolic,
                "central_difference": self.central}


def check(fn: F.Function, seed: int = 0) -> Verdict:
    """Your local derivative against sympy's derivative of your forward and a central difference,
    at POINTS random points of RANGE where the forward is defined (kinks and ties skipped: there
    the central difference and the symbolic derivative disagree with each other)."""
    import sympy as sp  # only here: importing graphcore never imports sympy

    tree = fn.tree
    symbols = [sp.Symbol(p, real=True) for p in fn.ports]
    env = dict(zip(fn.ports, symbols))
    forward = to_sympy(sp, tree.forward, env)
    derivs = [sp.diff(forward, s) for s in symbols]
    sample = _sample(fn, seed)
    checked = 0
    for point, value in zip(sample.points, sample.values):
        if not math.isfinite(value):
            continue
        xs = [np.asarray(x) for x in point]
        with np.errstate(all="ignore"):
            try:
                yours_all = F.run_local(fn, xs, [np.asarray(value)], {})
            except (DomainError, ArithmeticError, ValueError):
                yours_all = [math.nan] * len(xs)
        subs = dict(zip(symbols, [sp.Float(x) for x in point]))
        good = True
        for port, (name, d) in enumerate(zip(fn.ports, derivs)):
            symbolic = _real(d.subs(subs))
            central = _central(fn, point, port)
            if symbolic is None or central is None or not _close(central, symbolic, 1e-4):
                good = False  # not differentiable here (a kink, a tie, the edge of the domain): skip
                break
            yours = float(np.asarray(yours_all[port], dtype=float))
            if not (math.isfinite(yours) and _close(yours, symbolic, 1e-6)):
                at = ", ".join(f"{p} = {x:g}" for p, x in zip(fn.ports, point))
                which = "" if len(fn.ports) == 1 else f" for {name}"
                text = (f"at {at} your derivative{which} gives {format_number(yours, 4)}, "
                        f"symbolic {format_number(symbolic, 4)}, central difference {format_number(central, 4)}")
                return Verdict(False, text, checked, dict(zip(fn.ports, point)), name, yours, symbolic, central)
        checked += good
    if checked == 0:
        return Verdict(False, f"no point of [{RANGE[0]:g}, {RANGE[1]:g}] where {fn.name} is differentiable "
                              "to check the derivative at", 0)
    return Verdict(True, f"your derivative, the symbolic one and a central difference agree at {checked} points",
                   checked)


def _real(expr) -> float | None:
    try:
        v = complex(expr.evalf())
    except (TypeError, ValueError):
        return None
    if abs(v.imag) > 1e-12 or not math.isfinite(v.real):
        return None
    return v.real


def _central(fn: F.Function, point, port: int) -> float | None:
    x = point[port]
    h = 1e-6 * max(1.0, abs(x))
    up, down = list(point), list(point)
    up[port], down[port] = x + h, x - h
    d = (_forward_at(fn, up) - _forward_at(fn, down)) / (2 * h)
    return d if math.isfinite(d) else None


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol * (1.0 + abs(b))


# --- in the catalogue and in graph files --------------------------------------------------------
def register(fn: F.Function) -> F.Function:
    """Make ``fn`` a catalogue Function boxes can use (replacing a learner Function of that name)."""
    if fn.name in BUILT_IN:
        raise LearnerFunctionError(f"'{fn.name}' is a built-in Function: choose another name")
    F.CATALOGUE[fn.name] = fn
    return fn


# --- one definition per name while anything uses it ---------------------------------------------
# The catalogue is global, so redefining a name would change the numbers of every graph using
# it. Graphs read from files and the learner's library are "holders" of the definitions they
# use; a definition that differs from a held one is refused (the same definition is shared).
_holders: dict[str, weakref.WeakSet] = {}


def definition(fn: F.Function) -> tuple:
    return fn.name, fn.ports, fn.expr, fn.local_exprs


def hold(holder, fns) -> None:
    """``holder`` (a Graph or a library) relies on these Functions keeping their definitions."""
    for fn in fns:
        _holders.setdefault(fn.name, weakref.WeakSet()).add(holder)


def release(holder, name: str) -> None:
    if name in _holders:
        _holders[name].discard(holder)


def holder_text(holder) -> str:
    meta = getattr(holder, "meta", None)
    if meta is not None:
        return f"the open graph '{meta.get('name') or 'untitled'}'"
    return getattr(holder, "title", "another holder")


def clash(fn: F.Function, ignore=None, also=()) -> str | None:
    """Why ``fn`` may not be registered: its name is defined differently by something still in
    use (an open graph with a box of it, or the library; ``also``: more such holders, e.g. the
    window's own graph) — or None."""
    current = F.CATALOGUE.get(fn.name)
    if current is None or current.group != GROUP or definition(current) == definition(fn):
        return None
    if not _holders.get(fn.name) and not also:
        return None
    gc.collect()  # a graph that is no longer open may still wait in a reference cycle
    for holder in [*also, *_holders.get(fn.name, ())]:
        if holder is ignore:
            continue
        uses = getattr(holder, "nodes", None)
        if uses is not None and not any(holder.op(n) == fn.name for n in holder.nodes()):
            continue  # a graph whose boxes of it were all deleted
        if uses is None and getattr(holder, "functions", {}).get(fn.name) is not current:
            continue  # a library that no longer keeps the catalogue's definition
        return (f"your Function {fn.name} is already defined differently by {holder_text(holder)}: "
                f"give this one another name")
    return None


def register_all(fns, ignore=None, also=()) -> list[F.Function]:
    """Register every one or, on a clash, none (LearnerFunctionError naming it); returns the
    catalogue's Functions — for a definition already there, the one already there (shared)."""
    for fn in fns:
        why = clash(fn, ignore, also)
        if why:
            raise LearnerFunctionError(why)
    out = []
    for fn in fns:
        current = F.CATALOGUE.get(fn.name)
        same = current is not None and current.group == GROUP and definition(current) == definition(fn)
        out.append(current if same else register(fn))
    return out


def to_record(fn: F.Function) -> dict:
    """What a graph file stores: expressions, never code."""
    return {"name": fn.name, "ports": list(fn.ports), "forward": fn.expr,
            "derivatives": dict(zip(fn.ports, fn.local_exprs))}


def read_block(block, fail) -> list[F.Function]:
    """A ``functions`` block (a graph file's or the library's) read into Functions; ``fail``
    is called with a one-line reason for the first thing wrong (it must raise)."""
    if not isinstance(block, list):
        fail("'functions' must be a list of Functions")
    if len(block) > limits.MAX_FUNCTIONS:
        fail("'functions': " + limits.too_many("learner Functions", len(block), limits.MAX_FUNCTIONS))
    fns = []
    for rec in block:
        try:
            fns.append(from_record(rec))
        except GraphError as exc:
            fail(f"'functions': {exc}")
    return fns


def from_record(rec) -> F.Function:
    """A Function from a graph file's ``functions`` block (checked like one typed in)."""
    if not isinstance(rec, dict):
        raise LearnerFunctionError("each entry of 'functions' must be an object")
    unknown = set(rec) - {"name", "ports", "forward", "derivatives"}
    if unknown:
        raise LearnerFunctionError(f"a Function in 'functions' has the unknown key '{sorted(unknown)[0]}'")
    name, ports, forward, derivs = rec.get("name"), rec.get("ports"), rec.get("forward"), rec.get("derivatives")
    if not isinstance(ports, list) or not all(isinstance(p, str) for p in ports):
        raise LearnerFunctionError(f"Function {name!r}: 'ports' must be a list of names")
    if not isinstance(forward, str):
        raise LearnerFunctionError(f"Function {name!r}: 'forward' must be an expression (text)")
    if not isinstance(derivs, dict) or not all(isinstance(v, str) for v in derivs.values()):
        raise LearnerFunctionError(f"Function {name!r}: 'derivatives' must map each port to an expression")
    return define(name, ports, forward, derivs)


def used_by(graph) -> list[F.Function]:
    """The learner Functions a graph's boxes use, in order of first use."""
    seen: dict[str, F.Function] = {}
    for node in graph.nodes():
        fn = F.CATALOGUE.get(graph.op(node))
        if fn is not None and fn.group == GROUP:
            seen.setdefault(fn.name, fn)
    return list(seen.values())


_verdicts: dict[tuple, Verdict] = {}


def verdict(fn: F.Function) -> Verdict:
    """``check(fn)``, remembered for this exact definition (the palette and Train ask often)."""
    key = (fn.name, fn.ports, fn.expr, fn.local_exprs)
    if key not in _verdicts:
        _verdicts[key] = check(fn)
    return _verdicts[key]


class UncheckedFunctionError(LearnerFunctionError):
    """Training refused: a learner Function's local derivative fails its check."""


def train_refusal(graph) -> tuple[str, list[str]] | None:
    """Why training must not start — a learner Function whose derivative is wrong, with the
    verdict's point and three values, and the boxes using it — or None. The one rule: the
    Trainer (hence ``graphcore train``) and the window's Train and Step all ask here."""
    for fn in used_by(graph):
        v = verdict(fn)
        if not v.ok:
            boxes = [n for n in graph.nodes() if graph.op(n) == fn.name]
            return f"Train refuses your Function {fn.name}: ✘ {v.text}", boxes
    return None


def refuse_training(graph) -> None:
    """``train_refusal`` as an error (UncheckedFunctionError naming the boxes), for the Trainer."""
    refusal = train_refusal(graph)
    if refusal:
        raise UncheckedFunctionError(*refusal)
