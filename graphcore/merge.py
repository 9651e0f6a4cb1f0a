"""Copy a checked graph's boxes and arrows into another graph, without checking them again.

Pasting 10,000 boxes built them twice: once by the file loader, which validates the
clipboard (ids, Functions, ports, cycles), then once more box by box, every box and
arrow checked a second time. A checked fragment is copied here instead: its boxes under
new ids, its arrows between them. New boxes wire only to each other, so no arrow can
close a cycle that the fragment did not already have (the loader refused those).

Inside a ``Graph.batch()`` (a paste of many boxes) the followers hear one ``reset`` for the
lot, so the boxes and arrows are added in bulk and the batch's record of them is made once
(``MERGES`` counts it); outside one, each is announced as ``add_node``/``connect`` would.
"""
from __future__ import annotations

from .events import EventKind, GraphEvent
from .graph import Edge, Graph
from .graph_order import insert_at
from .label_counts import note_added, note_added_many
from .node_record import copy_box

MERGES = {"bulk": 0, "one_by_one": 0}  # which way merges went, counted for the tests


def merge(graph: Graph, fragment: Graph, rename: dict[str, str], positions: dict) -> list[str]:
    """Add ``fragment``'s boxes (box ``b`` under the id ``rename[b]``, placed at ``positions[b]``)
    and its arrows to ``graph``, announcing each as ``add_node``/``connect`` would; returns the new ids.
    Every ``rename`` value must be free in ``graph``."""
    # Ranks follow the fragment's own (an order its arrows agree with), after every existing box.
    by_rank = sorted(fragment.nodes(), key=fragment._rank.__getitem__)
    rank = {rename[nid]: graph._next_rank + i for i, nid in enumerate(by_rank)}
    graph._next_rank += len(by_rank)
    if graph._batch_depth:
        MERGES["bulk"] += 1
        return _merge_in_batch(graph, fragment, rename, positions, rank)
    MERGES["one_by_one"] += 1
    new_ids = []
    for nid in fragment.nodes():  # the file's order: the fragment's
        new = rename[nid]
        graph._g.add_node(new, box=copy_box(fragment._g.nodes[nid]["box"]))
        graph._rank[new] = rank[new]
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


def _merge_in_batch(graph: Graph, fragment: Graph, rename: dict, positions: dict, rank: dict) -> list[str]:
    """``merge`` inside a batch: the same boxes, arrows, orders and record of the changes,
    each kept structure updated once for the lot instead of once per box and arrow."""
    boxes = fragment._g._node
    new_ids = [rename[nid] for nid in fragment.nodes()]
    copies = [copy_box(boxes[nid]["box"]) for nid in fragment.nodes()]
    graph._g.add_nodes_from(zip(new_ids, ({"box": box} for box in copies)))
    graph._rank.update(rank)
    graph._order.update(dict.fromkeys(new_ids))  # appended: the file's order, the fragment's
    graph.members += len(new_ids)
    note_added_many(graph, [(new, box["op"], box.get("label") or new) for new, box in zip(new_ids, copies)])
    for nid, new in zip(fragment.nodes(), new_ids):
        pos = positions.get(nid)
        if pos is not None:
            graph.layout[new] = (float(pos[0]), float(pos[1]))
    edges = [Edge(rename[e.src], rename[e.dst], e.port, e.out) for e in fragment.edges()]
    add_edge = graph._g.add_edge
    for edge in edges:
        add_edge(edge.src, edge.dst, key=edge.port, edge=edge)
    graph._edge_order.update(dict.fromkeys(edges))
    graph._into.update(((edge.dst, edge.port), edge) for edge in edges)
    _announce_in_batch(graph, new_ids, edges)
    return new_ids


def _announce_in_batch(graph: Graph, new_ids: list, edges: list):
    """What one ``_emit`` per NODE_ADDED and EDGE_ADDED does inside a batch, for the lot: the
    first goes through ``_emit`` (it makes the batch's record), the rest are added to it."""
    events = [GraphEvent(EventKind.NODE_ADDED, node=new_ids[0])] if new_ids else []
    if edges:
        events.append(GraphEvent(EventKind.EDGE_ADDED, edge=edges[0]))
    for ev in events:
        graph._emit(ev)
    graph.version += len(new_ids) + len(edges) - len(events)  # one structural change each, as before
    changes = graph._batched
    if changes is not None and not changes.everything:  # an "everything" record lists no box
        changes.nodes.update(new_ids)
        changes.edges.update(edges)
