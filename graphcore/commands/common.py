"""What the verbs share: loading a graph and its data, turning arrays into JSON numbers."""
from __future__ import annotations

import json
import sys

import numpy as np

from .. import datasets, fileformat
from ..graph import Graph
from ..numbers import format_number


def load_graph(path: str) -> Graph:
    return fileformat.load(path)


def load_data(graph: Graph, csv_path: str | None = None) -> dict | None:
    """The training points the graph is evaluated on (None: inputs use their values)."""
    ds = datasets.for_graph(graph, csv_path)
    return None if ds is None else ds.train()


def number(v):
    """A Variable's value as JSON: a float for a scalar, a list of m floats per sample."""
    a = np.asarray(v, dtype=float)
    return float(a) if a.ndim == 0 else [float(x) for x in a]


def summary(v) -> str:
    """Short text for a value: the number, or the mean and spread over samples."""
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        return format_number(a)
    with np.errstate(over="ignore"):  # the mean of values near 1e308 overflows: show inf, warn nobody
        mean = a.mean()
    return (f"mean {format_number(mean)} (min {format_number(a.min(), 4)}, max {format_number(a.max(), 4)}, "
            f"m={a.size})")


def print_json(doc):
    json.dump(doc, sys.stdout, indent=None, allow_nan=False)
    sys.stdout.write("\n")
