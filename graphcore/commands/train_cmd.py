"""graphcore train GRAPH [--epochs N] [--lr X] [--optimizer NAME] [--batch-size B] [--seed S]
[--no-divergence-stop] [-o OUT] [--json]

Flags override the graph file's ``training`` block. Exit 0 when training ran to the
end; exit 2 on bad input and when the run failed: a nan or inf (the message names the
box that went non-finite first) or a diverging cost (the Trainer's rule; the message
names the box that blew up first; ``--no-divergence-stop`` lets such a run go on), and
before any step when a learner Function's local derivative fails its check (the Trainer
asks graphcore.learner; the one line gives the verdict's point and three values).
The input file is never written; ``-o`` writes the trained graph (same boxes, trained
parameter values) and is skipped for a failed run.
"""
from __future__ import annotations

import math
import sys

from .. import datasets, fileformat, limits, optim
from ..errors import DivergenceError, NonFiniteError
from ..progress import ProgressBar
from ..training import Trainer
from .common import load_graph, print_json
from .usage import UsageError


SHOWN = 12  # parameters listed in the text output


def add_arguments(p):
    p.add_argument("graph", help="graph file (.graph.json)")
    p.add_argument("--epochs", type=int, help="number of epochs (default: the file's, else 100)")
    p.add_argument("--lr", type=float, help="learning rate (default: the file's, else torch's default)")
    p.add_argument("--optimizer", help=f"one of {', '.join(optim.NAMES)}")
    p.add_argument("--batch-size", type=int, help="points per step (default: the file's, else the full batch)")
    p.add_argument("--seed", type=int, help="seed of the batch shuffling (default: the file's, else 0)")
    p.add_argument("--data", metavar="CSV", help="train on this CSV instead of the graph's data set")
    p.add_argument("--no-divergence-stop", action="store_true",
                   help="keep training when the cost rises past max(10 × its first epoch's, that + 10)")
    p.add_argument("-o", "--output", metavar="OUT", help="write the trained graph here")
    p.add_argument("--json", action="store_true", help="print JSON (SPEC §6)")


def _check_flags(args):
    bad = None
    if args.epochs is not None and not 0 <= args.epochs <= limits.MAX_EPOCHS:
        bad = f"--epochs must be ≥ 0 and at most {limits.MAX_EPOCHS:,} (the epochs limit), not {args.epochs}"
    elif args.lr is not None and not (math.isfinite(args.lr) and args.lr > 0):
        bad = f"--lr must be a number > 0, not {args.lr}"
    elif args.optimizer is not None and args.optimizer not in optim.NAMES:
        bad = f"--optimizer must be one of {', '.join(optim.NAMES)}, not '{args.optimizer}'"
    elif args.batch_size is not None and args.batch_size < 1:
        bad = f"--batch-size must be ≥ 1, not {args.batch_size}"
    elif args.seed is not None and args.seed < 0:
        bad = f"--seed must be ≥ 0, not {args.seed}"
    if bad:
        raise UsageError(f"graphcore train: error: {bad}")


def run(args) -> int:
    _check_flags(args)
    graph = load_graph(args.graph)
    dataset = datasets.for_graph(graph, args.data)
    trainer = Trainer(graph, dataset, optimizer=args.optimizer, lr=args.lr, epochs=args.epochs,
                      batch_size=args.batch_size, seed=args.seed,
                      stop_on_divergence=not args.no_divergence_stop,
                      track=("accuracy", "test"))  # what the JSON holds: no per-box gradient sizes
    bar = ProgressBar(trainer.epochs, "epochs")

    def follow(t):
        last = t.history.last()
        if last:
            acc = "" if last["accuracy"] is None else f"  accuracy {100 * last['accuracy']:.1f}%"
            bar.update(t.epoch, f"cost {last['cost']:.4g}{acc}")

    trainer.callback = follow
    try:
        result = trainer.train()
    finally:
        bar.close()
    not_written = "" if args.output is None else f"; {args.output} was not written"
    if trainer.status == "failed" and isinstance(trainer.error, DivergenceError):
        print(f"graphcore: error: training failed in epoch {trainer.epoch}: {trainer.error}{not_written}",
              file=sys.stderr)
        return 2
    if trainer.status == "failed":
        hint = " (try a smaller learning rate)" if isinstance(trainer.error, NonFiniteError) else ""
        if hint and all(graph.value(p) == v for p, v in zip(trainer.param_ids, trainer.params)):
            hint = " (at the starting values, before any step: check the parameter values)"  # lr is not to blame
        print(f"graphcore: error: training failed in epoch {trainer.epoch + 1} "
              f"({optim.TITLES[trainer.optimizer_name]}, lr {trainer.lr:g}): {trainer.error}{hint}{not_written}",
              file=sys.stderr)
        return 2
    if args.output:
        trainer.write_back()
        fileformat.save(graph, args.output)
    if args.json:
        print_json(result)
        return 0
    _print_text(trainer, result, args.output)
    return 0


def _print_text(trainer: Trainer, r: dict, output: str | None):
    n = trainer.n_train
    batch = "full batch" if trainer.full_batch else f"batches of {trainer.batch_size}"
    print(f"trained {r['epochs']} epochs with {optim.TITLES[trainer.optimizer_name]} (lr {trainer.lr:g}, {batch}) "
          f"in {r['seconds']:.2f} s")
    points = f" on {n} training points" if n else ""
    acc = "" if r["accuracy"] is None else f", accuracy {100 * r['accuracy']:.1f}%"
    print(f"cost J = {r['cost']:.10g}{acc}{points}")
    if "test_cost" in r:
        tacc = "" if r["test_accuracy"] is None else f", accuracy {100 * r['test_accuracy']:.1f}%"
        print(f"test:  cost J = {r['test_cost']:.10g}{tacc} on {trainer.dataset.n - n} test points")
    if r["parameters"]:
        shown = list(r["parameters"].items())[:SHOWN]
        width = max(len(p) for p, _ in shown)
        print("parameters:")
        for p, v in shown:
            print(f"  {p:<{width}}  {v:.10g}")
        if len(r["parameters"]) > SHOWN:
            print(f"  … and {len(r['parameters']) - SHOWN} more (-o or --json gives them all)")
    if output:
        print(f"wrote {output}")
