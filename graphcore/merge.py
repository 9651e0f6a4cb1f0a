"""Copy a checked graph's boxes and arrows into another graph, without checking them again.

Pasting 10,000 boxes built them twice: once by the file loader, which validates the
clipboard (ids, Functions, ports, cycles), then once more box by box, every box and
arrow checked a second time. A checked fragment is copied here instead: its boxes under
new ids, its arrows between them. New boxes wire only to each other, so no arrow can
close a cycle that the fragment did not already have (the loader refused those).

``Graph.merge`` is written here, as a base class of ``Graph``, because it writes the
graph's own fields as ``add_node`` and ``connect`` do (graph.py is at the house's 500
lines); this module imports nothing of graph.py, so the arrows still point one way.
"""
from __future__ import annotations

from dataclasses import replace

from .events import EventKind, GraphEvent
from .graph_order import insert_at
from .label_counts import note_added
from .node_record import copy_box


class FragmentMerge:
    def merge(self, fragment, rename: dict[str, str], positions: dict) -> list[str]:
        """Add ``fragment``'s boxes (box ``b`` under the id ``rename[b]``, placed at ``positions[b]``)
        and its arrows to this graph, announcing each as ``add_node``/``connect`` would; returns the
        new ids. Every ``rename`` value must be free in this graph."""
        # Ranks follow the fragment's own (an order its arrows agree with), after every existing box.
        by_rank = sorted(fragment.nodes(), key=fragment._rank.__getitem__)
        rank = {nid: self._next_rank + i for i, nid in enumerate(by_rank)}
        self._next_rank += len(by_rank)
        new_ids = []
        for nid in fragment.nodes():  # the file's order: the fragment's
            new = rename[nid]
            self._g.add_node(new, box=copy_box(fragment._g.nodes[nid]["box"]))
            self._rank[new] = rank[nid]
            self._order = insert_at(self._order, new, None)
            self.members += 1  # as add_node: the kept label counts and source lists follow
            box = self._g.nodes[new]["box"]
            note_added(self, new, box["op"], box.get("label") or new, True)
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
