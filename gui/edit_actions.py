"""Edit and Graph menu actions: delete, cut/copy/paste/duplicate, rename, align,
auto-layout, placing boxes — each one undo step."""
from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from graphcore import functions as F
from graphcore.group_layout import layout_groups
from graphcore.groups import groups_of, has_groups
from graphcore.layout import compute_layout

from . import clipboard
from . import commands as C
from .canvas.scene_sync import gc_paused

PASTE_OFFSET = 40.0

# Boxes that need an attribute before they can exist get a sensible first value.
DEFAULT_ATTRS = {"pow": {"exponent": 2.0}}
DEFAULT_VALUES = {"parameter": 0.5, "constant": 1.0}


class EditActions:
    def __init__(self, window):
        self.window = window
        self.doc = window.document
        self.scene = window.scene

    @property
    def graph(self):
        return self.doc.graph

    # --- placing boxes -----------------------------------------------------------
    def add_box(self, op: str, pos: QPointF, select: bool = True) -> str | None:
        """Place a new Function box with its top-left near ``pos``; returns its id."""
        F.get(op)
        fields = {}
        if op in DEFAULT_VALUES:
            fields["value"] = DEFAULT_VALUES[op]
        if op in DEFAULT_ATTRS:
            fields["attrs"] = dict(DEFAULT_ATTRS[op])
        x, y = pos.x() - 20, pos.y() - 14
        if self.scene.snap:
            x, y = round(x / 20) * 20, round(y / 20) * 20
        cmd = C.AddNodeCommand(self.graph, op, (x, y), **fields)
        err = self.scene.group_layer.push_inside(cmd, lambda: [cmd.node_id])
        if err:
            self.window.show_message(err)
            return None
        if select:
            self.window.select_nodes([cmd.node_id])
        return cmd.node_id

    def add_box_wired(self, op: str, pos: QPointF, port) -> str | None:
        """A half-drawn arrow dropped on empty canvas: the new box and its arrow are one undo step."""
        stack = self.doc.undo_stack
        stack.beginMacro(f"Add {op} and connect")
        try:
            nid = self.add_box(op, pos)
            if nid is None:
                return None
            item = self.scene.node_items[nid]
            if port.is_input:
                err = self.scene.connect_ports(item.outputs[0], port) if item.outputs else "no output"
            else:
                err = self.scene.connect_ports(port, item.inputs[0]) if item.inputs else "no input"
            if err:
                self.window.show_message(err)
        finally:
            stack.endMacro()
        return nid

    # --- delete, clipboard --------------------------------------------------------
    def delete(self):
        nodes, edges = self.scene.selected_nodes(), self.scene.selected_edges()
        if nodes or edges:
            self.doc.push(C.RemoveCommand(self.graph, nodes, edges))

    def copy(self) -> bool:
        nodes = self.scene.selected_nodes()
        if not nodes:
            return False
        QApplication.clipboard().setMimeData(clipboard.to_mime(clipboard.fragment(self.graph, nodes)))
        return True

    def cut(self):
        if self.copy():
            self.doc.undo_stack.beginMacro("Cut")
            self.delete()
            self.doc.undo_stack.endMacro()

    def paste(self, doc: dict | None = None, text="Paste") -> list[str]:
        # Thousands of boxes read, built and drawn: no collection walks them meanwhile (scene_sync).
        with gc_paused():
            refused = checked = None
            if doc is None:
                checked, refused = clipboard.read_checked(QApplication.clipboard().mimeData())
            if refused:
                self.window.show_message(f"Cannot paste: {refused}")
                return []
            if checked is not None:  # built once by the loader, which checked it; the command copies it
                doc = {"nodes": [{"id": n} for n in checked.nodes()], "layout": checked.layout,
                       "groups": groups_of(checked).to_list() if has_groups(checked) else None}
            if not doc or not doc.get("nodes"):
                self.window.show_message("The clipboard holds no boxes")
                return []
            layout = doc.get("layout", {})
            positions = {}
            for i, nd in enumerate(doc["nodes"]):
                x, y = layout.get(nd["id"], (20.0 * i, 20.0 * i))
                positions[nd["id"]] = (x + PASTE_OFFSET, y + PASTE_OFFSET)
            cmd = C.InsertFragmentCommand(self.graph, doc["nodes"], doc.get("edges", []), positions, text,
                                          groups=doc.get("groups"), checked=checked)
            err = self.scene.group_layer.push_inside(cmd, lambda: cmd.new_ids)
            if err:
                self.window.show_message(err)
                return []
            self.window.select_nodes(cmd.new_ids)
            return cmd.new_ids

    def duplicate(self):
        nodes = self.scene.selected_nodes()
        if nodes:
            self.paste(clipboard.fragment(self.graph, nodes), "Duplicate")

    def select_all(self):
        # One selectionChanged for the lot (as select_nodes): per item, 10,000 boxes took minutes.
        scene = self.scene
        scene.blockSignals(True)
        try:
            for item in list(scene.node_items.values()) + list(scene.edge_items.values()):
                item.setSelected(True)
            for item in scene.group_layer.visible_items():  # collapsed groups and frames: what shows
                item.setSelected(True)
        finally:
            scene.blockSignals(False)
        scene.selectionChanged.emit()

    def rename(self):
        group = self.scene.group_layer.selected_group(picked_only=True)
        if group is not None:  # a collapsed group or a frame picked: F2 names the group
            return self.scene.group_layer.edit_name(group)
        nodes = self.scene.selected_nodes()
        if len(nodes) == 1:
            self.window.view.ensureVisible(self.scene.node_items[nodes[0]])
            return self.scene.edit_label(nodes[0])
        self.window.show_message("Select one box to rename (F2)")
        return None

    # --- arranging ----------------------------------------------------------------
    def auto_layout(self):
        """Layered left to right (graphcore.layout); selection only if more than one box is selected."""
        g = self.graph
        if not len(g):
            return
        if has_groups(g):  # groups as units, at the level shown (graphcore.group_layout)
            new = layout_groups(g, self.scene.group_layer.focus)
        else:
            pos = compute_layout(g)
            xs = [p[0] for p in g.layout.values()] or [0]
            ys = [p[1] for p in g.layout.values()] or [0]
            ox, oy = min(xs), (min(ys) + max(ys)) / 2
            new = {n: (round(x + ox), round(y + oy)) for n, (x, y) in pos.items()}
        old = {n: g.layout.get(n, (0.0, 0.0)) for n in new}
        if any(old[n] != new[n] for n in new):
            self.doc.push(C.MoveCommand(g, old, new, "Auto-layout"))
        self.window.view.fit()

    def align(self, how: str):
        """Align the selected boxes: 'left', 'top', 'hcenter', 'vcenter'."""
        nodes = self.scene.selected_nodes()
        if len(nodes) < 2:
            self.window.show_message("Select two or more boxes to align")
            return
        g = self.graph
        old = {n: g.layout.get(n, (0.0, 0.0)) for n in nodes}
        xs, ys = [p[0] for p in old.values()], [p[1] for p in old.values()]
        if how == "left":
            new = {n: (min(xs), y) for n, (x, y) in old.items()}
        elif how == "top":
            new = {n: (x, min(ys)) for n, (x, y) in old.items()}
        elif how == "hcenter":
            c = sum(xs) / len(xs)
            new = {n: (c, y) for n, (x, y) in old.items()}
        else:
            c = sum(ys) / len(ys)
            new = {n: (x, c) for n, (x, y) in old.items()}
        self.doc.push(C.MoveCommand(g, old, new, f"Align {how}"))

    def set_meta_from_selection(self, key: str):
        nodes = self.scene.selected_nodes()
        if len(nodes) != 1:
            self.window.show_message("Select one box first")
            return
        text = "Set cost J" if key == "loss" else "Set output"
        err = self.doc.push(C.SetMetaCommand(self.graph, key, nodes[0], f"{text} to {self.graph.box_name(nodes[0])}"))
        if err:
            self.window.show_message(err)
