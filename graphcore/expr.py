"""Build a graph from an expression such as ``sigmoid(w1*x1 + w2*x2 + b)`` or ``3*(a + b*c)``.

The text is parsed with ``ast`` and walked against a whitelist; it is never evaluated.
Allowed: numbers (→ ``constant`` boxes), names, ``+ - * / **``, unary ``-`` and ``+``,
one comparison ``<``, ``>`` or ``==`` (→ lt, gt, eq), and calls of the catalogue's
Functions by name with positional arguments (``pow(x, 3)`` and ``leaky_relu(x, 0.1)``
take their attribute as a number; ``cross_entropy(z0, z1, y)`` takes k logits and the
class). ``x**2`` → ``square``; ``x**p`` with a number p → ``pow``. Anything else is
refused with a message that points at the column ("col 5: attribute access is not
allowed").

Names: those in ``inputs`` become ``input`` boxes reading the data column of that name;
by default the inputs are ``x1, x2, …`` (x and digits) and ``y``. Every other name
becomes a ``parameter``. The same name is the same box (fan-out). Parameters and inputs
get a starting value drawn from ``numpy.random.default_rng(seed)``, uniform on [−1, 1)
and rounded to two decimals, in order of first appearance (inputs use theirs only when
no data set is loaded).

The root box is the graph's ``output``; if it is a loss Function (squared_error, bce,
bce_logits, cross_entropy, or a mean/sum of one) it is the ``loss`` instead, and the
loss's first input, the prediction, is the output. Boxes are laid out left to right.
"""
from __future__ import annotations

import ast
import re

import numpy as np

from . import functions as F
from . import limits
from .errors import GraphError
from .export.naming import identifier
from .graph import Graph

MAX_CHARS = limits.MAX_EXPR_CHARS
LOSSES = ("squared_error", "bce", "bce_logits", "cross_entropy")
DEFAULT_INPUT = re.compile(r"x\d+\Z|y\Z")

_OPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div"}
_COMPARE = {ast.Lt: "lt", ast.Gt: "gt", ast.Eq: "eq"}
_REFUSED = {  # what the learner wrote, in words
    ast.Attribute: "attribute access is", ast.Subscript: "subscripts are", ast.Lambda: "lambda is",
    ast.ListComp: "comprehensions are", ast.SetComp: "comprehensions are", ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are", ast.List: "lists are", ast.Tuple: "tuples are", ast.Dict: "dicts are",
    ast.Set: "sets are", ast.IfExp: "conditional expressions are", ast.BoolOp: "'and' / 'or' are",
    ast.NamedExpr: "':=' is", ast.JoinedStr: "strings are", ast.Starred: "'*' unpacking is", ast.Slice: "slices are",
    ast.Await: "await is", ast.Yield: "yield is", ast.YieldFrom: "yield is",
}
_BINOP_WORDS = {ast.MatMult: "@", ast.Mod: "%", ast.FloorDiv: "//", ast.LShift: "<<", ast.RShift: ">>",
                ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^"}


class ExprError(GraphError):
    """An expression ``from_expr`` refuses; the message says where (line and column)."""


class _Builder:
    def __init__(self, text: str, inputs, seed: int, line0: int, col0: int):
        self.text, self.line0, self.col0 = text, line0, col0
        self.inputs = None if inputs is None else set(inputs)
        self.g = Graph("expression")
        self.rng = np.random.default_rng(seed)
        self.var: dict[str, str] = {}
        self.wanted: set[str] = set()  # ids the expression's names will take

    # --- where ------------------------------------------------------------------------
    def where(self, node) -> str:
        line = self.text.splitlines()[node.lineno - 1] if self.text.splitlines() else ""
        col = len(line.encode("utf-8")[:node.col_offset].decode("utf-8", "replace")) + 1
        return self.position(node.lineno, col)

    def position(self, lineno: int, col: int) -> str:
        if lineno == 1:
            col += self.col0
        lineno += self.line0
        return f"col {col}" if lineno == 1 else f"line {lineno}, col {col}"

    def refuse(self, node, what: str):
        raise ExprError(f"{self.where(node)}: {what}")

    # --- boxes --------------------------------------------------------------------------
    def fresh(self, base: str) -> str:
        """A box id that is neither taken nor the id a name of the expression will want."""
        i, nid = 0, base
        while nid in self.g or nid in self.wanted:
            i += 1
            nid = f"{base}{i}"
        return nid

    def start_value(self) -> float:
        return round(float(self.rng.uniform(-1.0, 1.0)), 2) + 0.0

    def name(self, node: ast.Name) -> str:
        name = node.id
        if name in F.CATALOGUE and not F.CATALOGUE[name].is_source:
            self.refuse(node, f"'{name}' is a Function: call it, as {name}(...)")
        if name not in self.var:
            is_input = DEFAULT_INPUT.match(name) if self.inputs is None else name in self.inputs
            nid = self.g.unique_id(identifier(name) or "v")
            label = None if nid == name else name
            if is_input:
                self.g.add_node("input", nid, label=label, column=name, value=self.start_value())
            else:
                self.g.add_node("parameter", nid, label=label, value=self.start_value())
            self.var[name] = nid
        return self.var[name]

    def box(self, op: str, args: list, attrs: dict | None = None) -> str:
        node = self.g.add_node(op, self.fresh(op), attrs=attrs or None)
        for port, arg in enumerate(args):
            self.g.connect(arg, node, port)
        return node

    def number(self, node) -> float | None:
        """The value of a numeric literal (possibly negated), else None."""
        sign = 1.0
        while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            sign = -sign if isinstance(node.op, ast.USub) else sign
            node = node.operand
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            v = sign * float(node.value)
            if not np.isfinite(v):
                self.refuse(node, "numbers must be finite")
            return v
        return None

    # --- the walk ---------------------------------------------------------------------------
    def build(self, node) -> str:
        if isinstance(node, ast.Constant):
            v = self.number(node)
            if v is None:
                self.refuse(node, "strings are not allowed" if isinstance(node.value, (str, bytes))
                            else f"the constant {node.value!r} is not allowed (only numbers)")
            return self.g.add_node("constant", self.fresh("c"), value=v)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.UAdd):
                return self.build(node.operand)
            if isinstance(node.op, ast.USub):
                v = self.number(node)
                if v is not None:
                    return self.g.add_node("constant", self.fresh("c"), value=v)
                return self.box("neg", [self.build(node.operand)])
            self.refuse(node, "'not' and '~' are not allowed")
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Compare):
            if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
                self.refuse(node, "only one comparison <, > or == is allowed")
            return self.box(_COMPARE[type(node.ops[0])], [self.build(node.left), self.build(node.comparators[0])])
        if isinstance(node, ast.Call):
            return self.call(node)
        self.refuse(node, f"{_REFUSED.get(type(node), type(node).__name__ + ' is')} not allowed")

    def binop(self, node: ast.BinOp) -> str:
        if isinstance(node.op, ast.Pow):
            p = self.number(node.right)
            if p is None:
                self.refuse(node.right, "the exponent of ** must be a number")
            base = self.build(node.left)
            return self.box("square", [base]) if p == 2 else self.box("pow", [base], {"exponent": p})
        if type(node.op) not in _OPS:
            self.refuse(node, f"the operator {_BINOP_WORDS.get(type(node.op), '?')} is not allowed")
        return self.box(_OPS[type(node.op)], [self.build(node.left), self.build(node.right)])

    def call(self, node: ast.Call) -> str:
        if not isinstance(node.func, ast.Name):
            self.refuse(node.func, "attribute access is not allowed" if isinstance(node.func, ast.Attribute)
                        else "only Functions called by name are allowed")
        op = node.func.id
        fn = F.CATALOGUE.get(op)
        if fn is None or fn.is_source:
            known = ", ".join(n for n, f in F.CATALOGUE.items() if not f.is_source and n != "softmax")
            self.refuse(node.func, f"unknown Function '{op}' (one of {known})")
        if node.keywords:
            self.refuse(node.keywords[0].value, "keyword arguments are not allowed")
        for a in node.args:
            if isinstance(a, ast.Starred):
                self.refuse(a, "'*' unpacking is not allowed")
        args = node.args
        if op == "softmax":
            self.refuse(node.func, "softmax has several outputs: it cannot stand in an expression")
        attrs = None
        if op == "cross_entropy":
            if len(args) < 3:
                self.refuse(node, "cross_entropy takes k ≥ 2 logits and then the class y")
            attrs = {"k": len(args) - 1}
        elif op in ("pow", "leaky_relu") and len(args) == 2:
            v = self.number(args[1])
            if v is None:
                self.refuse(args[1], f"the second argument of {op} must be a number")
            attrs = {"exponent" if op == "pow" else "slope": v}
            args = args[:1]
        if op == "pow" and attrs is None:
            self.refuse(node, "pow takes the base and a number: pow(x, 3)")
        n = fn.n_inputs(attrs or {})
        if len(args) != n:
            self.refuse(node, f"{op} takes {n} argument{'s' if n != 1 else ''}, not {len(args)}")
        try:
            return self.box(op, [self.build(a) for a in args], attrs)
        except ExprError:
            raise
        except GraphError as exc:
            self.refuse(node, str(exc))


