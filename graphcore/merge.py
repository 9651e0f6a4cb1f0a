"""Copy a checked graph's boxes and arrows into another graph, without checking them again.

Pasting 10,000 boxes built them twice: once by the file loader, which validates the
clipboard (ids, Functions, ports, cycles), then once more box by box, every box and
arrow checked a second time. A checked fragment is copied here instead: its boxes under
new ids, its arrows between them. New boxes wire only to each other, so no arrow can
close a cycle that the fragment did not already have (the loader refused those).
"""
from __future__ import annotations

from .events import EventKind, GraphEvent
from .graph import Edge, Graph
from .graph_order import insert_at
from .label_counts import note_added
from .node_record import copy_box


def merge(graph: Graph, fragment: Graph, rename: dict[str, str], positions: dict) -> list[str]:
    """Add ``fragment``'s boxes (box ``b`` under the id ``rename[b]``, placed at ``positions[b]``)
    and its arrows to ``graph``, announcing each as ``add_node``/``connect`` would; returns the new ids.
    Every ``rename`` value must be free in ``graph``."""
    # Ranks follow the fragment's own (an order its arrows agree with), after every existing box.
    by_rank = sorted(fragment.nodes(), key=fragment._rank.__getitem__)
    rank = {nid: graph._next_rank + i for i, nid in enumerate(by_rank)}
    graph._next_rank += len(by_rank)
    new_ids = []
    for nid in fragment.nodes():  # the file's order: the fragment's
        new = rename[nid]
        graph._g.add_node(new, box=copy_box(fragment._g.nodes[nid]["box"]))
        graph._rank[new] = rank[nid]
        graph._order = insert_at(graph._order, new, None)
        graph.members += 1  # as add_node: the kept label counts and source lists follow
        box = graph._g.nodes[new]["box"]
        note_added(graph, new, box["op"], box.get("label") or new, True)
        if nid in positions:
            graph.layout[new] = (float(positions[nid][0]), float(positions[nid][1]))
        graph._emit(GraphEvent(EventKind.NODE_ADDED, node=new))
        new_ids.append(new)
    for e in fragment.edges():
        edge = Edge(rename[e.src], rename[e.dst], e.port, e.out)
        graph._g.add_edge(edge.src, edge.dst, key=edge.port, edge=edge)
        graph._edge_order = insert_at(graph._edge_order, edge, None)
        graph._into[(edge.dst, edge.port)] = edge
        graph._emit(GraphEvent(EventKind.EDGE_ADDED, edge=edge))
    return new_ids
