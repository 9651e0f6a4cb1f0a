"""Editing in place: a value, a box's label or a group's name typed in a line edit floated
over the thing (gui/canvas/inline_editor.py, whose removal waits for the event loop).

Enter, or the focus leaving the editor, commits once; Escape cancels. A press anywhere else
on the canvas commits first, then starts its own gesture."""
from __future__ import annotations

from PySide6.QtCore import QPointF

from ... import commands as C
from ..inline_editor import InlineEditor
from ..node_item import FOOTER, WIDTH
from .base import Interaction

EDITED_BY_VALUE = ("parameter", "constant", "input")


class EditInPlace(Interaction):
    def __init__(self, scene, text: str, on_commit, width: float, pos: QPointF):
        super().__init__(scene)
        self.editor = InlineEditor(text, on_commit, width, on_close=self.end)
        scene.addItem(self.editor)
        self.editor.setPos(pos)
        scene.inline_editor = self.editor
        self.editor.line.setFocus()
        scene.setFocusItem(self.editor)

    def mouse_press(self, event) -> bool:
        if not self.editor.sceneBoundingRect().contains(event.scenePos()):
            self.editor.commit()  # ends this gesture: the press then starts its own
        return False

    def cleanup(self):
        self.editor.close_editor()  # a no-op after a commit; a cancel closes without committing


def edit_in_place(scene, text, on_commit, width, pos) -> InlineEditor:
    """Open an editor (closing any other without committing it); returns the editor."""
    if scene.interaction is not None:
        scene.interaction.cancel()
    return scene.begin(EditInPlace(scene, text, on_commit, width, pos)).editor


def edit_value(scene, nid) -> InlineEditor:
    """Double-click on a parameter, constant or input: type its value."""
    graph, item = scene.graph, scene.node_items[nid]
    v = graph.value(nid)

    def commit(text):
        text = text.strip()
        if not text and graph.op(nid) == "input":
            value = None
        else:
            try:
                value = float(text)
            except ValueError:
                scene.show_tip(f"'{text}' is not a number", item.scenePos())
                return
        if value != graph.value(nid):
            err = scene.document.push(C.SetValueCommand(graph, nid, value))
            if err:
                scene.show_tip(err, item.scenePos())
    pos = item.pos() + QPointF(4, item.height - FOOTER - 2)
    return edit_in_place(scene, "" if v is None else repr(v), commit, WIDTH - 8, pos)


def edit_label(scene, nid) -> InlineEditor:
    """F2 or double-click on a Function box: type its label."""
    graph = scene.graph

    def commit(text):
        if text.strip() != graph.label(nid) and text.strip() != (graph.node(nid).get("label") or ""):
            scene.document.push(C.RenameCommand(graph, nid, text.strip()))
    return edit_in_place(scene, graph.label(nid), commit, WIDTH - 8, scene.node_items[nid].pos() + QPointF(4, 2))
