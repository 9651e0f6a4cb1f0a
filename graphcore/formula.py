"""A Function's forward and local derivatives as expression trees, printed per dialect.

The catalogue (functions.py) writes each Function once, as Python-expression text over its
port names, its attributes and ``out`` (the output, which a local derivative may reuse:
tanh's is ``1.0 - out * out``). The text is read by a small parser of
this module's own into ``ast`` nodes (never handed to ``compile``), checked against a
whitelist, and never evaluated as written; from the tree are printed:

* ``numpy``: code for the engine's kernels and the fast path (primitives as ``_exp`` …),
* ``export``: the numpy export's lines (``np.exp``, the script's ``sigmoid`` …),
* ``torch``: the PyTorch export's forward (autograd then gives the derivative),
* ``pretty``: the course's notation for the step-through (``σ({x}) · (1 − σ({x}))``).

Every printer keeps the tree's shape (``ast.unparse`` puts the brackets), so each dialect
does the same operations in the same order and gives the same numbers bit for bit.
"""
from __future__ import annotations

import ast
import copy
import keyword
import operator
import re
from dataclasses import dataclass
from typing import Callable

from .errors import GraphError

MAX_CHARS = 500
MAX_NODES = 200
OUT = "out"  # the output's name inside a local derivative

_BINOPS = {ast.Add: " + ", ast.Sub: " − ", ast.Mult: " · ", ast.Div: " / ", ast.Pow: "^"}
_COMPARE = {ast.Lt: " < ", ast.Gt: " > ", ast.Eq: " = "}


class FormulaError(GraphError):
    """An expression outside the whitelist, or one naming something that does not exist."""


@dataclass(frozen=True)
class Primitive:
    """A math function an expression may call: its arity and how each dialect writes it."""

    arity: int
    export: str  # the numpy export's name (np.exp, or a helper the script defines)
    torch: str | None  # torch's name; None: ``torch_code`` writes it
    pretty: Callable[[list], str]  # from (text, precedence) per argument
    prec: int = 6  # of what pretty writes: 6 an atom, 5 a power, 3 a product, 0 a conditional


def _w(arg: tuple[str, int]) -> str:
    """An argument as a factor: brackets unless it is an atom."""
    return arg[0] if arg[1] >= 6 else f"({arg[0]})"


PRIMITIVES: dict[str, Primitive] = {
    "exp": Primitive(1, "np.exp", "torch.exp", lambda a: f"e^{_w(a[0])}", 5),
    "log": Primitive(1, "np.log", "torch.log", lambda a: f"ln({a[0][0]})"),
    "log1p": Primitive(1, "np.log1p", "torch.log1p", lambda a: f"ln(1 + {a[0][0]})"),
    "abs": Primitive(1, "np.abs", "torch.abs", lambda a: f"|{a[0][0]}|"),
    "sin": Primitive(1, "np.sin", "torch.sin", lambda a: f"sin({a[0][0]})"),
    "cos": Primitive(1, "np.cos", "torch.cos", lambda a: f"cos({a[0][0]})"),
    "tanh": Primitive(1, "np.tanh", "torch.tanh", lambda a: f"tanh({a[0][0]})"),
    "sigmoid": Primitive(1, "sigmoid", "torch.sigmoid", lambda a: f"σ({a[0][0]})"),
    "sign": Primitive(1, "np.sign", "torch.sign", lambda a: f"sign({a[0][0]})"),
    "maximum": Primitive(2, "np.maximum", None, lambda a: f"max({a[0][0]}, {a[1][0]})"),
    "minimum": Primitive(2, "np.minimum", None, lambda a: f"min({a[0][0]}, {a[1][0]})"),
    "logaddexp": Primitive(2, "np.logaddexp", None, lambda a: f"ln(1 + e^{_w(a[1])})" if a[0][0] == "0"
                           else f"ln(e^{_w(a[0])} + e^{_w(a[1])})"),
    "power": Primitive(2, "np.power", "torch.pow", lambda a: f"{_w(a[0])}^{_w(a[1])}", 5),
    "where": Primitive(3, "np.where", "torch.where", lambda a: f"{a[1][0]} if {a[0][0]} else {a[2][0]}", 0),
    "asfloat": Primitive(1, "", None, lambda a: f"1 if {a[0][0]} else 0", 0),  # a comparison as 1.0 / 0.0
    "ln_clamped": Primitive(1, "ln_clamped", None, lambda a: f"ln({a[0][0]})"),
    "ln1m_clamped": Primitive(1, "ln1m_clamped", None, lambda a: f"ln(1 − {a[0][0]})"),
    "mean": Primitive(1, "np.mean", "torch.mean", lambda a: f"1/m Σᵢ {_w(a[0])}ᵢ", 3),
    "sum": Primitive(1, "np.sum", "torch.sum", lambda a: f"Σᵢ {_w(a[0])}ᵢ", 3),
    "samples": Primitive(1, "np.size", None, lambda a: "m"),
    "full_like": Primitive(2, "np.full_like", None, lambda a: a[1][0]),
    "ones_like": Primitive(1, "np.ones_like", None, lambda a: "1"),
}


