"""A port: the dot on a box's edge where an arrow starts (output) or ends (input).

The item is there to be hit (hover, press, a wire's end) and to say where an arrow ends;
its box paints the dot (``paint_port``): Qt then never calls into Python to draw 24,000
ports of a 10,000-box graph, and a box and its ports come out of one cached picture.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QPen
from PySide6.QtWidgets import QGraphicsItem

from . import style

RADIUS = 5.5
_CROSS: list = []  # one cursor shared by every port, made with the first (a QCursor needs the app)
LOD_HIDDEN = 0.25  # as NodeItem.paint's plain-block zoom
_R = RADIUS + 3
_BOUNDS = QRectF(-_R, -_R, 2 * _R, 2 * _R)  # one rect for every port: asked for very often
_WHITE = QBrush(QColor("#FFFFFF"))
_NO_CONTENTS = QGraphicsItem.ItemHasNoContents


def paint_port(painter, port):
    """Draw ``port``'s dot in its box's coordinates (the box's painter, antialiased)."""
    color = style.UNWIRED if port.unwired else style.EDGE
    if port.hover:
        color = style.EDGE_HOVER
    painter.setPen(QPen(color, 2.2 if port.unwired or port.hover else 1.4))
    painter.setBrush(_WHITE if port.is_input else QBrush(color))
    r = RADIUS + (1.5 if port.hover else 0)
    painter.drawEllipse(QRectF(port.x() - r, port.y() - r, 2 * r, 2 * r))


class PortItem(QGraphicsItem):
    def __init__(self, node_item, is_input: bool, index: int, name: str):
        super().__init__(node_item)
        self.node_item = node_item
        self.is_input = is_input
        self.index = index
        self.name = name
        self.unwired = False
        self.hover = False
        self.setFlag(_NO_CONTENTS)  # still hit-tested: only painting is skipped
        self.setAcceptHoverEvents(True)
        if not _CROSS:
            _CROSS.append(QCursor(Qt.CrossCursor))
        self.setCursor(_CROSS[0])

    @property
    def node_id(self) -> str:
        return self.node_item.node_id

    def tip(self) -> str:
        return f"{'input' if self.is_input else 'output'} {self.index}: {self.name}"

    def boundingRect(self) -> QRectF:
        return _BOUNDS

    def paint(self, painter, option, widget=None):
        pass  # the box draws the dot (paint_port)

    def hoverEnterEvent(self, event):
        self.hover = True
        if not self.toolTip():
            self.setToolTip(self.tip())  # made when the pointer first comes: Qt shows it after a rest
        self.node_item.update()

    def hoverLeaveEvent(self, event):
        self.hover = False
        self.node_item.update()

    def set_unwired(self, flag: bool):
        if flag != self.unwired:
            self.unwired = flag
            self.node_item.update()
