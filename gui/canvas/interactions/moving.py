"""Dragging the selection: Qt moves the items; on release the whole drag becomes one
MoveCommand (snapped to the grid), boxes and collapsed groups alike."""
from __future__ import annotations

from PySide6.QtCore import Qt

from ... import commands as C
from .base import Interaction

GRID = 20.0


class MoveSelection(Interaction):
    """A left press anywhere but on a port: whatever ends up selected and dragged moves."""

    def __init__(self, scene):
        super().__init__(scene)
        self.start: dict | None = None

    def mouse_press(self, event) -> bool:
        if self.start is not None:  # pressed again while dragging
            if event.button() == Qt.LeftButton:
                self.commit()  # its release went elsewhere (a menu): keep the drag, start afresh
            return False
        scene = self.scene
        scene.default_mouse_press(event)  # Qt first: the press may select the box it lands on
        self.snapshot()
        return True

    def snapshot(self):
        """Where the selected boxes and collapsed groups stand as the drag begins."""
        scene = self.scene
        self.start = {nid: (it.x(), it.y()) for nid, it in scene.node_items.items() if it.isSelected()}
        scene.group_layer.note_press()

    def mouse_release(self, event) -> bool:
        if event.button() != Qt.LeftButton:
            return False
        self.scene.default_mouse_release(event)
        self.commit()
        return True

    def commit(self):
        """One undo step for the whole drag; a click that moved nothing changes nothing."""
        scene, graph = self.scene, self.scene.graph
        old = {nid: p for nid, p in self.start.items() if nid in scene.node_items}
        new = {}
        for nid in old:
            it = scene.node_items[nid]
            x, y = it.x(), it.y()
            if (x, y) == old[nid]:
                continue  # a click, not a move: an off-grid box from a file stays where it is
            if scene.snap:
                x, y = round(x / GRID) * GRID, round(y / GRID) * GRID
            new[nid] = (x, y)
        moved = {n for n in new if old[n] != new[n]}
        group_old, group_new = scene.group_layer.take_moves(GRID if scene.snap else None)  # collapsed groups
        self.end()
        if not moved and not group_new:
            for n in new:  # dropped back where it started after snapping
                scene.node_items[n].setPos(*old[n])
                scene.node_item_moved(scene.node_items[n])
            return
        before = {n: graph.layout.get(n, old[n]) for n in moved} | group_old
        scene.document.push(C.MoveCommand(graph, before, {n: new[n] for n in moved} | group_new))
