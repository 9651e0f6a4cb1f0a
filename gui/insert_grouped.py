"""Dropping a ready-made graph (a network, an expression) into the open one as one undo step.

The piece arrives with its groups (graphcore.groups), under fresh box ids and group names
where the open graph already uses them. Its input boxes are not doubled: an input reading
a data column that exactly one input box of the open graph already reads is wired to
that box instead. When the open graph names no cost J, the piece's loss and output
become the graph's. Undo takes all of it out again — boxes, arrows, groups and the cost.
"""
from __future__ import annotations

from graphcore import fileformat
from graphcore.graph import Graph, VariableRef
from graphcore.groups import groups_of
from graphcore.placement import free_offset

from .commands import InsertFragmentCommand, maybe_batch

GAP = 260.0  # pixels between the graph's right edge and a piece placed beside it


class InsertGroupedCommand(InsertFragmentCommand):
    def __init__(self, graph: Graph, piece: Graph, offset: tuple[float, float], text: str):
        doc = fileformat.to_dict(piece)
        dx, dy = offset
        positions = {n: (x + dx, y + dy) for n, (x, y) in piece.layout.items()}
        super().__init__(graph, doc["nodes"], doc["edges"], positions, text)
        shared = shared_inputs(graph, piece)
        self.rename.update(shared)
        self.nodes = [nd for nd in self.nodes if nd["id"] not in shared]
        self.group_records = _unique_names(graph, groups_of(piece).to_list())
        self.roles = {}
        if graph.meta.get("loss") is None and piece.meta.get("loss") is not None:
            self.roles = {k: self._renamed(piece.meta.get(k)) for k in ("loss", "output")}
        self.old_roles = {k: graph.meta.get(k) for k in self.roles}

    def _renamed(self, ref):
        if not isinstance(ref, str):
            return None
        var = VariableRef.parse(ref)
        return var.renamed(self.rename.get(var.node, var.node)).key

    @property
    def group_names(self) -> list[str]:
        return [rec["name"] for rec in self.group_records]

    def do(self):
        # A big piece: boxes, arrows, groups and the cost announced as one reset, one redraw
        # (a small one is drawn box by box: a reset would redraw the whole graph around it).
        with maybe_batch(self.graph, len(self.nodes)):
            super().do()
            groups = groups_of(self.graph)
            for rec in self.group_records:
                groups.add(rec["name"], [self.rename[m] for m in rec["members"]], rec.get("collapsed", False))
            for key, ref in self.roles.items():
                self.graph.set_meta(key, ref)

    def undo_it(self):
        with maybe_batch(self.graph, len(self.nodes)):
            for key, ref in self.old_roles.items():
                self.graph.set_meta(key, ref)
            groups = groups_of(self.graph)
            for name in reversed(self.group_names):
                if name in groups:
                    groups.remove(name)
            super().undo_it()


def shared_inputs(graph: Graph, piece: Graph) -> dict[str, str]:
    """Piece input id → the open graph's input box reading the same column (when just one does)."""
    readers: dict[str, list[str]] = {}
    for n in graph.inputs():
        if graph.column(n):
            readers.setdefault(graph.column(n), []).append(n)
    out = {}
    for n in piece.inputs():
        found = readers.get(piece.column(n) or "", [])
        if len(found) == 1:
            out[n] = found[0]
    return out


def _unique_names(graph: Graph, records: list[dict]) -> list[dict]:
    """The piece's groups, every name suffixed " #k" (the same k for all) if any is taken."""
    taken = set(groups_of(graph).names())
    names = [rec["name"] for rec in records]
    k, suffix = 1, ""
    while any(n + suffix in taken for n in names):
        k += 1
        suffix = f" #{k}"
    return [{**rec, "name": rec["name"] + suffix} for rec in records]


def offset_for(graph: Graph, piece: Graph, at=None) -> tuple[float, float]:
    """Where the piece goes: its top-left at ``at`` (x, y) if given — or the nearest free spot
    right/down of it, so that it covers no box (graphcore.placement) — else right of the
    boxes already there (top edges level), else where it was built."""
    if at is not None:
        return free_offset(graph, piece, at, skip=shared_inputs(graph, piece))
    xs = [p[0] for p in piece.layout.values()] or [0.0]
    ys = [p[1] for p in piece.layout.values()] or [0.0]
    if not graph.layout:
        return 0.0, 0.0
    right = max(p[0] for p in graph.layout.values())
    top = min(p[1] for p in graph.layout.values())
    return right + GAP - min(xs), top - min(ys)


def _selection_rect(window):
    """What the inserted piece covers on the canvas (its boxes or groups, selected)."""
    from PySide6.QtCore import QRectF

    rect = QRectF()
    for item in window.scene.selectedItems():
        rect = rect.united(item.sceneBoundingRect())
    return rect


def insert_piece(window, piece: Graph, text: str, at=None) -> InsertGroupedCommand | None:
    """Insert ``piece`` into the window's graph (one undo step) with its top-left at ``at``
    (scene x, y; None: right of the graph), select it, and show all of it (the view stays
    put when it already does)."""
    graph = window.document.graph
    cmd = InsertGroupedCommand(graph, piece, offset_for(graph, piece, at), text)
    err = window.document.push(cmd)
    if err:
        window.show_message(f"Cannot insert: {err}")
        return None
    window.select_nodes(cmd.new_ids)
    if at is None or not window.view.visible_rect().contains(_selection_rect(window)):
        window.view.fit()
    if cmd.roles:
        note = "it is the graph's cost J now"
    else:
        note = f"the graph's cost J stays {graph.box_name(graph.meta['loss'].split(':')[0])}" \
            if graph.meta.get("loss") else "the graph names no cost J"
    window.show_message(f"{text}: {len(cmd.new_ids)} boxes in {len(cmd.group_names)} "
                        f"group{'s' * (len(cmd.group_names) != 1)}; {note}")
    return cmd
