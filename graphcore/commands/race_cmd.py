"""graphcore race GRAPH --optimizers sgd,adam,rmsprop [--lr 0.1,0.01,...] [--epochs N] [--seed S]
[--batch-size B] [--data CSV] [--json]

Each optimizer trains the graph from the same starting parameters with the same data and
batching (graphcore/race.py). ``--lr`` gives one learning rate for all, or one per optimizer
in the same order. Exit 0 when the race ran, a diverging racer included (it is marked
"diverged at epoch k"); exit 2 with one line for bad flags or a graph that cannot train.
"""
from __future__ import annotations

import math

from .. import datasets, optim
from ..errors import EvaluationError
from ..race import Race, check_lrs, check_optimizers
from .common import load_graph, print_json
from .usage import UsageError


def add_arguments(p):
    p.add_argument("graph", help="graph file (.graph.json)")
    p.add_argument("--optimizers", required=True, metavar="NAMES",
                   help=f"comma-separated, any of {', '.join(optim.NAMES)}")
    p.add_argument("--lr", metavar="RATES",
                   help="comma-separated learning rates: one for all, or one per optimizer "
                        "(default: the file's lr, else torch's default)")
    p.add_argument("--epochs", type=int, help="number of epochs (default: the file's, else 100)")
    p.add_argument("--seed", type=int, help="seed of the batch shuffling (default: the file's, else 0)")
    p.add_argument("--batch-size", type=int, help="points per step (default: the file's, else the full batch)")
    p.add_argument("--data", metavar="CSV", help="train on this CSV instead of the graph's data set")
    p.add_argument("--json", action="store_true", help="print each racer's history, parameters and final cost")


def _flags(args) -> tuple[list[str], list | None]:

    def bad(msg):
        return UsageError(f"graphcore race: error: {msg}")

    names = [n.strip() for n in args.optimizers.split(",") if n.strip()]
    lrs = None
    if args.lr is not None:
        try:
            lrs = [float(x) for x in args.lr.split(",")]
        except ValueError:
            raise bad(f"--lr must be comma-separated numbers, not '{args.lr}'") from None
        for x in lrs:
            if not (math.isfinite(x) and x > 0):
                raise bad(f"--lr: every learning rate must be a number > 0, not {x:g}")
    if args.epochs is not None and args.epochs < 0:
        raise bad(f"--epochs must be ≥ 0, not {args.epochs}")
    if args.seed is not None and args.seed < 0:
        raise bad(f"--seed must be ≥ 0, not {args.seed}")
    if args.batch_size is not None and args.batch_size < 1:
        raise bad(f"--batch-size must be ≥ 1, not {args.batch_size}")
    try:
        check_optimizers(names)
    except EvaluationError as exc:
        raise bad(f"--optimizers: {exc}") from None
    try:
        lrs = check_lrs(names, lrs)
    except EvaluationError as exc:
        raise bad(f"--lr: {exc}") from None
    return names, lrs


def run(args) -> int:
    names, lrs = _flags(args)
    graph = load_graph(args.graph)
    dataset = datasets.for_graph(graph, args.data)
    race = Race(graph, names, lrs, epochs=args.epochs, seed=args.seed, batch_size=args.batch_size,
                dataset=dataset).run()
    result = race.result()
    if args.json:
        print_json(result)
        return 0
    goal = result["goal"]
    goal_text = "no goal" if goal is None else f"goal: accuracy {'>' if goal['above'] else '≥'} " \
                                               f"{100 * goal['accuracy']:g}%"
    print(f"race of {len(names)} optimizers, {result['epochs']} epochs, seed {result['seed']} ({goal_text})")
    print(f"{'optimizer':<18} {'lr':>8}  {'final cost J':>14}  {'epochs to goal':>14}  status")
    for r in result["racers"]:
        cost = "—" if r["final_cost"] is None else f"{r['final_cost']:.6g}"
        to_goal = "—" if r["epochs_to_goal"] is None else str(r["epochs_to_goal"])
        status = f"diverged at epoch {r['diverged_at']}" if r["diverged_at"] is not None else r["status"]
        print(f"{r['title']:<18} {r['lr']:>8g}  {cost:>14}  {to_goal:>14}  {status}")
    return 0