def from_expr(text: str, inputs=None, *, seed: int = 0, name: str | None = None) -> Graph:
    """A laid-out Graph computing ``text``. ``inputs``: the names that are data inputs
    (default: x1, x2, … and y). Raises ``ExprError`` (a GraphError) naming the column."""
    if not isinstance(text, str):
        raise ExprError("the expression must be text")
    if len(text) > MAX_CHARS:
        raise ExprError(f"the expression is too long ({len(text)} characters; the limit is {MAX_CHARS})")
    if "\0" in text:
        raise ExprError(f"col {text.index(chr(0)) + 1}: NUL characters are not allowed")
    stripped = text.lstrip()
    if not stripped.strip():
        raise ExprError("the expression is empty")
    skipped = text[:len(text) - len(stripped)]
    line0, col0 = skipped.count("\n"), len(skipped) - (skipped.rfind("\n") + 1)
    b = _Builder(stripped, inputs, seed, line0, col0)
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as exc:
        where = b.position(exc.lineno or 1, exc.offset or 1)
        raise ExprError(f"{where}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ExprError("the expression is nested too deeply") from None
    g = b.g
    b.wanted = {identifier(n.id) for n in ast.walk(tree) if isinstance(n, ast.Name)}
    try:
        with g.batch():
            root = b.build(tree.body)
            _name_roles(g, root)
            g.set_meta("name", name or _short(text))
            from .layout import apply_layout
            apply_layout(g)
    except RecursionError:
        raise ExprError("the expression is nested too deeply") from None
    g.version = 0
    return g


def _name_roles(g: Graph, root: str):
    op = g.op(root)
    loss = root if op in LOSSES else None
    if loss is None and op in ("mean", "sum"):
        inner = g.inputs_of(root)[0].src
        loss = root if g.op(inner) in LOSSES else None
        op_inner = g.op(inner)
    else:
        inner, op_inner = root, op
    if loss is None:
        g.set_meta("output", root)
        return
    g.set_meta("loss", loss)
    if op_inner in ("squared_error", "bce"):
        g.set_meta("output", g.inputs_of(inner)[0].src)


def _short(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= 60 else one[:59] + "…"
