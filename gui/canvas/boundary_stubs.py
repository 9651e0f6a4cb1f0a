"""Inside a group (drilled in), where its Variables come from and go: a small tag per
boundary port — "a₁ x₁" on the left, "b₁ h¹₃" on the right — that the crossing arrows
start from or end at, so no inner port looks unwired."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen

from PySide6.QtWidgets import QGraphicsItem

from . import style
from .group_item import GROUP_COLOR, GroupPort
from .node_item import PORT_FONT

STUB_W, STUB_H, STUB_GAP, STUB_MARGIN = 120.0, 22.0, 10.0, 90.0


class BoundaryStub(QGraphicsItem):
    def __init__(self, is_input: bool, name: str, variable: str, label: str):
        super().__init__()
        self.is_input, self.text = is_input, f"{name}  {label}"
        self.setZValue(1)
        self.setToolTip(f"{'input' if is_input else 'output'} {name} of the group: {label}")
        self.port = GroupPort(self, not is_input, name, variable, self.toolTip())
        self.port.setPos(STUB_W if is_input else 0, STUB_H / 2)

    def boundingRect(self) -> QRectF:
        return QRectF(-8, -2, STUB_W + 16, STUB_H + 4)

    def paint(self, painter, option, widget=None):
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        painter.setPen(QPen(GROUP_COLOR, 1, Qt.DashLine))
        painter.setBrush(QColor(255, 255, 255, 230))
        painter.drawRoundedRect(QRectF(0, 0, STUB_W, STUB_H), 11, 11)
        painter.setFont(PORT_FONT)
        painter.setPen(style.TEXT)
        text = painter.fontMetrics().elidedText(self.text, Qt.ElideRight, int(STUB_W - 20))
        painter.drawText(QRectF(10, 0, STUB_W - 20, STUB_H), Qt.AlignVCenter | Qt.AlignLeft, text)


def place_stubs(scene, old: dict, ports, labels: dict, around: QRectF) -> dict:
    """Stubs for the focus group's ports, left and right of what the level shows."""
    for stub in old.values():
        scene.removeItem(stub)
    stubs = {}
    if ports is None:  # back at the top level: no group edge to show
        return stubs
    for is_input, side in ((True, ports.inputs), (False, ports.outputs)):
        height = len(side) * (STUB_H + STUB_GAP) - STUB_GAP
        x = around.left() - STUB_MARGIN - STUB_W if is_input else around.right() + STUB_MARGIN
        y = around.center().y() - height / 2
        for i, p in enumerate(side):
            stub = BoundaryStub(is_input, p.name, p.variable, labels[p.variable])
            stub.setPos(x, y + i * (STUB_H + STUB_GAP))
            scene.addItem(stub)
            stubs[(is_input, p.variable)] = stub
    return stubs
