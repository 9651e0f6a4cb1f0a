"""Undo commands: every change a learner makes is one of these, and each calls Graph
methods only (the scene follows the Graph's events; no command touches an item).

``Document.push`` applies a command once itself, so that a change the model refuses
(a cycle, a taken port) never reaches the undo stack; the stack's own first ``redo``
is then skipped.

Locks (graphcore.exercise) are enforced here, once for every path: each command names
the boxes it changes in ``touched()``; ``apply`` refuses a change to a locked box with
``LockedError`` (one line naming the box by its label), and an undo or redo that would
change one does nothing, tells ``on_refused`` and is dropped from the stack (obsolete). A
change that would leave one of the exercise's tasks unable to run (its box deleted, the
data set removed) is taken back and refused the same way, so a saved file always opens.
"""
from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from graphcore.exercise import LockedError, broken_task, lock_refusal, task_problems
from graphcore.graph import Edge, Graph, NodeRecord
from graphcore.groups import groups_of, has_groups

from .canvas.scene_sync import gc_paused

BATCH_ABOVE = 40  # changes to more boxes than this are announced as one reset event


class GraphCommand(QUndoCommand):
    def __init__(self, graph: Graph, text: str):
        super().__init__(text)
        self.graph = graph
        self._skip_redo = False
        self.on_refused = None  # called with the one-line refusal of a locked undo or redo

    def touched(self) -> set[str]:
        """The boxes this command changes (their record, position or the arrows into them)."""
        return set()

    def _refusal(self) -> str | None:
        return lock_refusal(self.graph, self.touched())

    def apply(self):
        """First application, outside the stack; raises GraphError when refused."""
        refusal = self._refusal()
        if refusal:
            raise LockedError(refusal)
        before = task_problems(self.graph)
        self.do()
        broken = broken_task(self.graph, before)
        if broken:  # e.g. deleting the box a task asks about: taken back, so the file still opens
            self.undo_it()
            raise LockedError(broken)
        self._skip_redo = True

    def _refused_on_stack(self) -> bool:
        refusal = self._refusal()
        if refusal:
            self.setObsolete(True)  # the stack drops it: it can neither be undone nor redone now
            if self.on_refused is not None:
                self.on_refused(refusal)
        return bool(refusal)

    def redo(self):
        if self._skip_redo:
            self._skip_redo = False
            return
        if not self._refused_on_stack():
            self.do()

    def undo(self):
        if not self._refused_on_stack():
            self.undo_it()

    def do(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def undo_it(self):  # pragma: no cover - overridden
        raise NotImplementedError


class AddNodeCommand(GraphCommand):
    def __init__(self, graph, op, pos, node_id=None, **fields):
        super().__init__(graph, f"Add {op}")
        self.op, self.pos, self.fields = op, pos, fields
        self.node_id = node_id or graph.unique_id(op)

    def do(self):
        self.graph.add_node(self.op, self.node_id, pos=self.pos, **self.fields)

    def undo_it(self):
        self.graph.remove_node(self.node_id)


def _restore(graph: Graph, records: list[NodeRecord], edges: list[Edge], meta: dict, at: dict | None = None):
    # Put boxes and arrows back at their old places in the file's order (lowest first), so
    # that undo gives back exactly the file that was there before.
    at = at or {}
    for rec in sorted(records, key=lambda r: at.get(r.id, 1 << 60)):
        graph.add_record(rec, at=at.get(rec.id))
    for e in sorted(edges, key=lambda e: at.get(e, 1 << 60)):
        if graph.edge_into(e.dst, e.port) is None:
            graph.connect(e.src, e.dst, e.port, e.out, at=at.get(e))
    for key, ref in meta.items():
        graph.set_meta(key, ref)


class RemoveCommand(GraphCommand):
    """Delete boxes (with their arrows) and single arrows, as one step."""

    def __init__(self, graph, nodes=(), edges=()):
        n = len(nodes) + len(edges)
        one = len(nodes) == 1 and not edges
        super().__init__(graph, f"Delete {graph.box_name(nodes[0])}" if one else f"Delete {n} item{'s' * (n != 1)}")
        chosen = set(nodes)
        self.nodes = [n for n in graph.nodes() if n in chosen]
        chosen = set(self.nodes)  # sets, not the list: deleting 10,000 boxes stays linear
        self.edges = [e for e in edges if e.src not in chosen and e.dst not in chosen]
        # The boxes fed by a removed box or arrow lose an input arrow: they change too.
        self._touched = chosen | {e.dst for e in self.edges} | {
            e.dst for n in self.nodes for e in graph.arrows_at(n) if e.src == n}

    def touched(self) -> set[str]:
        return self._touched

    def do(self):
        g = self.graph
        self.records, self.removed_edges, self.meta = [], [], {}
        self.at = {n: i for i, n in enumerate(g.nodes())} | {e: i for i, e in enumerate(g.edges())}
        self.groups = groups_of(g).to_list() if has_groups(g) else None  # removed boxes leave their groups
        with gc_paused(), maybe_batch(g, len(self.nodes)):
            for e in self.edges:
                self.removed_edges.append(g.disconnect(e.dst, e.port))
            seen = set(self.removed_edges)  # a set beside the list: deleting 10,000 boxes stays linear
            for nid in self.nodes:
                rec, attached, cleared = g.remove_node(nid)
                self.records.append(rec)
                self.meta.update(cleared)  # the cost J or output it was: named again on undo
                fresh = [e for e in attached if e not in seen]
                seen.update(fresh)
                self.removed_edges += fresh

    def undo_it(self):
        with gc_paused(), maybe_batch(self.graph, len(self.records)) as g:  # thousands of objects made
            # many boxes: put back in bulk, unchecked (they were there); else one by one, checked
            if not (isinstance(g, Graph) and g.put_back(self.records, self.removed_edges, self.at)):
                _restore(self.graph, self.records, self.removed_edges, {}, self.at)
            for key, ref in self.meta.items():
                self.graph.set_meta(key, ref)
        if self.groups is not None:  # the boxes back in their groups, as in the file before
            groups_of(self.graph).replace(self.groups)


class _NoBatch:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def maybe_batch(graph: Graph, n: int):
    return graph.batch() if n > BATCH_ABOVE else _NoBatch()


class ConnectCommand(GraphCommand):
    """Wire an output into an input; a taken input is replaced (the old arrow returns on undo)."""

    def __init__(self, graph, src, dst, port, out=0, detach: Edge | None = None):
        super().__init__(graph, f"Connect {graph.box_name(src)} → {graph.box_name(dst)}")
        self.edge = Edge(src, dst, port, out)
        self.detach = detach  # an arrow being re-plugged from elsewhere
        self.replaced = None

    def touched(self) -> set[str]:
        return {self.edge.dst} | ({self.detach.dst} if self.detach is not None else set())

    def do(self):
        g, e = self.graph, self.edge
        # Where the arrows taken out stood in the file's order, to put them back there.
        self.detach_at = _index(g, self.detach)
        if self.detach is not None and self.detach != e:
            g.disconnect(self.detach.dst, self.detach.port)
        self.replaced_at = _index(g, g.edge_into(e.dst, e.port))
        try:
            self.replaced = g.connect(e.src, e.dst, e.port, e.out, replace=True)
        except Exception:
            if self.detach is not None and self.detach != e:
                g.connect(self.detach.src, self.detach.dst, self.detach.port, self.detach.out, at=self.detach_at)
            raise

    def undo_it(self):
        g, e = self.graph, self.edge
        g.disconnect(e.dst, e.port)
        if self.replaced is not None:
            r = self.replaced
            g.connect(r.src, r.dst, r.port, r.out, at=self.replaced_at)
        if self.detach is not None and self.detach != e:
            d = self.detach
            g.connect(d.src, d.dst, d.port, d.out, at=self.detach_at)


def _index(graph: Graph, edge: Edge | None) -> int | None:
    edges = graph.edges()
    return edges.index(edge) if edge in edges else None


class DisconnectCommand(GraphCommand):
    def __init__(self, graph, edge: Edge):
        super().__init__(graph, f"Disconnect {graph.box_name(edge.src)} → {graph.box_name(edge.dst)}")
        self.edge = edge

    def touched(self) -> set[str]:
        return {self.edge.dst}

    def do(self):
        self.at = _index(self.graph, self.edge)
        self.graph.disconnect(self.edge.dst, self.edge.port)

    def undo_it(self):
        e = self.edge
        self.graph.connect(e.src, e.dst, e.port, e.out, at=self.at)


class MoveCommand(GraphCommand):
    """Boxes moved from ``old`` to ``new`` positions: a whole drag, or an align or auto-layout."""

    def __init__(self, graph, old: dict, new: dict, text="Move"):
        super().__init__(graph, text if len(new) != 1 or text != "Move" else f"Move {graph.box_name(next(iter(new)))}")
        self.old, self.new = old, new

    def touched(self) -> set[str]:
        return {n for n in set(self.new) | set(self.old) if self.new.get(n) != self.old.get(n)}  # only boxes that move

    def _place(self, positions):
        with maybe_batch(self.graph, len(positions)):
            for nid, (x, y) in positions.items():
                self.graph.move(nid, x, y)

    def do(self):
        self._place(self.new)

    def undo_it(self):
        self._place(self.old)


class _SetCommand(GraphCommand):
    """Set one field of a box through a Graph setter; undo sets the old value back."""

    def __init__(self, graph, node, old, new, text):
        super().__init__(graph, text)
        self.node, self.old, self.new = node, old, new

    def touched(self) -> set[str]:
        return {self.node}

    def do(self):
        self.set(self.new)

    def undo_it(self):
        self.set(self.old)


class RenameCommand(_SetCommand):
    def __init__(self, graph, node, label):
        super().__init__(graph, node, graph.node(node).get("label"), label or None,
                         f"Rename {graph.box_name(node)} to {label or node}")

    def set(self, v):
        self.graph.set_label(self.node, v)


class SetValueCommand(_SetCommand):
    def __init__(self, graph, node, value):
        name = graph.box_name(node)
        text = f"Set {name} = {value:.10g}" if value is not None else f"Clear the value of {name}"
        super().__init__(graph, node, graph.value(node), value, text)

    def set(self, v):
        self.graph.set_value(self.node, v)


class SetColumnCommand(_SetCommand):
    def __init__(self, graph, node, column):
        super().__init__(graph, node, graph.column(node), column or None,
                         f"Set column of {graph.box_name(node)}")

    def set(self, v):
        self.graph.set_column(self.node, v)


class SetAttrCommand(_SetCommand):
    def __init__(self, graph, node, key, value):
        super().__init__(graph, node, (graph.node(node).get("attrs") or {}).get(key), value,
                         f"Set {key} of {graph.box_name(node)}")
        self.key = key

    def set(self, v):
        self.graph.set_attr(self.node, self.key, v)


class SetMetaCommand(GraphCommand):
    def __init__(self, graph, key, value, text=None):
        super().__init__(graph, text or f"Set {key}")
        self.key, self.new, self.old = key, value, graph.meta.get(key)

    def do(self):
        self.graph.set_meta(self.key, self.new)

    def undo_it(self):
        self.graph.set_meta(self.key, self.old)


class InsertFragmentCommand(GraphCommand):
    """Paste or duplicate: add a fragment's boxes and inner arrows under fresh ids."""

    def __init__(self, graph, nodes: list[dict], edges: list[dict], positions: dict, text="Paste",
                 groups: list[dict] | None = None, checked: Graph | None = None):
        super().__init__(graph, text)
        self.groups = groups or []  # the fragment's groups: made again around the new boxes
        self.checked = checked  # the fragment as the loader built it: copied, not built again
        self.rename: dict[str, str] = {}
        taken = set(graph.nodes())
        for nd in nodes:
            new = nd["id"] if nd["id"] not in taken else graph.unique_id(nd["id"])
            while new in taken:
                new = graph.unique_id(new + "_")
            taken.add(new)
            self.rename[nd["id"]] = new
        self.nodes, self.edges, self.positions = nodes, edges, positions

    @property
    def new_ids(self) -> list[str]:
        return [self.rename[nd["id"]] for nd in self.nodes]

    def touched(self) -> set[str]:  # a box locked since the paste: its undo would delete it
        return set(self.new_ids)

    def do(self):
        g = self.graph
        with maybe_batch(g, len(self.nodes)):
            if self.checked is not None:
                g.merge(self.checked, self.rename, self.positions)
            for nd in self.nodes if self.checked is None else ():
                nid = self.rename[nd["id"]]
                g.add_record(NodeRecord.from_dict(nd, nid, self.positions.get(nd["id"])))
            for ed in self.edges if self.checked is None else ():
                g.connect(self.rename[ed["src"]], self.rename[ed["dst"]], ed["port"], ed.get("out", 0))
            if self.groups:
                from .group_commands import free_name
                for rec in self.groups:
                    groups_of(g).add(free_name(g, rec["name"]), [self.rename[m] for m in rec["members"]],
                                     bool(rec.get("collapsed")))

    def undo_it(self):
        g = self.graph
        with maybe_batch(g, len(self.nodes)):
            for nid in reversed(self.new_ids):
                g.remove_node(nid)
