"""graphcore export GRAPH --to numpy|torch [-o FILE]: the graph as a standalone Python script."""
from __future__ import annotations

import sys

from ..export import TARGETS, export
from ..fileformat import atomic_write
from .common import load_graph


def add_arguments(p):
    p.add_argument("graph", help="graph file (.graph.json)")
    p.add_argument("--to", required=True, choices=TARGETS, help="numpy (numpy only) or torch (an nn.Module)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the script here (default: standard output)")


def run(args) -> int:
    text = export(load_graph(args.graph), args.to)
    if args.output:
        atomic_write(args.output, text)
    else:
        sys.stdout.write(text)
    return 0