@dataclass(frozen=True)
class Formula:
    """One Function's forward and local derivatives (one per port), parsed and checked."""

    ports: tuple[str, ...]
    attrs: tuple[str, ...]
    forward: ast.expr
    local: tuple[ast.expr, ...]


def parse(text: str, names: set[str], what: str, conditions: bool = False) -> ast.expr:
    """``text`` as a checked tree: numbers, ``names``, + − × ÷ **, one comparison, calls of
    PRIMITIVES (``conditions``: also ``a if c else b``, for the catalogue's own attributes)."""
    if not isinstance(text, str) or not text.strip():
        raise FormulaError(f"{what}: the expression is empty")
    if len(text) > MAX_CHARS:
        raise FormulaError(f"{what}: the expression is longer than {MAX_CHARS} characters")
    tree = _Parser(text, what, conditions).parse()
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise FormulaError(f"{what}: the expression has more than {MAX_NODES} parts")
    callees = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
    for node in nodes:
        if id(node) not in callees:  # a call's function name is checked with its call
            _check_node(node, names, what, conditions)
    return tree


# --- reading the text: a small parser of its own, so no text ever reaches compile() ---------------
_TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
                    r"|(?P<op>\*\*|==|<=|>=|!=|[-+*/()<>,])|(?P<bad>\S))")
_CMP = {"<": ast.Lt, ">": ast.Gt, "==": ast.Eq}
_ARITH = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div}


class _Parser:
    """Recursive descent over the whitelist's grammar, building the same ``ast`` nodes Python
    would (so ``-x**2`` is ``-(x**2)`` and ``a - b - c`` is ``(a - b) - c``)::

        ternary := compare ["if" compare "else" ternary]     (catalogue entries only)
        compare := arith [("<" | ">" | "==") arith]
        arith   := term (("+" | "-") term)*
        term    := unary (("*" | "/") unary)*
        unary   := ("-" | "+") unary | power
        power   := atom ["**" unary]
        atom    := number | name | name "(" ternary ("," ternary)* ")" | "(" ternary ")"
    """

    def __init__(self, text: str, what: str, conditions: bool):
        self.what, self.conditions, self.tokens = what, conditions, []
        pos = 0
        text = text.rstrip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            kind = m.lastgroup
            if kind == "bad":
                raise FormulaError(f"{what}: col {m.start(kind) + 1}: '{m.group(kind)}' is not allowed "
                                   "(numbers, names, + - * / **, brackets and math functions only)")
            if kind == "name" and keyword.iskeyword(m.group(kind)) and not (
                    conditions and m.group(kind) in ("if", "else")):
                raise FormulaError(f"{what}: col {m.start(kind) + 1}: '{m.group(kind)}' is not allowed")
            self.tokens.append((kind, m.group(kind), m.start(kind) + 1))
            pos = m.end()
        self.i = 0

    def peek(self, value=None):
        tok = self.tokens[self.i] if self.i < len(self.tokens) else ("end", "", 0)
        return tok if value is None or tok[1] == value else None

    def take(self, value=None):
        tok = self.peek()
        if value is not None and tok[1] != value:
            where = f"col {tok[2]}" if tok[0] != "end" else "the end"
            raise FormulaError(f"{self.what}: {where}: expected '{value}'")
        self.i += 1
        return tok

    def parse(self) -> ast.expr:
        tree = self.ternary()
        kind, value, col = self.peek()
        if kind != "end":
            raise FormulaError(f"{self.what}: col {col}: unexpected '{value}'")
        return tree

    def ternary(self):
        body = self.compare()
        if self.peek("if"):
            if not self.conditions:
                raise FormulaError(f"{self.what}: 'if … else' is not allowed (use where(condition, a, b))")
            self.take("if")
            test = self.compare()
            self.take("else")
            return ast.IfExp(test, body, self.ternary())
        return body

    def compare(self):
        left = self.arith()
        kind, value, col = self.peek()
        if kind == "op" and value in ("<=", ">=", "!="):
            raise FormulaError(f"{self.what}: col {col}: only the comparisons <, > and == are allowed")
        if kind == "op" and value in _CMP:
            self.take()
            right = self.arith()
            if self.peek()[1] in _CMP:
                raise FormulaError(f"{self.what}: one comparison at a time")
            return ast.Compare(left, [_CMP[value]()], [right])
        return left

    def arith(self):
        node = self.term()
        while self.peek()[1] in ("+", "-"):
            node = ast.BinOp(node, _ARITH[self.take()[1]](), self.term())
        return node

    def term(self):
        node = self.unary()
        while self.peek()[1] in ("*", "/"):
            node = ast.BinOp(node, _ARITH[self.take()[1]](), self.unary())
        return node

    def unary(self):
        if self.peek()[1] in ("-", "+"):
            op = ast.USub() if self.take()[1] == "-" else ast.UAdd()
            return ast.UnaryOp(op, self.unary())
        return self.power()

    def power(self):
        base = self.atom()
        if self.peek("**"):
            self.take()
            return ast.BinOp(base, ast.Pow(), self.unary())
        return base

    def atom(self):
        kind, value, col = self.take()
        if kind == "num":
            number = float(value)
            if number == int(number) and abs(number) < 2 ** 53 and not any(c in value for c in ".eE"):
                return ast.Constant(int(value))
            return ast.Constant(number)
        if kind == "name":
            if value in ("if", "else", "lambda", "for", "in", "and", "or", "not", "is"):
                raise FormulaError(f"{self.what}: col {col}: '{value}' is not allowed")
            if self.peek("("):
                self.take("(")
                args = [] if self.peek(")") else [self.ternary()]
                while self.peek(","):
                    self.take(",")
                    args.append(self.ternary())
                self.take(")")
                return ast.Call(ast.Name(value, ast.Load()), args, [])
            return ast.Name(value, ast.Load())
        if value == "(":
            inner = self.ternary()
            self.take(")")
            return inner
        where = f"col {col}" if kind != "end" else "the end"
        raise FormulaError(f"{self.what}: {where}: expected a number, a name or '('")


