"""The ``graphcore`` command (SPEC §6). Each verb lives in ``graphcore/commands/<verb>.py``
with ``add_arguments(parser)`` and ``run(args) -> exit code``.

Exit codes: 0 success, 1 a check that failed, 2 bad input — one clear line on stderr,
never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from . import paths
from .errors import GraphError

VERBS = {
    "eval": ("eval_cmd", "forward and backward once; print the cost, each Variable's value and gradient"),
    "check": ("check_cmd", "autodiff vs central difference (and symbolic) for every parameter and valued input"),
    "train": ("train_cmd", "train the graph with its optimizer; -o writes the trained graph"),
    "export": ("export_cmd", "write the graph as a standalone numpy or PyTorch script"),
    "from-expr": ("from_expr_cmd", "build a graph from a Python-like expression (parsed, never evaluated)"),
    "dataset": ("dataset_cmd", "write a generated data set as CSV"),
    "steps": ("steps_cmd", "the step-through of forward and backward as a worked-example transcript"),
    "function": ("function_cmd", "check your own Function's local derivative: yours vs symbolic vs central "
                                 "difference"),
    "race": ("race_cmd", "optimizers side by side from the same start: each one's path, final cost, epochs to goal"),
}


class UsageError(Exception):
    """A bad command line: exit 2 with one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(f"{self.prog}: error: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="graphcore", description="Backprop Studio's headless core: evaluate, check, train "
                                                   "and export computation graphs.")
    sub = parser.add_subparsers(dest="verb", metavar="COMMAND", parser_class=_Parser)
    for verb, (module, help_text) in VERBS.items():
        p = sub.add_parser(verb, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        importlib.import_module(f".commands.{module}", __package__).add_arguments(p)
    return parser


def fail(message: str) -> int:
    print(f"graphcore: error: {message}", file=sys.stderr)
    return 2


def _check_output(args):
    """Refuse an unusable -o before any work: an empty name (it would write nothing and
    exit 0), a folder, a FIFO, a device or a missing folder."""
    out = getattr(args, "output", None)
    if out == "":
        raise UsageError(f"graphcore {args.verb}: error: -o needs a file name, not an empty one")
    if out is not None:
        paths.write_target(out)


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if not getattr(args, "verb", None):
            return fail("no command given (one of: " + ", ".join(VERBS) + "); see graphcore --help")
        _check_output(args)
        module = importlib.import_module(f".commands.{args._module}", __package__)
        return module.run(args)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    except GraphError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted")
    except BrokenPipeError:
        return 0
    except (OSError, ValueError, MemoryError, RecursionError) as exc:
        return fail(f"{type(exc).__name__}: {exc}")


def entry():
    sys.exit(main())
