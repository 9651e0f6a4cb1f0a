"""graphcore from-expr "EXPR" [--inputs x1,x2] [-o GRAPH]: a graph from a Python-like expression.

The expression is parsed with ``ast`` against a whitelist and never evaluated
(``graphcore.expr``); without ``-o`` the graph file's JSON goes to standard output."""
from __future__ import annotations

import ast
import sys

from ..expr import from_expr
from ..fileformat import dumps, save


def add_arguments(p):
    p.add_argument("expr", metavar="EXPR", help="e.g. \"sigmoid(w1*x1 + w2*x2 + b)\"")
    p.add_argument("--inputs", metavar="NAMES", help="comma-separated names that are data inputs "
                                                     "(default: x1, x2, … and y); other names are parameters")
    p.add_argument("--seed", type=int, default=0, help="seed of the starting values (default 0)")
    p.add_argument("-o", "--output", metavar="GRAPH", help="write the graph file here (default: standard output)")


def run(args) -> int:
    if args.seed < 0:  # numpy's own complaint would not name the flag
        from ..cli import UsageError
        raise UsageError(f"graphcore from-expr: error: --seed must be ≥ 0, not {args.seed}")
    inputs = None if args.inputs is None else [s.strip() for s in args.inputs.split(",") if s.strip()]
    graph = from_expr(args.expr, inputs, seed=args.seed)
    if inputs:  # a typo in --inputs would silently turn the meant input into a parameter
        used = {n.id for n in ast.walk(ast.parse(args.expr.lstrip(), mode="eval")) if isinstance(n, ast.Name)}
        unused = [name for name in inputs if name not in used]
        if unused:
            from ..cli import UsageError
            raise UsageError(f"graphcore from-expr: error: --inputs names {', '.join(map(repr, unused))}, "
                             f"which the expression does not use")
    if args.output:
        save(graph, args.output)
    else:
        sys.stdout.write(dumps(graph))
    return 0