def _check_node(node, names: set[str], what: str, conditions: bool) -> None:
    if isinstance(node, (ast.operator, ast.unaryop, ast.cmpop, ast.expr_context)):
        if isinstance(node, ast.operator) and type(node) not in _BINOPS:
            raise FormulaError(f"{what}: the operator {type(node).__name__} is not allowed (use + - * / **)")
        if isinstance(node, ast.unaryop) and not isinstance(node, (ast.USub, ast.UAdd)):
            raise FormulaError(f"{what}: only a leading - or + is allowed")
        if isinstance(node, ast.cmpop) and type(node) not in _COMPARE:
            raise FormulaError(f"{what}: only the comparisons <, > and == are allowed")
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise FormulaError(f"{what}: only numbers are allowed, not {node.value!r}")
    elif isinstance(node, ast.Name):
        if node.id not in names:
            allowed = ", ".join(sorted(names)) or "none"
            raise FormulaError(f"{what}: unknown name '{node.id}' (the names it may use: {allowed})")
    elif isinstance(node, ast.Call):
        allowed = PRIMITIVES if conditions else learner_functions()  # the catalogue's own, or a learner's
        if not isinstance(node.func, ast.Name) or node.func.id not in allowed:
            raise FormulaError(f"{what}: only the math functions {', '.join(learner_functions())} may be called")
        if node.keywords or len(node.args) != PRIMITIVES[node.func.id].arity:
            n = PRIMITIVES[node.func.id].arity
            raise FormulaError(f"{what}: {node.func.id} takes {n} argument{'s' if n != 1 else ''}")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise FormulaError(f"{what}: '*' unpacking is not allowed")
    elif isinstance(node, ast.Compare):
        if len(node.ops) != 1:
            raise FormulaError(f"{what}: one comparison at a time")
    elif isinstance(node, ast.IfExp) and conditions:
        return
    elif not isinstance(node, (ast.BinOp, ast.UnaryOp)):
        raise FormulaError(f"{what}: {type(node).__name__} is not allowed in a formula")


def learner_functions() -> list[str]:
    """The math functions a learner's expression may call."""
    return [n for n in PRIMITIVES if n not in ("asfloat", "samples", "full_like", "ones_like", "mean", "sum")]


