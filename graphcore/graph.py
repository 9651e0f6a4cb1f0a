"""Graph: the computation graph a learner builds — Function boxes joined by Variable arrows.

Held in a networkx ``MultiDiGraph`` (several arrows may join the same two boxes, as in
``x*x``). Every change goes through a method here, is checked first (so a refused
change leaves the graph as it was), and is then announced to subscribers as a
``GraphEvent`` — plain callbacks, no Qt — so a window can follow the model.

``version`` counts structural changes (boxes, arrows, ops, attrs); the engine caches
its compiled plan until it moves. Parameter values are not structure: changing one
bumps ``values_version`` only.
"""
from __future__ import annotations

import copy
import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import networkx as nx
import numpy as np

from . import functions as F
from .box_fields import checked_column, checked_label, finite_number, value_label, writes_value
from .label_counts import label_counts, note_added, note_relabelled, note_removed, sources
from .merge import FragmentMerge
from .errors import (BadAttributeError, BadIdError, CycleError, DuplicateIdError, PortError,
                     PortTakenError, UnknownNodeError)
from .events import BatchChanges, EventKind, GraphEvent
from .graph_order import insert_at, lexicographic_topological, reorder_for
from .node_record import NodeRecord, Removal, copy_box
from .variable_ref import PORT_RE, VariableRef, check_ref

__all__ = ["Graph", "Edge", "GraphEvent", "EventKind", "BatchChanges", "NodeRecord", "Removal", "VariableRef",
           "ID_RE", "PORT_RE", "value_label"]

ID_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class Edge:
    """A Variable arrow: output port ``out`` of ``src`` into input port ``port`` of ``dst``."""

    src: str
    dst: str
    port: int
    out: int = 0

    def to_dict(self) -> dict:
        d = {"src": self.src, "dst": self.dst, "port": self.port}
        if self.out:
            d["out"] = self.out
        return d


# Graph.copy's round trip (fileformat's to_dict, then from_dict), set by copy_through.
_ROUND_TRIP: list[Callable[["Graph"], "Graph"]] = []


def copy_through(round_trip: Callable[["Graph"], "Graph"]):
    """How Graph.copy copies: fileformat.py registers its round trip here."""
    _ROUND_TRIP[:] = [round_trip]


