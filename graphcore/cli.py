"""The ``graphcore`` command (SPEC §6). Each verb lives in ``graphcore/commands/<verb>.py``
with ``add_arguments(parser)`` and ``run(args) -> exit code``.

Exit codes: 0 success, 1 a check that failed, 2 bad input — one clear line on stderr,
never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import os
import re
import sys

from . import paths
from .commands.usage import UsageError
from .errors import GraphError, one_line, short_path

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
    "grade": ("grade_cmd", "check a learner's saved file against an exercise's tasks and locks (exit 0 all done, "
                           "1 some not)"),
    "race": ("race_cmd", "optimizers side by side from the same start: each one's path, final cost, epochs to goal"),
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(f"{self.prog}: error: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="graphcore", description="Backprop Studio's headless core: evaluate, check, train "
                                                   "and export computation graphs.")
    sub = parser.add_subparsers(dest="verb", metavar="COMMAND", parser_class=_Parser)
    for verb, (module, help_text) in VERBS.items():
        p = sub.add_parser(verb, help=help_text, description=help_text)
        p.set_defaults(command_module=module)
        importlib.import_module(f".commands.{module}", __package__).add_arguments(p)
    return parser


def fail(message: str) -> int:
    print(one_line(f"graphcore: error: {message}"), file=sys.stderr)
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
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser().parse_args(argv)
        if not getattr(args, "verb", None):
            return fail("no command given (one of: " + ", ".join(VERBS) + "); see graphcore --help")
        _check_output(args)
        module = importlib.import_module(f".commands.{args.command_module}", __package__)
        return module.run(args)
    except UsageError as exc:
        hint = None
        if argv[:1] == ["from-expr"]:
            from .commands.from_expr_cmd import dash_hint
            hint = dash_hint(argv)
        print(hint or exc, file=sys.stderr)
        return 2
    except GraphError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted")
    except BrokenPipeError:
        return 0
    except MemoryError:  # its message is empty: say what ran out
        return fail(f"out of memory running '{argv[0] if argv else 'graphcore'}': the graph or the data is too "
                    f"large for this machine")
    except OSError as exc:
        return fail(_os_message(exc))
    except (ValueError, RecursionError) as exc:
        return fail(f"{type(exc).__name__}: {exc}")


TEMP_RE = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")  # atomic_write's temporary file beside its target


def _os_message(exc: OSError) -> str:
    """'Is a directory: out/', naming the file the user gave, never the hidden temporary file
    a save writes first (os.replace names that one first)."""
    name = exc.filename
    if name is not None and TEMP_RE.fullmatch(os.path.basename(str(name))):
        name = exc.filename2 or os.path.dirname(str(name))
    what = exc.strerror or type(exc).__name__
    return f"cannot write {short_path(name)}: {what}" if exc.filename2 or name != exc.filename else \
        f"{what}" + (f": {short_path(name)}" if name else "")


def entry():
    sys.exit(main())
