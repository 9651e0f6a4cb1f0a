"""A Variable arrow: a curve from an output port to an input port; overlays label it."""
from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

from .overlay import BACKWARD_COLOR, FORWARD_COLOR
from . import style

LABEL_FONT = QFont("Sans Serif", 8, QFont.DemiBold)
_FAR, _FAR_SELECTED = QPen(style.EDGE, 0), QPen(style.EDGE_HOVER, 0)
_SELECTABLE = QGraphicsItem.ItemIsSelectable  # looked up once: a PySide enum costs a call each time
# The item's rect is its bounds (paint draws the curve with its own pens): no pen, so Qt
# reads the rect as it is.
_BOUNDS_PEN = QPen(Qt.NoPen)


def _controls(ax: float, ay: float, bx: float, by: float) -> float:
    """How far the S-curve's inner control points stand from its ends."""
    return max(40.0, abs(bx - ax) * 0.5)


def curve(a: QPointF, b: QPointF) -> QPainterPath:
    """A horizontal S-curve: leaves the output to the right, enters the input from the left."""
    return _curve_of(a.x(), a.y(), b.x(), b.y())


def _curve_of(ax: float, ay: float, bx: float, by: float) -> QPainterPath:
    dx = _controls(ax, ay, bx, by)
    path = QPainterPath()
    path.moveTo(ax, ay)
    path.cubicTo(ax + dx, ay, bx - dx, by, bx, by)  # floats: no QPointF made per control point
    return path


class EdgeItem(QGraphicsRectItem):
    """An arrow. Its rect is its bounds, set with its curve, so Qt reads them in C++ (a Python
    ``boundingRect`` was called ~3 times per arrow per repaint: ~0.2 s at 14,000 arrows)."""

    hover = False  # starting state, read from the class until set (thousands made at once)
    width_factor = 1.0
    value_label = ""
    grad_label = ""
    _shape = None  # the hit area, made when first asked (most arrows are never hit)

    def __init__(self, edge, src_port, dst_port, ends=None):
        super().__init__()
        self.edge = edge
        self.src_port = src_port
        self.dst_port = dst_port
        self.setFlags(_SELECTABLE)
        self.setPen(_BOUNDS_PEN)
        self.setAcceptHoverEvents(True)
        self.update_path(ends)

    def tip(self) -> str:
        """Its ends as the learner knows them: the boxes' labels (a group's port has none: its id)."""
        src = getattr(getattr(self.src_port, "node_item", None), "label", self.edge.src)
        dst = getattr(getattr(self.dst_port, "node_item", None), "label", self.edge.dst)
        return f"{src} → {dst} (input {self.edge.port}: {getattr(self.dst_port, 'name', '')})"

    def update_path(self, ends=None):
        """Follow the ports. ``ends``: their scene points (ax, ay, bx, by) when the caller knows
        them (a scene built from the layout). The curve and the segment the overview draws are
        made when first asked: building 14,000 arrows made two Qt objects each that the first
        paint (overview or not) mostly never read."""
        self._shape = self._curve = self._line = None
        if ends is None:
            a, b = self.src_port.scenePos(), self.dst_port.scenePos()
            ends = (a.x(), a.y(), b.x(), b.y())
        self._ends = ends
        self._set_bounds()

    @property
    def line(self) -> QLineF:
        """The straight segment between the ends: what the overview draws (gui/canvas/overview.py)."""
        if self._line is None:
            self._line = QLineF(*self._ends)
        return self._line

    def path(self) -> QPainterPath:
        """The curve drawn (the item's rect is its bounds, not a shape)."""
        if self._curve is None:
            self._curve = _curve_of(*self._ends)
        return self._curve

    def _set_bounds(self):
        # The curve's control points' rectangle (its controlPointRect), from the four points.
        ax, ay, bx, by = self._ends
        dx = _controls(ax, ay, bx, by)
        left, right = min(ax, bx - dx), max(ax + dx, bx)
        top, bottom = min(ay, by), max(ay, by)
        # 8 around: the widest pen (a thick arrow, selected) is 13.5 wide; labels need more
        mx, my = (68.0, 32.0) if (self.value_label or self.grad_label) else (8.0, 8.0)
        self.setRect(QRectF(left - mx, top - my, right - left + 2 * mx, bottom - top + 2 * my))

    def shape(self):
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(10)
            self._shape = stroker.createStroke(self.path())
        return self._shape

    def set_labels(self, value: str, grad: str, width: float):
        if (value, grad, width) != (self.value_label, self.grad_label, self.width_factor):
            labelled = bool(self.value_label or self.grad_label)
            self.value_label, self.grad_label, self.width_factor = value, grad, width
            if labelled != bool(value or grad):
                self._set_bounds()  # (setRect tells Qt the bounds change)
            self.update()

    def paint(self, painter, option, widget=None):
        if option.levelOfDetailFromTransform(painter.worldTransform()) < 0.25:
            # zoomed far out (a whole big graph in view): a hairline, no smoothing, no labels
            painter.setRenderHint(painter.RenderHint.Antialiasing, False)  # the view turns it on for all
            painter.setPen(_FAR_SELECTED if self.isSelected() else _FAR)
            painter.setBrush(Qt.NoBrush)  # the view does not save painter state: the last box's brush filled the curve
            painter.drawPath(self.path())
            return
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        color = style.EDGE_HOVER if (self.hover or self.isSelected()) else style.EDGE
        w = 2.0 * max(0.3, min(self.width_factor, 6.0))
        if self.isSelected():
            w += 1.5
        painter.setPen(QPen(color, w, Qt.SolidLine, Qt.RoundCap))
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self.path())
        if not (self.value_label or self.grad_label):
            return
        mid = self.path().pointAtPercent(0.5)
        painter.setFont(LABEL_FONT)
        fm = painter.fontMetrics()
        for text, color, dy in ((self.value_label, FORWARD_COLOR, -11), (self.grad_label, BACKWARD_COLOR, 11)):
            if not text:
                continue
            w = fm.horizontalAdvance(text) + 8
            box = QRectF(mid.x() - w / 2, mid.y() + dy - 8, w, 16)
            painter.setPen(QPen(QColor(color), 1))
            painter.setBrush(QColor(255, 255, 255, 230))
            painter.drawRoundedRect(box, 4, 4)
            painter.setPen(QColor(color))
            painter.drawText(box, Qt.AlignCenter, text)

    def hoverEnterEvent(self, event):
        self.hover = True
        if not self.toolTip():
            self.setToolTip(self.tip())  # made when the pointer first comes: Qt shows it after a rest
        self.update()

    def hoverLeaveEvent(self, event):
        self.hover = False
        self.update()
