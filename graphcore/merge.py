"""Copy a checked graph's boxes and arrows into another graph, without checking them again.

Pasting 10,000 boxes built them twice: once by the file loader, which validates the
clipboard (ids, Functions, ports, cycles), then once more box by box, every box and
arrow checked a second time. A checked fragment is copied here instead: its boxes under
new ids, its arrows between them. New boxes wire only to each other, so no arrow can
close a cycle that the fragment did not already have (the loader refused those).

``Graph.merge`` is written here, as a base class of ``Graph``, because it writes the
graph's own fields as ``add_node`` and ``connect`` do (graph.py is at the house's 500
lines); this module imports nothing of graph.py, so the arrows still point one way.
Inside a ``Graph.batch()`` (a paste of many boxes) the followers hear one ``reset`` for the
lot, so the boxes and arrows are added in bulk and the batch's record of them is made once
(``MERGES`` counts it); outside one, each is announced as ``add_node``/``connect`` would.
"""
from __future__ import annotations

from dataclasses import replace

from .events import EventKind, GraphEvent
from .graph_order import insert_at
from .label_counts import note_added, note_added_many
from .node_record import copy_box

MERGES = {"bulk": 0, "one_by_one": 0}  # which way merges went, counted for the tests


class FragmentMerge:
    def merge(self, fragment, rename: dict[str, str], positions: dict) -> list[str]:
        """Add ``fragment``'s boxes (box ``b`` under the id ``rename[b]``, placed at ``positions[b]``)
        and its arrows to this graph, announcing each as ``add_node``/``connect`` would; returns the
        new ids. Every ``rename`` value must be free in this graph."""
        # Ranks follow the fragment's own (an order its arrows agree with), after every existing box.
        by_rank = sorted(fragment.nodes(), key=fragment._rank.__getitem__)
        rank = {rename[nid]: self._next_rank + i for i, nid in enumerate(by_rank)}
        self._next_rank += len(by_rank)
        if self._batch_depth:
            MERGES["bulk"] += 1
            return self._merge_in_batch(fragment, rename, positions, rank)
        MERGES["one_by_one"] += 1
        new_ids = []
        for nid in fragment.nodes():  # the file's order: the fragment's
            new = rename[nid]
            self._g.add_node(new, box=copy_box(fragment._g.nodes[nid]["box"]))
            self._rank[new] = rank[new]
            self._order = insert_at(self._order, new, None)
            self.members += 1  # as add_node: the kept label counts and source lists follow
            box = self._g.nodes[new]["box"]
            note_added(self, new, box["op"], box.get("label") or new)
            if nid in positions:
                self.layout[new] = (float(positions[nid][0]), float(positions[nid][1]))
            self.announce(GraphEvent(EventKind.NODE_ADDED, node=new))
            new_ids.append(new)
        for e in fragment.edges():
            edge = replace(e, src=rename[e.src], dst=rename[e.dst])  # an Edge, as connect makes
            self._g.add_edge(edge.src, edge.dst, key=edge.port, edge=edge)
            self._edge_order = insert_at(self._edge_order, edge, None)
            self._into[(edge.dst, edge.port)] = edge
            self.announce(GraphEvent(EventKind.EDGE_ADDED, edge=edge))
        return new_ids

    def _merge_in_batch(self, fragment, rename: dict, positions: dict, rank: dict) -> list[str]:
        """``merge`` inside a batch: the same boxes, arrows, orders and record of the changes,
        each kept structure updated once for the lot instead of once per box and arrow."""
        boxes = fragment._g.nodes
        new_ids = [rename[nid] for nid in fragment.nodes()]
        copies = [copy_box(boxes[nid]["box"]) for nid in fragment.nodes()]
        self._g.add_nodes_from(zip(new_ids, ({"box": box} for box in copies)))
        self._rank.update(rank)
        self._order.update(dict.fromkeys(new_ids))  # appended: the file's order, the fragment's
        self.members += len(new_ids)
        note_added_many(self, [(new, box["op"], box.get("label") or new) for new, box in zip(new_ids, copies)])
        for nid, new in zip(fragment.nodes(), new_ids):
            pos = positions.get(nid)
            if pos is not None:
                self.layout[new] = (float(pos[0]), float(pos[1]))
        edges = [replace(e, src=rename[e.src], dst=rename[e.dst]) for e in fragment.edges()]
        add_edge = self._g.add_edge
        for edge in edges:
            add_edge(edge.src, edge.dst, key=edge.port, edge=edge)
        self._edge_order.update(dict.fromkeys(edges))
        self._into.update(((edge.dst, edge.port), edge) for edge in edges)
        self._announce_in_batch(new_ids, edges)
        return new_ids

    def _announce_in_batch(self, new_ids: list, edges: list):
        """What one ``announce`` per NODE_ADDED and EDGE_ADDED does inside a batch, for the lot: the
        first goes through ``announce`` (it makes the batch's record), the rest are added to it."""
        events = [GraphEvent(EventKind.NODE_ADDED, node=new_ids[0])] if new_ids else []
        if edges:
            events.append(GraphEvent(EventKind.EDGE_ADDED, edge=edges[0]))
        for ev in events:
            self.announce(ev)
        self.version += len(new_ids) + len(edges) - len(events)  # one structural change each, as before
        changes = self._batched
        if changes is not None and not changes.everything:  # an "everything" record lists no box
            changes.nodes.update(new_ids)
            changes.edges.update(edges)
