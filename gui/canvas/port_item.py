"""A port: the dot on a box's edge where an arrow starts (output) or ends (input)."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QPen
from PySide6.QtWidgets import QGraphicsItem

from . import style

RADIUS = 5.5
_CROSS: list = []  # one cursor shared by every port, made with the first (a QCursor needs the app)
LOD_HIDDEN = 0.25  # as NodeItem.paint's plain-block zoom


class PortItem(QGraphicsItem):
    def __init__(self, node_item, is_input: bool, index: int, name: str):
        super().__init__(node_item)
        self.node_item = node_item
        self.is_input = is_input
        self.index = index
        self.name = name
        self.unwired = False
        self.hover = False
        self.setAcceptHoverEvents(True)
        if not _CROSS:
            _CROSS.append(QCursor(Qt.CrossCursor))
        self.setCursor(_CROSS[0])
        self.setToolTip(f"{'input' if is_input else 'output'} {index}: {name}")

    @property
    def node_id(self) -> str:
        return self.node_item.node_id

    def boundingRect(self) -> QRectF:
        r = RADIUS + 3
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, painter, option, widget=None):
        if option.levelOfDetailFromTransform(painter.worldTransform()) < LOD_HIDDEN:
            return  # zoomed far out the box is a plain block (NodeItem.paint): a dot would not show
        color = style.UNWIRED if self.unwired else style.EDGE
        if self.hover:
            color = style.EDGE_HOVER
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        painter.setPen(QPen(color, 2.2 if self.unwired or self.hover else 1.4))
        painter.setBrush(QBrush(QColor("#FFFFFF") if self.is_input else color))
        r = RADIUS + (1.5 if self.hover else 0)
        painter.drawEllipse(QRectF(-r, -r, 2 * r, 2 * r))

    def hoverEnterEvent(self, event):
        self.hover = True
        self.update()

    def hoverLeaveEvent(self, event):
        self.hover = False
        self.update()

    def set_unwired(self, flag: bool):
        if flag != self.unwired:
            self.unwired = flag
            self.update()