def build(ports, attrs, forward: str, local, what: str, conditions: bool = True) -> Formula:
    """Parse a Function's forward (over ports and attrs) and one local derivative per port
    (over ports, attrs and ``out``)."""
    ports, attrs = tuple(ports), tuple(attrs)
    fwd = parse(forward, set(ports) | set(attrs), f"{what}: forward", conditions)
    if local is None or len(local) != len(ports):
        missing = len(ports) if local is None else len(ports) - len(local)
        raise FormulaError(f"{what}: {'no' if missing == len(ports) else 'a missing'} local derivative"
                           f" ({len(ports)} input port{'s' if len(ports) != 1 else ''}, "
                           f"{0 if local is None else len(local)} given)")
    locs = tuple(parse(text, set(ports) | set(attrs) | {OUT}, f"{what}: local derivative for port '{p}'",
                       conditions)
                 for p, text in zip(ports, local))
    return Formula(ports, attrs, fwd, locs)


# --- printing -------------------------------------------------------------------------------------
_FOLD = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


class _Rename(ast.NodeTransformer):
    """Names → code, attrs → literals where known, calls → a dialect's names; folds what the
    attrs decide (``p * x if p else 0.0``) and arithmetic on literals (as Python would)."""

    def __init__(self, names: dict, consts: dict, call: Callable):
        self.names, self.consts, self.call = names, consts, call

    def visit_Name(self, node):
        if node.id in self.consts:
            return ast.Constant(self.consts[node.id])
        return ast.Name(self.names.get(node.id, node.id), ast.Load())

    def visit_IfExp(self, node):
        test = self.visit(node.test)
        if isinstance(test, ast.Constant):
            return self.visit(node.body if test.value else node.orelse)
        return ast.IfExp(test, self.visit(node.body), self.visit(node.orelse))

    def visit_BinOp(self, node):
        left, right = self.visit(node.left), self.visit(node.right)
        fold = _FOLD.get(type(node.op))
        if fold and isinstance(left, ast.Constant) and isinstance(right, ast.Constant) and right.value != 0:
            return ast.Constant(fold(left.value, right.value))  # what Python would compute at run time
        return ast.BinOp(left, node.op, right)

    def visit_Call(self, node):
        args = [self.visit(a) for a in node.args]
        return self.call(node.func.id, args)


def _named_call(prefix: str, table: str | None = None):
    def call(name, args):
        target = getattr(PRIMITIVES[name], table) if table else f"{prefix}{name}"
        return ast.Call(ast.Name(target, ast.Load()), args, [])
    return call


def code(tree: ast.expr, names: dict, consts: dict | None = None, dialect: str = "numpy") -> str:
    """``tree`` as Python code: ``numpy`` calls ``_name`` (the engine's namespace), ``export``
    the numpy export's names, ``torch`` torch's."""
    call = {"numpy": _named_call("_"), "export": _export_call, "torch": _torch_call}[dialect]
    return ast.unparse(_Rename(names, consts or {}, call).visit(_copy(tree)))


def _copy(tree):
    return copy.deepcopy(tree)


def _export_call(name, args):
    if name == "asfloat":  # np.asarray(c, dtype=float)
        return ast.Call(ast.Name("np.asarray", ast.Load()), args, [ast.keyword("dtype", ast.Name("float"))])
    return ast.Call(ast.Name(PRIMITIVES[name].export, ast.Load()), args, [])


def _torch_call(name, args):
    p = PRIMITIVES[name]
    if name == "asfloat":  # (a < b).double()
        return ast.Call(ast.Attribute(args[0], "double", ast.Load()), [], [])
    if name in ("maximum", "minimum", "logaddexp"):  # torch wants tensors: a number becomes one like the other
        tensor = next((a for a in args if not isinstance(a, ast.Constant)), args[0])
        args = [_torch_like(a, tensor) if isinstance(a, ast.Constant) else a for a in args]
        return ast.Call(ast.Name(f"torch.{name}", ast.Load()), args, [])
    if p.torch is None:
        raise FormulaError(f"no torch code for {name}")
    return ast.Call(ast.Name(p.torch, ast.Load()), args, [])


def _torch_like(const: ast.Constant, tensor: ast.expr) -> ast.expr:
    if const.value == 0:
        return ast.Call(ast.Name("zero", ast.Load()), [tensor], [])
    return ast.Call(ast.Name("torch.full_like", ast.Load()), [tensor, const], [])


def as_list(trees) -> ast.expr:
    """Several trees as one list expression (a Function's local derivatives)."""
    return ast.List([_copy(t) for t in trees], ast.Load())


