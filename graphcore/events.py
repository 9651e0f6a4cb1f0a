"""What a Graph announces: one ``GraphEvent`` per change, of a kind named by ``EventKind``;
a ``batch()`` ends in one ``reset`` carrying ``BatchChanges`` (what it touched)."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class EventKind(str, Enum):
    """The kinds of change. str-valued, so ``kind == "node_moved"`` still holds."""

    NODE_ADDED = "node_added"
    NODE_REMOVED = "node_removed"
    NODE_CHANGED = "node_changed"  # ``key``: label, value, column or attrs
    NODE_MOVED = "node_moved"
    EDGE_ADDED = "edge_added"
    EDGE_REMOVED = "edge_removed"
    GRAPH_CHANGED = "graph_changed"  # ``key``: the meta field (or "groups")
    RESET = "reset"

    def __str__(self) -> str:
        return self.value


@dataclass
class GraphEvent:
    """One change to the graph: ``kind`` (an ``EventKind``; its text is accepted and converted)."""

    kind: EventKind
    node: str | None = None
    edge: object | None = None  # the Edge added or removed
    key: str | None = None  # which field changed, for node_changed / graph_changed
    # On a ``reset`` that ends a ``batch()``: what the batch touched, so a follower can
    # update only that (None on a reset of unknown extent).
    changes: "BatchChanges | None" = None

    def __post_init__(self):
        if type(self.kind) is not EventKind:  # the graph's own events (50,000 in a big paste) already are
            self.kind = EventKind(self.kind)  # a misspelt kind fails here, not in a follower


@dataclass
class BatchChanges:
    """What one ``Graph.batch()`` touched: boxes, arrows and meta keys, and whether any change
    was structural (moves and labels are not: the plan stays, nothing needs evaluating)."""

    nodes: set = field(default_factory=set)
    edges: set = field(default_factory=set)
    meta: set = field(default_factory=set)
    kinds: set = field(default_factory=set)
    structural: bool = False
    values: bool = False  # a source's value changed (evaluation needed, plan kept)
    everything: bool = False  # the batch replaced the whole graph (``assign``): follow it as a new one

    def record(self, event: GraphEvent, structural: bool):
        self.kinds.add(event.kind)
        if event.node is not None:
            self.nodes.add(event.node)
        if event.edge is not None:
            self.edges.add(event.edge)
        if event.kind is EventKind.GRAPH_CHANGED:
            self.meta.add(event.key)
        self.structural |= structural
        self.values |= event.key == "value"
        self.everything |= event.kind is EventKind.RESET

    @property
    def moves_only(self) -> bool:
        """Whether the batch only moved boxes (an auto-layout, an align, a drag of many)."""
        return self.kinds <= {EventKind.NODE_MOVED}

    @property
    def needs_evaluation(self) -> bool:
        """Whether the numbers can differ after this batch (not after moves and renames alone)."""
        return self.everything or self.structural or self.values or bool(self.meta - {"name"})
