"""graphcore eval GRAPH [--data CSV] [--json] [--groups [--per-sample]]"""
from __future__ import annotations

from ..engine import compile_graph
from . import groups_report
from .common import load_data, load_graph, number, print_json, summary
from .usage import UsageError


def add_arguments(p):
    p.add_argument("graph", help="graph file (.graph.json)")
    p.add_argument("--data", metavar="CSV", help="evaluate on this CSV instead of the graph's data set")
    p.add_argument("--json", action="store_true", help="print JSON (SPEC §6)")
    p.add_argument("--groups", action="store_true",
                   help="also each group's ports and local Jacobian, batch mean (docs/FILE_FORMAT_GROUPS.md)")
    p.add_argument("--per-sample", action="store_true", help="with --groups: the Jacobian at every sample too")


def run(args) -> int:
    if args.per_sample and not args.groups:
        raise UsageError("graphcore eval: error: --per-sample goes with --groups (each group's Jacobian per sample)")
    graph = load_graph(args.graph)
    data = load_data(graph, args.data)
    ev = compile_graph(graph).run(data)
    values, grads = ev.values_dict(), ev.grads_dict()
    if args.json:
        doc = {"cost": ev.cost, "values": {k: number(v) for k, v in values.items()},
               "grads": {k: number(v) for k, v in grads.items()}}
        if args.groups:
            doc["groups"] = groups_report.groups_json(ev, args.per_sample)
        print_json(doc)
        return 0
    print(f"cost J = {ev.cost:.10g}" if ev.cost is not None else "cost J: the graph names no loss")
    width = max((len(k) for k in values), default=8)
    print(f"{'Variable':<{width}}  {'value':<40}  dJ/dv")
    for key, v in values.items():
        g = summary(grads[key]) if key in grads else "—"
        print(f"{key:<{width}}  {summary(v):<40}  {g}")
    if args.groups:
        print(groups_report.groups_text(ev))
    return 0
