"""graphcore check GRAPH [--eps 1e-6] [--json]"""
from __future__ import annotations

from .. import gradcheck, learner
from ..engine import compile_graph
from .common import load_data, load_graph, print_json
from .usage import UsageError


def add_arguments(p):
    p.add_argument("graph", help="graph file (.graph.json)")
    p.add_argument("--eps", type=float, default=1e-6, help="central-difference step ε (default 1e-6)")
    p.add_argument("--data", metavar="CSV", help="check on this CSV instead of the graph's data set")
    p.add_argument("--json", action="store_true", help="print JSON (SPEC §6)")


def run(args) -> int:
    if not 0 < args.eps < 1:  # also refuses nan and inf
        raise UsageError(f"graphcore check: error: --eps must be a number between 0 and 1, not {args.eps}")
    graph = load_graph(args.graph)
    data = load_data(graph, args.data)
    rows = gradcheck.check(graph, data, eps=args.eps)
    # the learner's own Functions: their local derivatives, symbolic and central difference
    verdicts = {fn.name: learner.check(fn) for fn in learner.used_by(graph)}
    ok = all(r.ok for r in rows) and all(v.ok for v in verdicts.values())
    skipped = gradcheck.symbolic_skipped(compile_graph(graph)) if data is None else None
    if args.json:
        print_json({"ok": ok, "rows": [r.to_dict() for r in rows],
                    **({"functions": {n: v.as_dict() for n, v in verdicts.items()}} if verdicts else {}),
                    **({"symbolic_skipped": skipped} if skipped else {})})
    else:
        for name, v in verdicts.items():
            print(f"your Function {name}: {v.mark} {v.text}")
        print(f"{'Variable':<12} {'autodiff':>16} {'central diff':>16} {'symbolic':>16} {'rel error':>10}")
        for r in rows:
            sym = f"{r.symbolic:16.10g}" if r.symbolic is not None else f"{'—':>16}"
            flag = "" if r.ok else "  ✗ disagree"
            print(f"{r.node:<12} {r.autodiff:16.10g} {r.numerical:16.10g} {sym} {r.rel_error:10.2e}{flag}")
        if skipped:
            print(skipped)
        if ok:
            print("ok: autodiff agrees with central difference")
        elif all(r.ok for r in rows):
            print("FAILED: your Function's local derivative disagrees with its symbolic derivative")
        else:
            print(f"FAILED: autodiff and the numerical derivative disagree (tolerance {gradcheck.TOLERANCE:g})")
    return 0 if ok else 1
