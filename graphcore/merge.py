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
from .errors import CycleError
from .graph_order import insert_at, reorder_for
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

    def put_back(self, records: list, edges: list, at: dict) -> bool:
        """Put back boxes and arrows a removal took out (undo of a delete), inside a ``batch()``,
        without checking them again: they were this graph's before. ``records``: NodeRecords
        (with positions); ``at``: box or arrow → its index in the file's order then. Returns
        False, changing nothing, when they no longer fit (a box id taken, an arrow's end
        missing or its input taken): the caller then adds them one by one, checked.

        Undoing "delete everything" at 10,000 boxes added and wired them one by one, each arrow
        searching for a cycle (~0.8 s). Here the boxes get ranks in an order their own arrows
        agree with, after every box there; an arrow into a box that stayed has its ranks searched
        as ``connect`` does (at once when they already agree), the others go in as they are."""
        if not self._batch_depth or not self._fits(records, edges):
            return False
        ids = [rec.id for rec in records]
        back = set(ids)
        rank = _ranks(ids, [e for e in edges if e.src in back and e.dst in back], at)
        if len(rank) != len(ids):  # a cycle among them: never taken out of an acyclic graph
            return False
        boxes = {rec.id: _box_of(rec) for rec in records}
        in_place = _by_place(ids, at)
        appended = all(at.get(nid, 1 << 60) >= len(self._order) + i for i, nid in enumerate(in_place))
        self._g.add_nodes_from((nid, {"box": boxes[nid]}) for nid in ids)
        self._rank.update((nid, self._next_rank + r) for nid, r in rank.items())
        self._next_rank += len(ids)
        self._order = _placed(self._order, in_place, at)
        self.members += len(ids)
        if appended:  # the kept label counts and source lists follow; else they are read again
            note_added_many(self, [(nid, boxes[nid]["op"], boxes[nid].get("label") or nid) for nid in in_place])
        for rec in records:
            if rec.pos is not None:
                self.layout[rec.id] = (float(rec.pos[0]), float(rec.pos[1]))
        add_edge = self._g.add_edge
        into_stayed = []
        for edge in edges:
            if edge.dst not in back:  # from a box put back, or a lone arrow between two that stayed
                into_stayed.append(edge)
            else:  # ranked forward already: a box put back ranks after every box that stayed
                add_edge(edge.src, edge.dst, key=edge.port, edge=edge)
        for edge in _by_place(into_stayed, at):  # as ``connect``: the ranks searched again
            reorder = reorder_for(self._rank, self._g, edge.src, edge.dst)
            if reorder is None:
                raise CycleError(f"arrow {edge.src} → {edge.dst} would make a cycle", [edge.src, edge.dst])
            self._rank.update(reorder)
            add_edge(edge.src, edge.dst, key=edge.port, edge=edge)
        self._edge_order = _placed(self._edge_order, _by_place(edges, at), at)
        self._into.update(((edge.dst, edge.port), edge) for edge in edges)
        self._announce_in_batch(in_place, edges)
        return True

    def _fits(self, records: list, edges: list) -> bool:
        ids = {rec.id for rec in records}
        if len(ids) != len(records) or any(nid in self._g for nid in ids):
            return False
        ports = {(e.dst, e.port) for e in edges}
        return len(ports) == len(edges) and not any(p in self._into for p in ports) and all(
            (e.src in ids or e.src in self._g) and (e.dst in ids or e.dst in self._g) for e in edges)


def _box_of(rec) -> dict:
    """A record's stored fields, as ``add_node`` keeps them (the record's own copy of its attrs)."""
    d = rec.to_dict()
    del d["id"]
    return d


def _by_place(keys: list, at: dict) -> list:
    return sorted(keys, key=lambda k: at.get(k, 1 << 60))


def _placed(order: dict, keys: list, at: dict) -> dict:
    """``order`` with ``keys`` (lowest index first) inserted as ``insert_at`` would, in one pass."""
    if not order:
        return dict.fromkeys(keys)
    out, rest, done = {}, iter(order), object()
    for key in keys:
        index = at.get(key, 1 << 60)
        while len(out) < index:
            x = next(rest, done)
            if x is done:
                break
            out[x] = None
        out[key] = None
    out.update(dict.fromkeys(rest))
    return out


def _ranks(ids: list, edges: list, at: dict) -> dict:
    """Box → 0, 1, …: an order in which every one of ``edges`` (among ``ids``) goes forward,
    ties by the file's order (Kahn's; the boxes were acyclic when they were taken out)."""
    feeds, waiting = {}, dict.fromkeys(ids, 0)
    for e in edges:
        feeds.setdefault(e.src, []).append(e.dst)
        waiting[e.dst] += 1
    ready = [nid for nid in reversed(_by_place(ids, at)) if not waiting[nid]]
    rank = {}
    while ready:
        nid = ready.pop()
        rank[nid] = len(rank)
        for nxt in feeds.get(nid, ()):
            waiting[nxt] -= 1
            if not waiting[nxt]:
                ready.append(nxt)
    return rank
