"""Canvas gestures as interaction objects; GraphScene hands them its events (base.py says how).

* wiring.py  — WireDrag: press on a port, drag an arrow, release on a port (a state machine)
* moving.py  — MoveSelection: drag the selection; one MoveCommand, snapped
* editing.py — EditInPlace: a value, label or group name typed over the thing

Which gesture a press or a double-click starts is decided here. The rubber band is the
view's own (QGraphicsView.RubberBandDrag) and a drop from the palette is the view's
``op_dropped`` signal: neither needs a gesture of its own.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTransform

from .base import Interaction
from .editing import EDITED_BY_VALUE, EditInPlace, edit_in_place, edit_label, edit_value
from .moving import GRID, MoveSelection
from .ports import node_at, port_at
from .wiring import WireDrag, WireState, connect_ends


def press_gesture(scene, event) -> Interaction | None:
    """A left press on a port draws an arrow; anywhere else it drags what gets selected."""
    if event.button() != Qt.LeftButton:
        return None
    port = port_at(scene, event.scenePos())
    return WireDrag(scene, port) if port is not None else MoveSelection(scene)


def double_click(scene, event) -> bool:
    """A box: edit its value (a source) or label in place; empty canvas: the quick search."""
    pos = event.scenePos()
    node = node_at(scene, pos)
    if node is None:
        view = scene.views()[0] if scene.views() else None
        if scene.itemAt(pos, view.transform() if view is not None else QTransform()) is None:
            scene.quick_search_requested.emit(pos, None)
            return True
        return False
    if node.op in EDITED_BY_VALUE:
        edit_value(scene, node.node_id)
    else:
        edit_label(scene, node.node_id)
    return True


__all__ = ["Interaction", "WireDrag", "WireState", "MoveSelection", "EditInPlace", "GRID", "press_gesture",
           "double_click", "edit_in_place", "edit_value", "edit_label", "connect_ends", "port_at", "node_at"]
