"""Every size limit of the program, in one place.

A file, a CSV, a command-line flag or a paste that goes past one is refused before any
work starts, with a message naming the limit (``too_many``), so that memory and time
stay bounded by what the learner can see. README's Reliability section lists them.
"""
from __future__ import annotations

MAX_LABEL_CHARS = 1_000         # a box label (a 10 MB label froze the window)
MAX_COLUMN_CHARS = 1_000        # an input box's column name, and a CSV header cell
MAX_BOXES = 20_000              # Function boxes in one graph (a file or a paste)
MAX_EDGES = 100_000             # Variable arrows in one graph
MAX_PORTS = 1_000               # input ports of one box (softmax / cross_entropy k)
MAX_POINTS = 10_000_000         # data points: generated (dataset --n), inline or CSV rows
MAX_CSV_COLUMNS = 10_000        # columns of a CSV file
MAX_CSV_BYTES = 1 << 30         # size of a CSV file
MAX_CSV_LINE_CHARS = 1 << 24    # one line of a CSV file (16 Mi characters)
MAX_GRAPH_BYTES = 64 << 20      # size of a graph file
MAX_EXPR_CHARS = 10_000         # a from-expr expression
MAX_SYMBOLIC_OPS = 5_000        # size of the cost J as one expression tree, beyond which `check` skips sympy
MAX_EPOCHS = 10_000_000         # epochs of one training run (file, flag or window)
MAX_CLASS_LABEL = MAX_PORTS - 1  # a class label y names one of at most MAX_PORTS classes
MAX_WHOLE = 2**31 - 1            # whole-number settings the window shows in spin boxes (seeds, batch size)
MAX_FUNCTIONS = 100             # learner Functions in one file or library
MAX_LESSON_TASKS = 100          # tasks in an exercise's lesson block
MAX_LESSON_TEXT = 100_000       # characters of a lesson's text (Markdown)
MAX_TASK_POINTS = 1_000         # random points a build_expression task compares at
SCREENSHOT_MAX_PIXELS = 8192 * 8192  # width × height of a --screenshot image

# name shown in messages → value; the README table is checked against this
ALL = {
    "label length": MAX_LABEL_CHARS,
    "column name length": MAX_COLUMN_CHARS,
    "boxes": MAX_BOXES,
    "arrows": MAX_EDGES,
    "ports per box (softmax k)": MAX_PORTS,
    "data points": MAX_POINTS,
    "CSV columns": MAX_CSV_COLUMNS,
    "CSV file size (bytes)": MAX_CSV_BYTES,
    "CSV line length": MAX_CSV_LINE_CHARS,
    "graph file size (bytes)": MAX_GRAPH_BYTES,
    "expression length": MAX_EXPR_CHARS,
    "symbolic expression size": MAX_SYMBOLIC_OPS,
    "epochs": MAX_EPOCHS,
    "seeds and batch size": MAX_WHOLE,
    "learner Functions per file": MAX_FUNCTIONS,
    "lesson tasks": MAX_LESSON_TASKS,
    "lesson text length": MAX_LESSON_TEXT,
    "build_expression points": MAX_TASK_POINTS,
    "screenshot pixels": SCREENSHOT_MAX_PIXELS,
}


def too_many(what: str, found: int, limit: int) -> str:
    """The refusal text, naming the limit: 'too many boxes (25,000; the limit is 20,000)'."""
    return f"too many {what} ({found:,}; the limit is {limit:,})"


def too_long(what: str, found: int, limit: int) -> str:
    return f"{what} is too long ({found:,} characters; the limit is {limit:,})"
