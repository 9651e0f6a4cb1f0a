"""A port: the dot on a box's edge where an arrow starts (output) or ends (input).

Not a QGraphicsItem: a plain record of its box, side, index, name and state. The box
paints the dot (``paint_port``), hit-tests it (``NodeItem.port_near``, its square is part of
the box's shape) and follows the pointer over it (hover, cursor, tooltip). Making 24,000
port items of a 10,000-box graph was a third of building its scene; a box with no child
items also costs Qt no Python call at all while the far-zoom overview draws it.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QBrush, QColor, QPen

from . import style

RADIUS = 5.5
LOD_HIDDEN = 0.25  # as NodeItem.paint's plain-block zoom
REACH = RADIUS + 3  # a press or hover within this square (box coordinates) is on the port
_WHITE = QBrush(QColor("#FFFFFF"))


def paint_port(painter, port):
    """Draw ``port``'s dot in its box's coordinates (the box's painter, antialiased)."""
    color = style.UNWIRED if port.unwired else style.EDGE
    if port.hover:
        color = style.EDGE_HOVER
    painter.setPen(QPen(color, 2.2 if port.unwired or port.hover else 1.4))
    painter.setBrush(_WHITE if port.is_input else QBrush(color))
    r = RADIUS + (1.5 if port.hover else 0)
    painter.drawEllipse(QRectF(port.px - r, port.py - r, 2 * r, 2 * r))


class PortItem:
    """One port of a NodeItem, at (``px``, ``py``) in the box's coordinates."""

    def __init__(self, node_item, is_input: bool, index: int, name: str, px: float = 0.0, py: float = 0.0):
        self.node_item = node_item
        self.is_input = is_input
        self.index = index
        self.name = name
        self.px, self.py = px, py
        self.unwired = False
        self.hover = False

    @property
    def node_id(self) -> str:
        return self.node_item.node_id

    def tip(self) -> str:
        return f"{'input' if self.is_input else 'output'} {self.index}: {self.name}"

    # The few QGraphicsItem calls the canvas and its callers make on a port.
    def x(self) -> float:
        return self.px

    def y(self) -> float:
        return self.py

    def pos(self) -> QPointF:
        return QPointF(self.px, self.py)

    def scenePos(self) -> QPointF:
        return self.node_item.mapToScene(self.px, self.py)

    def scene(self):
        return self.node_item.scene()

    def isVisible(self) -> bool:
        return self.node_item.isVisible()

    def update(self):
        self.node_item.update()

    def hit(self, x: float, y: float) -> bool:
        """Is the box point (x, y) on this port?"""
        return abs(x - self.px) <= REACH and abs(y - self.py) <= REACH

    def set_unwired(self, flag: bool):
        if flag != self.unwired:
            self.unwired = flag
            self.node_item.update()
