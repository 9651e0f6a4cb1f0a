"""Class labels checked against the loss that reads them.

``bce`` and ``bce_logits`` need a label of 0 or 1, ``cross_entropy{k}`` one of
0 … k−1. The data set's label column ``y``, read by an ``input`` box wired straight into
a loss's label port, is checked before any work; anything else is refused with a ``DomainError``
naming the column, the row and the loss box (y = 2 would otherwise train on a negative
cost, and y = 10⁵ would ask for 10⁵ classes). ``classes`` tells the window which class
numbers a data set's labels name, without one class per value up to the largest.
"""
from __future__ import annotations

import numpy as np

from . import limits
from .errors import DomainError

LABEL_LOSSES = ("bce", "bce_logits", "cross_entropy")


def label_port(op: str, k: int) -> int:
    return k if op == "cross_entropy" else 1


def allowed(op: str, k: int) -> str:
    return "0 or 1" if op != "cross_entropy" else f"a whole number from 0 to {k - 1}"


def feeds(graph, ops: dict | None = None) -> list[tuple[str, str, int, str, str]]:
    """(loss box, op, k, input box, column) for every loss whose label port is wired straight
    from an input box that reads the label column ``y`` (other columns are features, which
    may feed a loss as soft targets). ``ops``: each box's op, when the caller has read them."""
    found = []
    for node in graph.nodes():
        op = graph.op(node) if ops is None else ops[node]
        if op not in LABEL_LOSSES:
            continue
        k = int(graph.attrs(node).get("k", 2))
        edge = graph.edge_into(node, label_port(op, k))
        if edge is not None and graph.op(edge.src) == "input" and (graph.column(edge.src) or edge.src) == "y":
            found.append((node, op, k, edge.src, "y"))
    return found


def first_bad(values, op: str, k: int) -> int | None:
    """Index of the first value that is not a class of this loss, or None."""
    v = np.asarray(values, dtype=float).reshape(-1)
    hi = 1 if op != "cross_entropy" else k - 1
    good = (v >= 0) & (v <= hi) & (v == np.floor(v))
    if good.all():
        return None
    return int(np.argmin(good))


def check(graph, data: dict | None, label_feeds=None):
    """Raise DomainError for the first label in the data set the loss cannot take.
    ``label_feeds``: ``feeds(graph)`` when the caller keeps it (a compiled plan does)."""
    if not data:
        return
    for loss, op, k, src, col in feeds(graph) if label_feeds is None else label_feeds:
        if col not in data:  # the graph is not read here unless a label is refused (a step stays lean)
            continue
        bad = first_bad(data[col], op, k)
        if bad is not None:
            value = np.asarray(data[col], dtype=float).reshape(-1)[bad]
            raise DomainError(f"column '{col}', row {bad + 1}: label {value:g} is not a class of the loss box "
                            f"'{graph.label(loss)}' ({op} needs {allowed(op, k)})", [loss, src])


def classes(y, at_least: int = 2) -> int:
    """How many classes the window offers for labels ``y``: the largest whole label + 1 when
    every label is a whole number in 0 … MAX_CLASS_LABEL, else ``at_least`` (the labels are
    not classes: a regression target, or a file the loss check refuses)."""
    v = np.asarray(y, dtype=float).reshape(-1)
    if not len(v):
        return at_least
    lo, hi = float(v.min()), float(v.max())
    if lo < 0 or hi > limits.MAX_CLASS_LABEL or not np.all(v == np.floor(v)):
        return at_least
    return max(int(hi) + 1, at_least)