def times(local: ast.expr, upstream: str) -> ast.expr:
    """``local × upstream`` as a tree, without a multiplication by ±1 (exact in IEEE arithmetic)."""
    up = ast.Name(upstream, ast.Load())
    if isinstance(local, ast.Constant) and local.value == 1:
        return up
    if (isinstance(local, ast.UnaryOp) and isinstance(local.op, ast.USub) and isinstance(local.operand, ast.Constant)
            and local.operand.value == 1):
        return ast.UnaryOp(ast.USub(), up)
    return ast.BinOp(_copy(local), ast.Mult(), up)


def absorbing(tree: ast.expr, port: str) -> bool:
    """Whether a nan or ±inf in ``port`` always makes the expression non-finite, whatever the
    other names hold: through + − × (inf·0 is nan), a numerator, a leading −, |·|, a sum or mean
    over samples, a power with a positive number. Not through a denominator (1/inf = 0), a
    comparison, max/min (max(−inf, 0) = 0) or any other function."""
    if isinstance(tree, ast.Name):
        return tree.id == port
    if isinstance(tree, ast.UnaryOp):
        return absorbing(tree.operand, port)
    if isinstance(tree, ast.BinOp):
        if isinstance(tree.op, (ast.Add, ast.Sub, ast.Mult)):
            return absorbing(tree.left, port) or absorbing(tree.right, port)
        if isinstance(tree.op, ast.Div):
            return absorbing(tree.left, port)
        if isinstance(tree.op, ast.Pow):
            r = tree.right
            return (absorbing(tree.left, port) and isinstance(r, ast.Constant) and r.value > 0)
    if isinstance(tree, ast.Call) and tree.func.id in ("abs", "mean", "sum"):
        return absorbing(tree.args[0], port)
    return False


# --- the course's notation --------------------------------------------------------------------
_PREC = {ast.Add: 2, ast.Sub: 2, ast.Mult: 3, ast.Div: 3, ast.Pow: 5}


def pretty(tree: ast.expr, names: dict, forward: ast.expr | None = None) -> str:
    """``tree`` as the learner reads it: names from ``names`` (ports and attrs as ``{x}`` to
    fill in), ``out`` written as the ``forward`` it stands for."""
    return _pretty(tree, names, None if forward is None else _pretty(forward, names, None))[0]


def _pretty(node, names: dict, out: tuple[str, int] | None) -> tuple[str, int]:
    """(text, precedence): 0 conditional, 1 comparison, 2 sum, 3 product, 4 sign, 5 power, 6 atom."""
    if isinstance(node, ast.Constant):
        v = node.value
        return (f"{v:g}" if v >= 0 else f"−{-v:g}"), (6 if v >= 0 else 4)
    if isinstance(node, ast.Name):
        if node.id == OUT and out is not None:
            return out
        return names.get(node.id, node.id), 6
    if isinstance(node, ast.UnaryOp):
        text, p = _pretty(node.operand, names, out)
        sign = "−" if isinstance(node.op, ast.USub) else "+"
        return sign + (text if p >= 4 else f"({text})"), 4
    if isinstance(node, ast.BinOp):
        prec = _PREC[type(node.op)]
        left, lp = _pretty(node.left, names, out)
        right, rp = _pretty(node.right, names, out)
        if isinstance(node.op, ast.Mult) and ast.dump(node.left) == ast.dump(node.right):
            return (left if lp == 6 else f"({left})") + "²", 5
        if isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Constant) and node.right.value == 2:
            return (left if lp == 6 else f"({left})") + "²", 5
        if isinstance(node.op, ast.Pow):
            return (left if lp == 6 else f"({left})") + "^" + (right if rp == 6 else f"({right})"), 5
        left = left if lp >= prec else f"({left})"
        right = right if rp > prec or (rp == prec and isinstance(node.op, (ast.Add, ast.Mult))) else f"({right})"
        op = _BINOPS[type(node.op)]
        if isinstance(node.op, ast.Div) and lp >= 4 and rp >= 5:
            op = "/"
        return f"{left}{op}{right}", prec
    if isinstance(node, ast.Compare):
        left, _ = _pretty(node.left, names, out)
        right, _ = _pretty(node.comparators[0], names, out)
        return f"{left}{_COMPARE[type(node.ops[0])]}{right}", 1
    if isinstance(node, ast.IfExp):  # only on attributes: the general case is the formula
        return _pretty(node.body, names, out)
    if isinstance(node, ast.Call):
        prim = PRIMITIVES[node.func.id]
        if node.func.id == "full_like":  # the number it fills with
            return _pretty(node.args[1], names, out)
        return prim.pretty([_pretty(a, names, out) for a in node.args]), prim.prec
    raise FormulaError(f"cannot write {type(node).__name__}")
