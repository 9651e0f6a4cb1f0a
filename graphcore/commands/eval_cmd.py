"""graphcore eval GRAPH [--data CSV] [--json]"""
from __future__ import annotations

from ..engine import compile_graph
from .common import load_data, load_graph, number, print_json, summary


def add_arguments(p):
    p.add_argument("graph", help="graph file (.graph.json)")
    p.add_argument("--data", metavar="CSV", help="evaluate on this CSV instead of the graph's data set")
    p.add_argument("--json", action="store_true", help="print JSON (SPEC §6)")


def run(args) -> int:
    graph = load_graph(args.graph)
    data = load_data(graph, args.data)
    ev = compile_graph(graph).run(data)
    values, grads = ev.values_dict(), ev.grads_dict()
    if args.json:
        print_json({"cost": ev.cost, "values": {k: number(v) for k, v in values.items()},
                    "grads": {k: number(v) for k, v in grads.items()}})
        return 0
    print(f"cost J = {ev.cost:.10g}" if ev.cost is not None else "cost J: the graph names no loss")
    width = max((len(k) for k in values), default=8)
    print(f"{'Variable':<{width}}  {'value':<40}  dJ/dv")
    for key, v in values.items():
        g = summary(grads[key]) if key in grads else "—"
        print(f"{key:<{width}}  {summary(v):<40}  {g}")
    return 0
