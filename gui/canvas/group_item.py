"""How a group looks on the canvas: collapsed, one box with its boundary ports; expanded,
a frame with a title around its boxes.

Both draw what the group layer (group_view.py) hands them; a group has no position of
its own: the collapsed box stands at the top-left of its boxes, the frame around them.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from graphcore.group_layout import FOOTER, GROUP_ROW, GROUP_WIDTH, HEADER

from . import style
from .node_item import LABEL_FONT, PORT_FONT, VALUE_FONT
from .overlay import CURRENT_COLOR
from .port_item import LOD_HIDDEN, RADIUS

GROUP_COLOR = QColor("#3D4E6B")
FRAME_COLOR = QColor("#7D8CA8")
BUTTON = 18.0  # the +/− square in a title bar


class GroupPort(QGraphicsItem):
    """A port of a collapsed group, a wiring end like a box's port (gui/canvas/interactions):
    a boundary port aⱼ or bᵢ, where the crossing arrows meet the group, or an *open* port —
    an inner box's unwired input or unread output, drawn hollow below them.

    ``box`` and ``index`` say which inner box port an arrow plugged here goes to (an output
    bᵢ: the inner box output making its Variable); an aⱼ already carries its Variable."""

    def __init__(self, parent, is_input: bool, name: str, variable: str | None, tip: str,
                 box: str = "", index: int = 0, open_port: bool = False):
        super().__init__(parent)
        self.is_input, self.name, self.variable = is_input, name, variable
        self.box, self.index, self.open = box, index, open_port
        self.hover = False
        self.setToolTip(tip)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CrossCursor)

    @property
    def group(self) -> str:
        return self.parentItem().name

    def boundingRect(self) -> QRectF:
        r = RADIUS + 3
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, painter, option, widget=None):
        if option.levelOfDetailFromTransform(painter.worldTransform()) < LOD_HIDDEN:
            return  # zoomed far out: no dots, as on the boxes (their group is a plain block then)
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        color = style.EDGE_HOVER if self.hover else (style.UNWIRED if self.open and self.is_input else style.EDGE)
        pen = QPen(color, 2.2 if self.hover else 1.4)
        if self.open:
            pen.setStyle(Qt.DotLine)  # nothing crosses here yet
        painter.setPen(pen)
        painter.setBrush(QBrush(QColor("#FFFFFF") if self.is_input or self.open else color))
        r = RADIUS + (1.5 if self.hover else 0)
        painter.drawEllipse(QRectF(-r, -r, 2 * r, 2 * r))

    def hoverEnterEvent(self, event):
        self.hover = True
        self.update()

    def hoverLeaveEvent(self, event):
        self.hover = False
        self.update()


class CollapsedGroupItem(QGraphicsItem):
    """A collapsed group: its name, a₁…aₙ on the left, b₁…bₖ with their values on the right."""

    def __init__(self, layer, name: str):
        super().__init__()
        self.layer = layer
        self.name = name
        self.inputs: list[GroupPort] = []
        self.outputs: list[GroupPort] = []
        self.open_inputs: list[GroupPort] = []  # inner ports free to wire (graphcore.groups.open_ports)
        self.open_outputs: list[GroupPort] = []
        self._shown: tuple = ()
        self.value_texts: list[str] = []
        self.labels: dict[str, str] = {}
        self._by_variable: dict[tuple[bool, str], GroupPort] = {}
        self.n_boxes = 0
        self.current = False  # the step-through's current box is inside
        self.values_hidden: list[bool] = []  # per output: not computed yet in the step-through
        self.setFlags(QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable
                      | QGraphicsItem.ItemSendsGeometryChanges)
        self.setZValue(2)

    def set_ports(self, ports, labels: dict[str, str], n_boxes: int, free=None):
        """(Re)make the port dots when the group's boundary (or its open ports, ``free``) changed."""
        ins = [(p.name, p.variable) for p in ports.inputs]
        outs = [(p.name, p.variable) for p in ports.outputs]
        free_ins = [(p.name, p.box, p.index) for p in free.inputs] if free is not None else []
        free_outs = [(p.name, p.box, p.index) for p in free.outputs] if free is not None else []
        self.n_boxes = n_boxes
        self.labels = labels
        if (ins, outs, free_ins, free_outs) == self._shown:
            return
        self._shown = (ins, outs, free_ins, free_outs)
        for p in self.inputs + self.outputs + self.open_inputs + self.open_outputs:
            p.setParentItem(None)
            if p.scene() is not None:
                p.scene().removeItem(p)
        self.prepareGeometryChange()
        self.inputs = [GroupPort(self, True, p.name, p.variable, f"input {p.name} = {labels[p.variable]}", p.box,
                                 p.out) for p in ports.inputs]
        self.outputs = [GroupPort(self, False, p.name, p.variable, f"output {p.name} = {labels[p.variable]}",
                                  p.box, p.out) for p in ports.outputs]
        self.open_inputs = [GroupPort(self, True, n, None, f"{n}: not wired yet — drag an arrow here", b, i, True)
                            for n, b, i in free_ins]
        self.open_outputs = [GroupPort(self, False, n, None, f"{n}: read by nothing yet — drag an arrow from here",
                                       b, i, True) for n, b, i in free_outs]
        for i, p in enumerate(self.inputs + self.open_inputs):
            p.setPos(0, HEADER + GROUP_ROW * (i + 0.5))
        for i, p in enumerate(self.outputs + self.open_outputs):
            p.setPos(GROUP_WIDTH, HEADER + GROUP_ROW * (i + 0.5))
        self.value_texts = [""] * len(self.outputs)
        self._by_variable = {}
        self.setToolTip(f"group '{self.name}': {n_boxes} boxes as one Function — "
                        "double-click (or Enter) to open it, + to expand it in place")

    def port_for(self, variable: str, is_input: bool) -> GroupPort | None:
        if len(self._by_variable) != len(self.inputs) + len(self.outputs):  # ports remade: index them again
            self._by_variable = {(p.is_input, p.variable): p for p in self.inputs + self.outputs}
        return self._by_variable.get((is_input, variable))

    @property
    def height(self) -> float:
        rows = max(len(self.inputs) + len(self.open_inputs), len(self.outputs) + len(self.open_outputs), 1)
        return HEADER + GROUP_ROW * rows + FOOTER

    def boundingRect(self) -> QRectF:
        return QRectF(-4, -4, GROUP_WIDTH + 8, self.height + 8)

    def shape(self):
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, GROUP_WIDTH, self.height), 7, 7)
        return path

    def button_rect(self) -> QRectF:
        return QRectF(6, (HEADER - BUTTON) / 2, BUTTON, BUTTON)

    def itemChange(self, change, value):
        if change == QGraphicsItem.ItemPositionHasChanged:
            self.layer.group_item_moved(self)
        return super().itemChange(change, value)

    def mousePressEvent(self, event):
        if event.button() == Qt.LeftButton and self.button_rect().contains(event.pos()):
            self.layer.set_collapsed(self.name, False)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event):
        self.layer.drill_in(self.name)
        event.accept()

    def contextMenuEvent(self, event):
        self.layer.group_menu(self.name).exec(event.screenPos())
        event.accept()

    def paint(self, painter, option, widget=None):
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        body = QRectF(0, 0, GROUP_WIDTH, self.height)
        if lod < 0.25:
            painter.fillRect(body, GROUP_COLOR)
            return
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        border = QPen(style.SELECTED, 2.5) if self.isSelected() else QPen(GROUP_COLOR, 1.5)
        painter.setPen(QPen(QColor(CURRENT_COLOR), 4) if self.current else border)
        painter.setBrush(QBrush(style.BODY))
        painter.drawRoundedRect(body, 7, 7)
        # A second edge just inside: a group reads as a stack of boxes, not as one Function box.
        painter.setPen(QPen(QColor("#C9D1DE"), 1))
        painter.drawRoundedRect(body.adjusted(3, 3, -3, -3), 5, 5)
        head = QPainterPath()
        head.setFillRule(Qt.WindingFill)
        head.addRoundedRect(QRectF(0, 0, GROUP_WIDTH, HEADER), 7, 7)
        head.addRect(QRectF(0, HEADER / 2, GROUP_WIDTH, HEADER / 2))
        painter.fillPath(head.simplified(), GROUP_COLOR)
        _draw_button(painter, self.button_rect(), "+")
        painter.setPen(QColor("white"))
        painter.setFont(LABEL_FONT)
        title = painter.fontMetrics().elidedText(self.name, Qt.ElideRight, int(GROUP_WIDTH - 36))
        painter.drawText(QRectF(30, 0, GROUP_WIDTH - 36, HEADER), Qt.AlignVCenter | Qt.AlignLeft, title)
        if lod < 0.4:
            return
        self._paint_rows(painter)
        y = self.height - FOOTER
        painter.setPen(QPen(QColor("#E3E6EA"), 1))
        painter.drawLine(QPointF(6, y), QPointF(GROUP_WIDTH - 6, y))
        painter.setFont(VALUE_FONT)
        painter.setPen(style.MUTED)
        painter.drawText(QRectF(8, y, GROUP_WIDTH - 16, FOOTER), Qt.AlignVCenter | Qt.AlignLeft,
                         f"{self.n_boxes} boxes")

    def _paint_rows(self, painter):
        """aⱼ with what it carries, bᵢ with its value, then the open ports' names (greyed)."""
        painter.setFont(PORT_FONT)
        half = GROUP_WIDTH / 2
        left = [(p, f"{p.name} {self.labels[p.variable]}", style.MUTED) for p in self.inputs]
        left += [(p, p.name, style.UNWIRED) for p in self.open_inputs]
        for p, text, color in left:
            painter.setPen(color)
            text = painter.fontMetrics().elidedText(text, Qt.ElideRight, int(half - 12))
            painter.drawText(QRectF(10, p.y() - GROUP_ROW / 2, half - 12, GROUP_ROW), Qt.AlignVCenter, text)
        hidden = self.values_hidden + [False] * (len(self.outputs) - len(self.values_hidden))
        right = [(p, "?" if unknown else value, style.TEXT)
                 for p, value, unknown in zip(self.outputs, self.value_texts, hidden, strict=False)]
        right += [(p, "", style.MUTED) for p in self.open_outputs]
        for p, value, color in right:
            painter.setPen(color)
            text = painter.fontMetrics().elidedText(f"{value}  {p.name}" if value else p.name, Qt.ElideLeft,
                                                    int(half - 10))
            painter.drawText(QRectF(half, p.y() - GROUP_ROW / 2, half - 10, GROUP_ROW),
                             Qt.AlignVCenter | Qt.AlignRight, text)


