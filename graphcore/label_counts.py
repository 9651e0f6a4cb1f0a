"""How many boxes carry each label, read once per change of the graph.

``Graph.box_name`` adds a box's id only when its label is not unique; asked for every
parameter of a 10,000-box graph (the landscape's axis lists), reading every label per name
was quadratic. The count is kept on the graph until the next change: every change bumps
``version`` or ``labels_version`` (a move or a value keeps the count).
"""
from __future__ import annotations


def label_counts(graph) -> dict[str, int]:
    key = (graph.version, graph.labels_version)
    cached = graph.__dict__.get("_label_counts")
    if cached is not None and cached[0] == key:
        return cached[1]
    counts: dict[str, int] = {}
    for n in graph.nodes():
        label = graph.label(n)
        counts[label] = counts.get(label, 0) + 1
    graph.__dict__["_label_counts"] = (key, counts)
    return counts
