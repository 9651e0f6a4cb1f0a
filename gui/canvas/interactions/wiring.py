"""Drawing an arrow with the mouse, as an explicit state machine.

    ARMED ──move──▶ DRAGGING ──release──▶ DONE
      │  ╲                │
      │   ╲release        └──Escape──▶ CANCELLED
      │    ╲
      └─Escape─▶ CANCELLED

A press on a port arms the wire (a press on a wired input picks its arrow up by that end:
the output end stays put and the arrow hides). Moving draws a dashed arrow to the cursor
and lights up the port under it when it could take the arrow. The release decides:

* on a port of the other kind: one ConnectCommand (a taken box input is replaced, as
  ever; a collapsed group's port stands for the inner box port behind it);
* on the port it started from (a click), or back on the input an arrow was picked up
  from: nothing;
* on another port of the same kind: nothing, and a one-line reason at the cursor;
* on empty canvas: an arrow picked up is taken out (DisconnectCommand); a new one asks
  the quick search for a box to end at.

Escape (or a rebuild of the items) cancels: the arrow picked up shows again, nothing changes.
"""
from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsPathItem

from ... import commands as C
from .. import style
from ..edge_item import curve
from .base import Interaction
from .ports import arrow_into, port_at, refusal_at_start, sink_of, source_of


class WireState(Enum):
    ARMED = "armed"          # pressed on a port; a release here is a click
    DRAGGING = "dragging"    # the temporary arrow follows the cursor
    DONE = "done"            # released: connected, taken out, handed on, or refused
    CANCELLED = "cancelled"  # Escape or a rebuild: nothing changed


class WireDrag(Interaction):
    survives_rebuild = False  # it holds port items
    wants_keys = True  # Escape cancels it

    def __init__(self, scene, port):
        super().__init__(scene)
        self.port = port            # where the press was
        self.anchor = port          # the arrow's fixed end
        self.detach = None          # the arrow picked up by its input end, if any
        self.hover_target = None    # the port lit up under the cursor
        self.path_item = None
        self.state = None

    # --- ARMED --------------------------------------------------------------------------
    def mouse_press(self, event) -> bool:
        if self.state is not None:  # a second press, its release lost (to a popup): start afresh
            self.cancel()
            return False
        event.accept()
        scene = self.scene
        refusal = refusal_at_start(self.port, scene.graph)
        if refusal:
            scene.show_tip(refusal, event.scenePos())
            self.state = WireState.DONE
            self.end()
            return True
        self.detach = arrow_into(self.port, scene.graph)
        if self.detach is not None:  # pick the arrow up by its input end: the output end stays put
            self.anchor = scene.node_items[self.detach.src].outputs[self.detach.out]
            scene.edge_items[self.detach].setVisible(False)
        self.path_item = QGraphicsPathItem()
        self.path_item.setPen(QPen(style.EDGE_HOVER, 2, Qt.DashLine))
        self.path_item.setZValue(50)
        scene.addItem(self.path_item)
        self.state = WireState.ARMED
        self._follow(self.port.scenePos())
        return True

    # --- DRAGGING -------------------------------------------------------------------------
    def mouse_move(self, event) -> bool:
        if self.state in (WireState.ARMED, WireState.DRAGGING):
            self.state = WireState.DRAGGING
            self._follow(event.scenePos())
        event.accept()
        return True

    def _follow(self, pos):
        a = self.anchor.scenePos()
        self.path_item.setPath(curve(pos, a) if self.anchor.is_input else curve(a, pos))
        target = port_at(self.scene, pos)
        if target is self.hover_target:
            return
        self._light(self.hover_target, False)
        self.hover_target = target if target is not None and target.is_input != self.anchor.is_input else None
        self._light(self.hover_target, True)

    @staticmethod
    def _light(port, on: bool):
        if port is not None:
            port.hover = on
            port.update()

    def key_press(self, event) -> bool:
        if event.key() == Qt.Key_Escape:
            self.cancel()
            event.accept()
            return True
        return False

    # --- DONE ---------------------------------------------------------------------------
    def mouse_release(self, event) -> bool:
        if event.button() != Qt.LeftButton:
            return True
        event.accept()
        self.state = WireState.DONE
        self.end()
        self._drop(event.scenePos())
        return True

    def _drop(self, pos):
        scene = self.scene
        target = port_at(scene, pos)
        if target is None:
            if self.detach is not None:
                scene.document.push(C.DisconnectCommand(scene.graph, self.detach))
            else:
                scene.quick_search_requested.emit(pos, self.anchor)
            return
        if target is self.anchor or target is self.port:
            return  # a click on a port, or an arrow put back where it was
        if target.is_input == self.anchor.is_input:
            both = "inputs" if target.is_input else "outputs"
            scene.show_tip(f"no arrow: both ports are {both}; an arrow joins an output port (right side "
                           f"of a box) to an input port (left side)", pos)
            return
        out_end, in_end = (target, self.anchor) if self.anchor.is_input else (self.anchor, target)
        error = connect_ends(scene, out_end, in_end, detach=self.detach)
        if error:
            scene.show_tip(error, pos)

    # --- CANCELLED ------------------------------------------------------------------------
    def cancel(self):
        if not self.ended:
            self.state = WireState.CANCELLED
        super().cancel()

    def cleanup(self):
        scene = self.scene
        if self.path_item is not None:
            scene.removeItem(self.path_item)
            self.path_item = None
        self._light(self.hover_target, False)
        self.hover_target = None
        if self.detach is not None and self.detach in scene.edge_items:
            scene.edge_items[self.detach].setVisible(True)


def connect_ends(scene, out_end, in_end, detach=None) -> str | None:
    """One ConnectCommand from an output end to an input end; the refusal's one line, or None."""
    sink = sink_of(in_end, scene.graph)
    if isinstance(sink, str):
        return sink
    (src, out), (dst, port) = source_of(out_end), sink
    if detach is not None and (dst, port) == (detach.dst, detach.port) and (src, out) == (detach.src, detach.out):
        return None  # put back where it was
    return scene.document.push(C.ConnectCommand(scene.graph, src, dst, port, out, detach=detach))