class GroupFrameItem(QGraphicsItem):
    """An expanded group: a frame around its boxes; its title bar selects, moves and collapses it."""

    def __init__(self, layer, name: str, depth: int):
        super().__init__()
        self.layer = layer
        self.name = name
        self.rect = QRectF()
        self.setFlags(QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable)
        self.setZValue(-1 + 0.01 * depth)  # behind boxes and arrows; inner frames over outer ones

    def set_rect(self, rect: QRectF):
        if rect != self.rect or self.pos() != QPointF(0, 0):
            self.prepareGeometryChange()
            self.rect = QRectF(rect)
            self.setPos(0, 0)

    def title_rect(self) -> QRectF:
        from graphcore.group_layout import FRAME_TITLE
        return QRectF(self.rect.left(), self.rect.top(), self.rect.width(), FRAME_TITLE - 4)

    def button_rect(self) -> QRectF:
        t = self.title_rect()
        return QRectF(t.left() + 6, t.center().y() - BUTTON / 2, BUTTON, BUTTON)

    def boundingRect(self) -> QRectF:
        return self.rect.adjusted(-3, -3, 3, 3)

    def shape(self):
        path = QPainterPath()  # only the title bar: a press inside the frame still draws a rubber band
        path.addRect(self.title_rect())
        return path

    def mousePressEvent(self, event):
        if event.button() == Qt.LeftButton and self.button_rect().contains(event.pos()):
            self.layer.set_collapsed(self.name, True)
            event.accept()
            return
        if event.button() == Qt.LeftButton and not event.modifiers() & Qt.ControlModifier:
            self.layer.select_group(self.name)  # the group moves as one: its boxes come along
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event):
        super().mouseReleaseEvent(event)
        if self.isSelected() and not event.modifiers() & Qt.ControlModifier:
            self.layer.select_group(self.name)  # a plain click keeps the whole group selected

    def mouseDoubleClickEvent(self, event):
        self.layer.edit_name(self.name)
        event.accept()

    def contextMenuEvent(self, event):
        self.layer.group_menu(self.name).exec(event.screenPos())
        event.accept()

    def paint(self, painter, option, widget=None):
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        selected = self.isSelected()
        painter.setPen(QPen(style.SELECTED if selected else FRAME_COLOR, 2.0 if selected else 1.3, Qt.DashLine))
        painter.setBrush(QColor(61, 78, 107, 14))
        painter.drawRoundedRect(self.rect, 10, 10)
        title = self.title_rect()
        bar = QPainterPath()
        bar.addRoundedRect(title, 10, 10)
        painter.fillPath(bar, QColor(61, 78, 107, 40))
        _draw_button(painter, self.button_rect(), "−", dark=True)
        painter.setFont(LABEL_FONT)
        painter.setPen(GROUP_COLOR)
        text = painter.fontMetrics().elidedText(self.name, Qt.ElideRight, int(max(20.0, title.width() - 40)))
        painter.drawText(title.adjusted(30, 0, -8, 0), Qt.AlignVCenter | Qt.AlignLeft, text)


def _draw_button(painter, rect: QRectF, sign: str, dark: bool = False):
    painter.setPen(QPen(QColor("white") if not dark else GROUP_COLOR, 1.2))
    painter.setBrush(QColor(255, 255, 255, 40) if not dark else QColor(255, 255, 255, 200))
    painter.drawRoundedRect(rect, 3, 3)
    c = rect.center()
    painter.drawLine(QPointF(c.x() - 4.5, c.y()), QPointF(c.x() + 4.5, c.y()))
    if sign == "+":
        painter.drawLine(QPointF(c.x(), c.y() - 4.5), QPointF(c.x(), c.y() + 4.5))
