"""graphcore steps GRAPH [--sample i] [--data CSV] [--json] [--level box|group [--inside NAME]]:
the step-through, as a worked example."""
from __future__ import annotations

from .. import group_steps, stepthrough
from ..errors import GraphError
from .common import load_data, load_graph, print_json


def add_arguments(p):
    p.add_argument("graph", help="graph file (.graph.json)")
    p.add_argument("--sample", type=int, metavar="I",
                   help="numbers for training point I alone (default: the whole batch, as means)")
    p.add_argument("--data", metavar="CSV", help="use this CSV instead of the graph's data set")
    p.add_argument("--json", action="store_true", help="print JSON (SPEC §6)")
    p.add_argument("--level", choices=("box", "group"), default="box",
                   help="group: each top-level group is one forward and one backward step (its Jacobian)")
    p.add_argument("--inside", metavar="NAME",
                   help="with --level group: step inside group NAME box by box (the groups around it opened)")


def run(args) -> int:
    graph = load_graph(args.graph)
    data = load_data(graph, args.data)
    if args.inside is not None and args.level != "group":
        raise GraphError("--inside NAME steps inside a group: it needs --level group")
    level = group_steps if args.level == "group" else stepthrough  # the same three calls at either level
    seq = level.build(graph, data, args.sample, args.inside) if args.inside is not None \
        else level.build(graph, data, args.sample)
    if args.json:
        print_json(level.steps_json(seq))
    else:
        print(level.transcript(seq))
    return 0
