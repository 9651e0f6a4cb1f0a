"""graphcore steps GRAPH [--sample i] [--data CSV] [--json]: the step-through as a worked example."""
from __future__ import annotations

from .. import stepthrough
from .common import load_data, load_graph, print_json


def add_arguments(p):
    p.add_argument("graph", help="graph file (.graph.json)")
    p.add_argument("--sample", type=int, metavar="I",
                   help="numbers for training point I alone (default: the whole batch, as means)")
    p.add_argument("--data", metavar="CSV", help="use this CSV instead of the graph's data set")
    p.add_argument("--json", action="store_true", help="print JSON (SPEC §6)")


def run(args) -> int:
    graph = load_graph(args.graph)
    data = load_data(graph, args.data)
    seq = stepthrough.build(graph, data, args.sample)
    if args.json:
        print_json(stepthrough.steps_json(seq))
    else:
        print(stepthrough.transcript(seq))
    return 0
