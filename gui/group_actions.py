"""Graph ▸ Group (Ctrl+G), Ungroup (Ctrl+Shift+G), Collapse or Expand, Open Group (Enter)
and View ▸ Go Out of Group (Esc, Alt+Up), with the breadcrumb bar over the canvas."""
from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtCore import Qt

from . import group_commands as GC
from .canvas.breadcrumb import Breadcrumb


class GroupActions:
    def __init__(self, window):
        self.window = window
        self.doc, self.scene = window.document, window.scene
        self.layer = window.scene.group_layer

    def group_selection(self):
        nodes = self.scene.selected_nodes()
        if not nodes:
            self.window.show_message("Select the boxes to group first (Ctrl+G)")
            return None
        cmd = GC.GroupCommand(self.doc.graph, nodes)
        err = self.doc.push(cmd)
        if err:
            self.scene.show_tip(f"Cannot group: {err}", self.window.view.cursor_scene_pos())
            return None
        self.layer.select_group(cmd.name)
        self.layer.edit_name(cmd.name, after=cmd)  # Enter keeps "group N"; a typed name joins the same step
        return cmd.name

    def _picked(self, what: str) -> str | None:
        name = self.layer.selected_group()
        if name is None:
            self.window.show_message(f"Select a group to {what} (click its title)")
        return name

    def ungroup(self):
        name = self._picked("ungroup")
        if name is not None:
            self.layer.push_command(GC.UngroupCommand(self.doc.graph, name))

    def toggle_collapsed(self):
        name = self._picked("collapse or expand")
        if name is not None:
            self.layer.set_collapsed(name, not self.layer.groups.get(name).collapsed)

    def open_group(self):
        name = self._picked("open")
        if name is not None:
            self.layer.drill_in(name)


def install_groups(win) -> tuple[GroupActions, Breadcrumb]:
    """Menus, shortcuts and the breadcrumb; returns the actions and the breadcrumb."""
    acts = GroupActions(win)
    layer = win.scene.group_layer
    menu = win.menu("Graph")
    menu.addSeparator()
    for key, text, slot, shortcut, tip in (
            ("group", "&Group Selection", acts.group_selection, "Ctrl+G",
             "Make the selected boxes one group: one Function with named ports"),
            ("ungroup", "&Ungroup", acts.ungroup, "Ctrl+Shift+G", "The group goes; its boxes stay"),
            ("collapse", "Collapse or E&xpand Group", acts.toggle_collapsed, "Ctrl+Shift+E",
             "Show the group as one box, or its boxes in a frame"),
            ("open_group", "&Open Group (Enter)", acts.open_group, None,
             "Show only what is inside the group (double-click a collapsed group)")):
        act = QAction(text, win)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.WindowShortcut)
        act.setStatusTip(tip)
        act.triggered.connect(lambda checked=False, s=slot: s())
        menu.addAction(act)
        win.actions_by_name[key] = act
    out = QAction("Go &Out of Group", win)
    out.setShortcut(QKeySequence("Alt+Up"))
    out.setStatusTip("Back to the level around the group you are in (Esc)")
    out.triggered.connect(lambda checked=False: layer.go_out())
    win.menu("View").addAction(out)
    win.actions_by_name["go_out"] = out
    breadcrumb = Breadcrumb(win.view, layer, lambda: win.document.graph.meta.get("name"))
    layer.focus_changed.connect(win.view.fit)
    win.document.file_changed.connect(lambda path: layer.focus is not None and layer.set_focus(None))
    return acts, breadcrumb
