"""graphcore from-expr [--inputs x1,x2] [-o GRAPH] [--] "EXPR": a graph from a Python-like expression.

The expression is parsed with ``ast`` against a whitelist and never evaluated
(``graphcore.expr``); without ``-o`` the graph file's JSON goes to standard output."""
from __future__ import annotations

import ast
import sys

from ..expr import from_expr
from ..fileformat import dumps, save
from .usage import UsageError


OPTIONS = ("-h", "--help", "--inputs", "--seed", "-o", "--output")


def add_arguments(p):
    p.usage = "graphcore from-expr [-h] [--inputs NAMES] [--seed SEED] [-o GRAPH] [--] EXPR"
    p.epilog = 'An expression that starts with "-" goes after --, as in: graphcore from-expr -- "-x1"'
    p.add_argument("expr", metavar="EXPR", help="e.g. \"sigmoid(w1*x1 + w2*x2 + b)\"")
    p.add_argument("--inputs", metavar="NAMES", help="comma-separated names that are data inputs "
                                                     "(default: x1, x2, … and y); other names are parameters")
    p.add_argument("--seed", type=int, default=0, help="seed of the starting values (default 0)")
    p.add_argument("-o", "--output", metavar="GRAPH", help="write the graph file here (default: standard output)")


def dash_hint(argv: list[str]) -> str | None:
    """The usage error for an expression taken as an option ('-x1'), or None."""
    for arg in argv[1:]:
        if arg == "--":
            return None
        if arg.startswith("-") and arg.split("=")[0] not in OPTIONS and not arg.lstrip("-").isdigit():
            return (f"graphcore from-expr: error: {arg!r} was read as an option; put an expression that "
                    f"starts with '-' after --, as in: graphcore from-expr -- \"{arg}\"")
    return None


def run(args) -> int:
    if args.seed < 0:  # numpy's own complaint would not name the flag
        raise UsageError(f"graphcore from-expr: error: --seed must be ≥ 0, not {args.seed}")
    inputs = None if args.inputs is None else [s.strip() for s in args.inputs.split(",") if s.strip()]
    graph = from_expr(args.expr, inputs, seed=args.seed)
    if inputs:  # a typo in --inputs would silently turn the meant input into a parameter
        used = {n.id for n in ast.walk(ast.parse(args.expr.lstrip(), mode="eval")) if isinstance(n, ast.Name)}
        unused = [name for name in inputs if name not in used]
        if unused:
            raise UsageError(f"graphcore from-expr: error: --inputs names {', '.join(map(repr, unused))}, "
                             f"which the expression does not use")
    if args.output:
        save(graph, args.output)
    else:
        sys.stdout.write(dumps(graph))
    return 0