class Graph(FragmentMerge):
    META_KEYS = ("name", "loss", "output", "threshold", "dataset", "training")

    def __init__(self, name: str = "untitled"):
        self._g = nx.MultiDiGraph()
        # Insertion order of boxes and arrows, kept stable for files and plots (dicts: O(1) removal).
        self._order: dict[str, None] = {}
        self._edge_order: dict[Edge, None] = {}
        self._into: dict[tuple[str, int], Edge] = {}  # (box, input port) → its arrow: a wide softmax stays linear
        # rank[src] < rank[dst], kept by Pearce–Kelly: a cycle check searches only the ranks between (graph_order.py)
        self._rank: dict[str, int] = {}
        self._next_rank = 0
        self._next_suffix: dict[str, int] = {}  # unique_id's memory
        self.layout: dict[str, tuple[float, float]] = {}
        self.meta: dict[str, Any] = {"name": name, "loss": None, "output": None, "threshold": 0.5,
                                     "dataset": None, "training": None}
        self.version = 0
        self.values_version = 0
        self.labels_version = 0  # bumped by a label's change: moves and values keep label_counts
        self.wiring_version = 0  # every structural change but a box added (it comes unwired)
        self.members = 0  # bumped as boxes come and go (label_counts.py keeps counts across it)
        self.source_path: str | None = None  # where the file came from (for relative CSV paths)
        # What the parts above keep with this graph (plans, groups, lesson): it goes when the graph goes.
        self.attached: dict[str, Any] = {}
        self._subscribers: list[Callable[[GraphEvent], None]] = []
        self._batch_depth = 0
        self._batched: BatchChanges | None = None
        self._topo_cache: list[str] | None = None

    # --- change events ---------------------------------------------------------------
    def subscribe(self, callback: Callable[[GraphEvent], None]) -> Callable[[], None]:
        """Call ``callback(event)`` after each change; returns a function that unsubscribes."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def announce(self, event: GraphEvent, structural: bool = True):
        if structural:
            self.version += 1
            self._topo_cache = None
            self.wiring_version += event.kind is not EventKind.NODE_ADDED
        else:
            self.values_version += 1
            if event.key == "label" or event.kind is EventKind.RESET:  # a batch may hold renames
                self.labels_version += 1
        if self._batch_depth:
            b = self._batched
            if b is None:  # a graph nobody follows (the loader's, being built) lists no box: "everything"
                b = self._batched = BatchChanges(everything=not self._subscribers)
            if b.everything:  # followers rebuild it all: the list of boxes and arrows would go unread
                b.kinds.add(event.kind)
                b.structural |= structural
            else:
                b.record(event, structural)
            return
        for cb in list(self._subscribers):
            cb(event)

    @contextmanager
    def batch(self) -> Iterator["Graph"]:
        """Make many changes and announce them as one ``reset`` event (loading, pasting)."""
        self._batch_depth += 1
        try:
            yield self
        finally:
            self._batch_depth -= 1
            if not self._batch_depth and self._batched is not None:
                changes, self._batched = self._batched, None
                self.announce(GraphEvent(EventKind.RESET, changes=changes), structural=changes.structural)

    # --- reading ---------------------------------------------------------------------
    def __contains__(self, node_id: str) -> bool:
        return node_id in self._g

    def __len__(self) -> int:
        return len(self._order)

    def nodes(self) -> list[str]:
        return list(self._order)

    def edges(self) -> list[Edge]:
        return list(self._edge_order)

    def node(self, node_id: str) -> dict:
        """A copy of the box's record: op, label, value, column, attrs."""
        return copy.deepcopy(self._data(node_id))

    def op(self, node_id: str) -> str:
        return self._data(node_id)["op"]

    def function(self, node_id: str) -> F.Function:
        return F.get(self.op(node_id))

    def attrs(self, node_id: str) -> dict:
        """The box's attrs with defaults filled in."""
        d = self._data(node_id)
        return F.get(d["op"]).resolve_attrs(d.get("attrs"), node_id)

    def label(self, node_id: str) -> str:
        return self._data(node_id).get("label") or node_id

    def box_name(self, node_id: str) -> str:
        """The box as the learner knows it, for messages: its label, and its id in brackets
        only when another box carries the same label ("h [h2]")."""
        label = self.label(node_id)
        return f"{label} [{node_id}]" if label_counts(self).get(label, 0) > 1 else label

    def value(self, node_id: str) -> float | None:
        return self._data(node_id).get("value")

    def column(self, node_id: str) -> str | None:
        return self._data(node_id).get("column")

    def n_inputs(self, node_id: str) -> int:
        fn = self.function(node_id)
        # A Function without attrs has fixed ports: no attrs to resolve (asked twice per arrow made)
        return fn.n_inputs(self.attrs(node_id) if fn.attrs else {})

    def n_outputs(self, node_id: str) -> int:
        fn = self.function(node_id)
        return fn.n_outputs(self.attrs(node_id) if fn.attrs else {})

    def inputs_of(self, node_id: str) -> list[Edge | None]:
        """The arrow into each input port of a box (None where the port is unwired)."""
        into = self._into
        return [into.get((node_id, p)) for p in range(self.n_inputs(node_id))]

    def upstream_of(self, node_ids) -> set[str]:
        """Every box whose value reaches one of ``node_ids`` along arrows (those boxes excluded)."""
        seen: set[str] = set()
        todo = [n for n in node_ids if n in self._g]
        while todo:
            for src in self._g.predecessors(todo.pop()):
                if src not in seen:
                    seen.add(src)
                    todo.append(src)
        return seen

    def neighbours(self, node_id: str):
        """(boxes wired into ``node_id``, boxes it feeds): read-only views keyed by box, each once."""
        return self._g.pred[node_id], self._g.succ[node_id]

    def outputs_of(self, node_id: str) -> list[Edge]:
        """Arrows leaving a box, in the graph's edge order."""
        return [e for e in self._edge_order if e.src == node_id]

    def arrows_at(self, node_id: str) -> list[Edge]:
        """Every arrow into or out of a box, in no particular order: costs its own arrows only
        (``outputs_of`` keeps the file's order and reads them all)."""
        g = self._g
        return [d["edge"] for _, _, d in g.in_edges(node_id, data=True)] + \
            [d["edge"] for _, _, d in g.out_edges(node_id, data=True)]

    def edge_into(self, dst: str, port: int) -> Edge | None:
        return self._into.get((dst, port))

    def variable_keys(self, node_id: str) -> list[str]:
        """Names of the Variables a box outputs: ``id`` or ``id:k`` for multi-output boxes."""
        return VariableRef.keys_of(node_id, self.n_outputs(node_id))

    def parameters(self) -> list[str]:
        return list(sources(self)[0])

    def inputs(self) -> list[str]:
        return list(sources(self)[1])

    def topological_order(self) -> list[str]:
        """Boxes in an order where every box comes after its inputs; ties by insertion order.
        Kept until the structure changes (the plan, the layout and the step-through all ask)."""
        if self._topo_cache is None:
            self._topo_cache = lexicographic_topological(self._order, self._edge_order)
        return list(self._topo_cache)

    def unique_id(self, base: str) -> str:
        base = re.sub(r"\W", "_", base) or "box"
        if not ID_RE.match(base):
            base = "_" + base
        if base not in self._g:
            return base
        # Start from where the last search for this base stopped: numbering n boxes of one op stays linear.
        i = self._next_suffix.get(base, 1)
        while f"{base}{i}" in self._g:
            i += 1
        self._next_suffix[base] = i
        return f"{base}{i}"

    def _data(self, node_id: str) -> dict:
        try:
            return self._g._node[node_id]["box"]  # networkx's own node dict: no view made per call
        except KeyError:
            raise UnknownNodeError(f"no box '{node_id}' in the graph", [node_id]) from None

    def _require(self, node_id: str):
        self._data(node_id)

    # --- building --------------------------------------------------------------------
    def add_node(self, op: str, node_id: str | None = None, *, label: str | None = None,
                 value: float | None = None, column: str | None = None, attrs: dict | None = None,
                 pos: tuple[float, float] | None = None, at: int | None = None) -> str:
        """Add a Function box; returns its id (made unique from the op when not given).
        ``at`` puts it at that place in the file's order (undo restores a deleted box there)."""
        fn = F.get(op)
        if node_id is None:
            node_id = self.unique_id(op)
        if not isinstance(node_id, str) or not ID_RE.match(node_id):
            raise BadIdError(f"box id {node_id!r} is not a valid name (letters, digits, _; not starting with a digit)",
                             [str(node_id)])
        if node_id in self._g:
            raise DuplicateIdError(f"there is already a box '{node_id}'", [node_id])
        record: dict[str, Any] = {"op": op}
        resolved = fn.resolve_attrs(attrs, node_id)
        if attrs:
            record["attrs"] = {k: resolved[k] for k in attrs}
        if label is not None:
            record["label"] = checked_label(label, node_id)
        if op in ("parameter", "constant") and value is None:
            raise BadAttributeError(f"box '{node_id}': a {op} needs a value", [node_id])
        if value is not None:
            if op not in F.SOURCE_OPS:
                raise BadAttributeError(f"box '{node_id}': only input, parameter and constant boxes take a value",
                                        [node_id])
            record["value"] = finite_number(value, "value", node_id)
        if column is not None:
            if op != "input":
                raise BadAttributeError(f"box '{node_id}': only input boxes take a column", [node_id])
            record["column"] = checked_column(column, node_id)
        self._g.add_node(node_id, box=record)
        self._order = insert_at(self._order, node_id, at)
        self._rank[node_id] = self._next_rank
        self._next_rank += 1
        self.members += 1
        note_added(self, node_id, op, record.get("label") or node_id, at)
        if pos is not None:
            self.layout[node_id] = (float(pos[0]), float(pos[1]))
        self.announce(GraphEvent(EventKind.NODE_ADDED, node=node_id))
        return node_id

    def add_record(self, rec: NodeRecord, at: int | None = None) -> str:
        """Add the box ``rec`` describes (checked as ``add_node``): undo, paste, a loaded file."""
        return self.add_node(rec.op, rec.id, label=rec.label, value=rec.value, column=rec.column,
                             attrs=rec.attrs, pos=rec.pos, at=at)

    def record(self, node_id: str) -> NodeRecord:
        """The box as a ``NodeRecord``: its fields and position (a copy)."""
        return NodeRecord.from_dict(self._data(node_id), node_id, self.layout.get(node_id))

    def remove_node(self, node_id: str) -> Removal:
        """Remove a box and its arrows; returns ``Removal(record, arrows, cleared)`` so it can be
        put back — ``cleared``: the graph's loss or output that named the box (now None)."""
        record = self.record(node_id)
        attached = self.arrows_at(node_id)  # its own arrows only: clearing 10,000 boxes stays linear
        for e in attached:
            self.disconnect(e.dst, e.port)
        self._g.remove_node(node_id)
        del self._order[node_id]
        self.members += 1
        note_removed(self, node_id, record.op, record.label or node_id)
        del self._rank[node_id]
        self.layout.pop(node_id, None)
        cleared = {key: self.meta[key] for key in ("loss", "output")
                   if VariableRef.box_of(self.meta.get(key)) == node_id}
        for key in cleared:
            self.meta[key] = None
        self.announce(GraphEvent(EventKind.NODE_REMOVED, node=node_id))
        return Removal(record, attached, cleared)

    def connect(self, src: str, dst: str, port: int, out: int = 0, *, replace: bool = False,
                at: int | None = None) -> Edge | None:
        """Wire output ``out`` of ``src`` into input ``port`` of ``dst``.

        Refuses a port out of range, a taken port (unless ``replace``; then the old
        arrow is returned) and an arrow that would close a cycle."""
        self._require(src)
        self._require(dst)
        if isinstance(port, bool) or not isinstance(port, int) or isinstance(out, bool) or not isinstance(out, int):
            raise PortError(f"arrow {src} → {dst}: ports are whole numbers", [src, dst])
        n_in, n_out = self.n_inputs(dst), self.n_outputs(src)
        if n_out == 0 or not 0 <= out < n_out:
            raise PortError(f"arrow {src} → {dst}: box '{src}' ({self.op(src)}) has no output {out}"
                            + (f" (it has {n_out})" if n_out else ""), [src])
        if not 0 <= port < n_in:
            what = "no input ports" if n_in == 0 else f"inputs 0..{n_in - 1}"
            raise PortError(f"arrow {src} → {dst}: box '{dst}' ({self.op(dst)}) has {what}, not port {port}", [dst])
        if src == dst:
            raise CycleError(f"arrow {self.box_name(src)} → {self.box_name(dst)} would make a cycle: "
                             "a box cannot feed itself", [src, dst])
        reorder = reorder_for(self._rank, self._g, src, dst)
        if reorder is None:
            a, b = self.box_name(src), self.box_name(dst)
            raise CycleError(f"arrow {a} → {b} would make a cycle: '{b}' already feeds '{a}'", [src, dst])
        old = self.edge_into(dst, port)
        if old is not None:
            if not replace:
                raise PortTakenError(f"input {port} of '{self.box_name(dst)}' is already wired from "
                                     f"'{self.box_name(old.src)}'", [dst, old.src])
            self.disconnect(dst, port)
        self._rank.update(reorder)
        edge = Edge(src, dst, port, out)
        self._g.add_edge(src, dst, key=port, edge=edge)
        self._edge_order = insert_at(self._edge_order, edge, at)
        self._into[(dst, port)] = edge
        self.announce(GraphEvent(EventKind.EDGE_ADDED, edge=edge))
        return old

    def disconnect(self, dst: str, port: int) -> Edge:
        """Remove the arrow into input ``port`` of ``dst``; returns it."""
        edge = self.edge_into(dst, port)
        if edge is None:
            raise PortError(f"input {port} of '{dst}' has no arrow", [dst])
        self._g.remove_edge(edge.src, dst, key=port)
        del self._edge_order[edge]
        del self._into[(dst, port)]
        self.announce(GraphEvent(EventKind.EDGE_REMOVED, edge=edge))
        return edge

    def set_label(self, node_id: str, label: str | None):
        d = self._data(node_id)
        if label is not None:
            checked_label(label, node_id)
        note_relabelled(self, d.get("label") or node_id, label or node_id)  # kept counts follow the announce
        if label:
            d["label"] = label
        else:
            d.pop("label", None)
        self.announce(GraphEvent(EventKind.NODE_CHANGED, node=node_id, key="label"), structural=False)

    def set_value(self, node_id: str, value: float | None):
        """Set the value of an input, parameter or constant box."""
        d = self._data(node_id)
        if d["op"] not in F.SOURCE_OPS:
            raise BadAttributeError(f"box '{self.box_name(node_id)}' ({d['op']}) has no value to set", [node_id])
        if value is None:
            if d["op"] != "input":
                raise BadAttributeError(f"box '{self.box_name(node_id)}': a {d['op']} needs a value", [node_id])
            d.pop("value", None)
        else:
            old = d.get("value")
            d["value"] = finite_number(value, "value", node_id, self)
            if d["op"] == "constant" and old is not None and writes_value(d.get("label"), old):
                # a constant labelled by its value ("3") keeps saying its value, not a stale one
                d["label"] = value_label(d["value"])
                self.announce(GraphEvent(EventKind.NODE_CHANGED, node=node_id, key="label"), structural=False)
        self.announce(GraphEvent(EventKind.NODE_CHANGED, node=node_id, key="value"), structural=d["op"] == "input")

    def set_values(self, values: dict[str, float]):
        """Set many parameter values at once (after training) with one event each."""
        for node_id, v in values.items():
            self.set_value(node_id, v)

    def set_column(self, node_id: str, column: str | None):
        d = self._data(node_id)
        if d["op"] != "input":
            raise BadAttributeError(f"box '{self.box_name(node_id)}': only input boxes take a column", [node_id])
        if column:
            d["column"] = checked_column(str(column), node_id, self.box_name(node_id))
        else:
            d.pop("column", None)
        self.announce(GraphEvent(EventKind.NODE_CHANGED, node=node_id, key="column"))

    def set_attr(self, node_id: str, key: str, value):
        """Set one attribute (slope, exponent, k). Changing k re-shapes the ports: arrows
        into or out of ports that no longer exist are refused rather than dropped."""
        d = self._data(node_id)
        fn = F.get(d["op"])
        new = dict(d.get("attrs") or {})
        if value is None:
            new.pop(key, None)
        else:
            new[key] = value
        resolved = fn.resolve_attrs(new, node_id, self.box_name(node_id))
        n_in, n_out = fn.n_inputs(resolved), fn.n_outputs(resolved)
        for e in self._edge_order:
            if (e.dst == node_id and e.port >= n_in) or (e.src == node_id and e.out >= n_out):
                raise BadAttributeError(f"box '{self.box_name(node_id)}': {key}={value} would leave the arrow "
                                        f"{self.box_name(e.src)} → {self.box_name(e.dst)} without a port; "
                                        "remove it first", [node_id])
        d["attrs"] = {k: resolved[k] for k in new}
        if not d["attrs"]:
            del d["attrs"]
        self.announce(GraphEvent(EventKind.NODE_CHANGED, node=node_id, key="attrs"))

    def move(self, node_id: str, x: float, y: float):
        self._require(node_id)
        self.layout[node_id] = (float(x), float(y))
        self.announce(GraphEvent(EventKind.NODE_MOVED, node=node_id), structural=False)

    def set_meta(self, key: str, value):
        """Set a graph-level field: name, loss, output, threshold, dataset, training."""
        if key not in self.META_KEYS:
            raise BadAttributeError(f"the graph has no field '{key}'")
        if key in ("loss", "output") and value is not None:
            self.check_variable_ref(value, key)
        if key == "threshold":  # a graph-level field: no box to name in the message
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
                    or not np.isfinite(value):
                raise BadAttributeError(f"the threshold must be a finite number, not {value!r}")
            value = float(value)
        self.meta[key] = copy.deepcopy(value)
        self.announce(GraphEvent(EventKind.GRAPH_CHANGED, key=key), structural=key in ("loss", "output", "dataset"))

    def check_variable_ref(self, ref, what: str = "reference") -> tuple[str, int]:
        """Parse ``id`` or ``id:k`` into (box, output port), checking both exist."""
        return check_ref(self, ref, what)

    # --- whole-graph helpers ---------------------------------------------------------
    def copy(self) -> "Graph":
        """A copy carrying all a file carries (groups, a lesson, the learner's Functions): the
        file format's round trip, which fileformat.py hands over when it is imported (graphcore
        imports it), so the model never imports the format that reads it."""
        g = _ROUND_TRIP[0](self)
        g.source_path = self.source_path
        return g

    def assign(self, source: "Graph", take: bool = False):
        """Become a copy of ``source`` (boxes, arrows, order, ranks, layout, meta, source path;
        not its subscribers nor its groups) in one ``reset``, checking nothing (it was checked
        when built). ``take``: its very tables, not copies, for a ``source`` about to be dropped
        (the loader's graph: copying 10,000 boxes was ~0.1 s of File ▸ Open)."""
        if take:
            g, meta = source._g, source.meta
        else:
            g, meta = nx.MultiDiGraph(), copy.deepcopy(source.meta)
            g.add_nodes_from((n, {"box": copy_box(d["box"])}) for n, d in source._g.nodes(data=True))
            g.add_edges_from((e.src, e.dst, e.port, {"edge": e}) for e in source._edge_order)
        own = (lambda table: table) if take else dict
        self._g, self.meta, self._next_rank = g, meta, source._next_rank
        self._order, self._edge_order = own(source._order), own(source._edge_order)
        self._into, self._rank = own(source._into), own(source._rank)
        self._next_suffix, self.layout = own(source._next_suffix), own(source.layout)
        self.source_path = source.source_path
        self.members += 1
        self.announce(GraphEvent(EventKind.RESET))

    def clear(self):
        with self.batch():
            for n in reversed(list(self._order)):
                self.remove_node(n)
