"""graphcore dataset NAME [--n N] [--seed S] [--noise X] [-o CSV]

Writes a generated data set as CSV (header x1,x2,y) to ``-o`` or to standard output.
"""
from __future__ import annotations

import sys

from .. import datasets
from .usage import UsageError


def add_arguments(p):
    p.add_argument("name", help=f"generator: {', '.join(datasets.GENERATORS)}")
    p.add_argument("--n", type=int, default=100, help="number of points (default 100)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--noise", type=float, default=0.0, help="label noise σ ≥ 0 (default 0)")
    p.add_argument("-o", "--output", metavar="CSV", help="write here instead of standard output")


def run(args) -> int:
    if args.seed < 0:
        raise UsageError(f"graphcore dataset: error: --seed must be ≥ 0, not {args.seed}")
    ds = datasets.generate(args.name, args.n, args.seed, args.noise)
    if args.output:
        datasets.write_csv(ds, args.output)
        print(f"wrote {ds.n} points to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(datasets.write_csv(ds))
    return 0
