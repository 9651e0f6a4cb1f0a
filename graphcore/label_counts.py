"""What the graph's boxes add up to, kept across edits: how many boxes carry each label, and
the parameter and input boxes in box order.

``Graph.box_name`` adds a box's id only when its label is not unique; asked for every
parameter of a 10,000-box graph (the landscape's axis lists), reading every label per name
was quadratic. Both are read once, then kept up to date box by box as boxes come and go
(``note_added``/``note_removed``): an edit of a 10,000-box graph reads the boxes it changes,
not all of them. ``members`` counts changes of the set of boxes; a change this module is not
told of (a label's change not noted with ``note_relabelled`` bumps ``labels_version``; a whole
new box set in ``assign``) makes it read the boxes again. Both are kept in ``graph.attached``
(the parts' own corner of the graph), so they go with the graph.
"""
from __future__ import annotations

READS = {"label_counts": 0, "sources": 0}  # whole-graph reads, counted for the tests


def _kept(graph, name: str, key):
    cached = graph.attached.get(name)
    return cached[1] if cached is not None and cached[0] == key else None


def _keep(graph, name: str, key, value):
    graph.attached[name] = (key, value)


def label_counts(graph) -> dict[str, int]:
    key = (graph.members, graph.labels_version)
    counts = _kept(graph, "label_counts", key)
    if counts is None:
        READS["label_counts"] += 1
        counts = {}
        for n in graph.nodes():
            label = graph.label(n)
            counts[label] = counts.get(label, 0) + 1
        _keep(graph, "label_counts", key, counts)
    return counts


def sources(graph) -> tuple[list[str], list[str]]:
    """(parameters, inputs) in box order, read once per set of boxes: several panels ask per edit."""
    kept = _kept(graph, "sources", graph.members)
    if kept is None:
        READS["sources"] += 1
        ops = [(n, graph.op(n)) for n in graph.nodes()]
        kept = ([n for n, op in ops if op == "parameter"], [n for n, op in ops if op == "input"])
        _keep(graph, "sources", graph.members, kept)
    return kept


def note_added(graph, node_id: str, op: str, label: str, at: int | None = None):
    """A box was added at index ``at`` of the box order (None: at the end; ``graph.members``
    already counts it): the kept counts and source lists follow it — a parameter or input put
    back in the middle (an undo) goes into its list before the next one of its kind."""
    _follow(graph, label, +1)
    kept = _kept(graph, "sources", graph.members - 1)
    if kept is None:
        return
    if op in ("parameter", "input"):
        same = kept[op == "input"]
        if at is None or at >= len(graph) - 1:
            same.append(node_id)
        else:  # a place below 0 is the front, as insert_at puts it
            same.insert(_place(graph.nodes(), max(at, 0), same), node_id)
    _keep(graph, "sources", graph.members, kept)


def _place(order: list[str], at: int, same: list[str]) -> int:
    """Where the box at ``order[at]`` goes in ``same`` (its kind's boxes in box order): before
    the first of them that follows it (one pass over the boxes after it, no look-up per box)."""
    later = set(same)
    for n in order[at + 1:]:
        if n in later:
            return same.index(n)
    return len(same)


def note_added_many(graph, boxes: list[tuple[str, str, str]]):
    """``note_added`` for each of ``boxes`` ((id, op, label), all appended in this order) at once,
    ``graph.members`` already counting them all (a paste of thousands: each kept table once)."""
    n = len(boxes)
    counts = _kept(graph, "label_counts", (graph.members - n, graph.labels_version))
    if counts is not None:
        for _, _, label in boxes:
            counts[label] = counts.get(label, 0) + 1
        _keep(graph, "label_counts", (graph.members, graph.labels_version), counts)
    kept = _kept(graph, "sources", graph.members - n)
    if kept is not None:
        for nid, op, _ in boxes:
            if op in ("parameter", "input"):
                kept[op == "input"].append(nid)
        _keep(graph, "sources", graph.members, kept)


def note_removed(graph, node_id: str, op: str, label: str):
    _follow(graph, label, -1)
    kept = _kept(graph, "sources", graph.members - 1)
    if kept is not None:
        if op in ("parameter", "input"):
            kept[op == "input"].remove(node_id)
        _keep(graph, "sources", graph.members, kept)


def note_relabelled(graph, old: str, new: str):
    """A box's label goes from ``old`` to ``new`` (each the label ``Graph.label`` shows); called
    just before the change is announced, which bumps ``graph.labels_version``: the kept counts
    follow it instead of being read again (a rename of one box of 10,000 read all 10,000)."""
    key = (graph.members, graph.labels_version)
    counts = _kept(graph, "label_counts", key)
    if counts is None or old == new:
        return
    counts[old] = counts.get(old, 0) - 1
    if counts[old] <= 0:
        del counts[old]
    counts[new] = counts.get(new, 0) + 1
    _keep(graph, "label_counts", (graph.members, graph.labels_version + 1), counts)


def _follow(graph, label: str, step: int):
    counts = _kept(graph, "label_counts", (graph.members - 1, graph.labels_version))
    if counts is None:
        return
    counts[label] = counts.get(label, 0) + step
    if counts[label] <= 0:
        del counts[label]
    _keep(graph, "label_counts", (graph.members, graph.labels_version), counts)
