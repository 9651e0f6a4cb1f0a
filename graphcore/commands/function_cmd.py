"""graphcore function check "FORWARD" --derivative "EXPR" [--derivative …] [--ports x,y] [--json]:
a learner's own Function, its local derivative checked three ways (yours, sympy's symbolic
derivative of the forward, a central difference). Exit 0 when all three agree at every point,
1 naming the first point where they do not, 2 for an expression the whitelist refuses.

The expressions are read against formula.py's whitelist and never evaluated as written."""
from __future__ import annotations

import json
import re

from .. import learner

_NAMED = re.compile(r"\s*([A-Za-z][A-Za-z0-9_]*)\s*=(?!=)(.*)\Z", re.S)


def add_arguments(p):
    p.add_argument("action", choices=["check"], help="what to do with the Function (check: its derivative)")
    p.add_argument("forward", metavar="FORWARD", help='the forward, e.g. "x*sigmoid(x)"')
    p.add_argument("--derivative", "-d", action="append", required=True, metavar="EXPR",
                   help="your local derivative; one per port, in port order, or PORT=EXPR")
    p.add_argument("--ports", metavar="NAMES", help="comma-separated input ports (default: the names the "
                                                    "forward uses, in order)")
    p.add_argument("--name", default="mine", help="the Function's name (default: mine)")
    p.add_argument("--json", action="store_true", help="print the verdict as JSON")


def derivatives_of(texts: list[str]):
    """Expressions in port order, or a dict when every one is written PORT=EXPR."""
    named = [_NAMED.match(t) for t in texts]
    if all(named):
        return {m.group(1): m.group(2) for m in named}
    return texts


def run(args) -> int:
    ports = None if args.ports is None else [s.strip() for s in args.ports.split(",") if s.strip()]
    fn = learner.define(args.name, ports, args.forward, derivatives_of(args.derivative))
    verdict = learner.check(fn)
    if args.json:
        print(json.dumps({"name": fn.name, "ports": list(fn.ports), "forward": fn.expr,
                          "derivatives": dict(zip(fn.ports, fn.local_exprs)), **verdict.as_dict()}))
    else:
        print(f"{fn.name}({', '.join(fn.ports)}) = {fn.formula}")
        print(f"  local derivative: {fn.derivative}")
        print(f"{verdict.mark} {verdict.text}")
    return 0 if verdict.ok else 1
