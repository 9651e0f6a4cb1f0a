"""Level of detail for big graphs: zoomed out so far that a box is a few pixels (the same
zoom at which a box paints itself as a plain block and an arrow as a hairline), one item
draws every box and arrow in a few QPainter calls (drawRects, drawPath, all in C++).

Meanwhile the boxes' and arrows' own items are marked ``ItemHasNoContents``: Qt then calls
no Python at all for them on a repaint (before, a repaint of a fitted 10,000-box graph was
~24,000 Python ``boundingRect`` and ``paint`` calls), yet they stay in the scene, selectable
and hit-tested, so clicks, the rubber band and every command work as before. The view
switches the mode before each paint (``GraphView.paintEvent``) from its zoom.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from . import style
from .node_item import WIDTH
from .overlay import CURRENT_COLOR

FAR_ZOOM = 0.25  # below it a box is a plain block: NodeItem._paint_box's and EdgeItem.paint's threshold
_NO_CONTENTS = QGraphicsItem.ItemHasNoContents
_BOUNDS = QRectF(-50000, -50000, 100000, 100000)  # the view's scene rect: the overview may cover all of it
_ARROW, _ARROW_SELECTED = QPen(style.EDGE, 0), QPen(style.EDGE_HOVER, 0)
_SELECTED = QPen(style.SELECTED, 0)
_IGNORED_ALPHA = 115  # ≈ NodeItem's IGNORED_OPACITY (0.45) of 255


class Overview(QGraphicsItem):
    """Every shown box as a block in its kind's colour and every shown arrow as a hairline,
    collected from the items again only after something changed (``mark_dirty``)."""

    def __init__(self, scene):
        super().__init__()
        self.graph_scene = scene
        self.far = False
        self._dirty = True
        self._groups = None  # the group layer's state the lists were collected under
        self._blocks: list[tuple[QColor, list[QRectF]]] = []
        self._selected: list[QRectF] = []
        self._arrows = self._selected_arrows = QPainterPath()
        self.setFlag(_NO_CONTENTS)  # nothing to draw until the view zooms far out
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setZValue(0.5)  # as the items it stands for: over group frames (z < 0), under collapsed groups (2)

    def boundingRect(self) -> QRectF:
        return _BOUNDS

    def shape(self):
        return QPainterPath()  # never hit: clicks, itemAt and the rubber band reach the items below

    def mark_dirty(self):
        self._dirty = True
        if self.far:
            try:
                self.update()
            except RuntimeError:  # a closing scene deletes its items first, then says the selection changed
                self.far = False

    def set_far(self, far: bool) -> bool:
        """Switch between the overview and the items' own painting; True if it switched."""
        if far == self.far:
            return False
        self.far = far
        self._dirty = True
        self.setFlag(_NO_CONTENTS, not far)
        scene = self.graph_scene
        for item in list(scene.node_items.values()) + list(scene.edge_items.values()):
            item.setFlag(_NO_CONTENTS, far)
        return True

    def _collect(self):
        scene = self.graph_scene
        blocks: dict[tuple, list[QRectF]] = {}
        selected = []
        for item in scene.node_items.values():
            if not item.isVisible():  # inside a collapsed group, or outside the group drilled into
                continue
            rect = QRectF(item.x(), item.y(), WIDTH, item.height)
            key = ("current" if item.current else item.kind, item.ignored)
            blocks.setdefault(key, []).append(rect)
            if item.isSelected():
                selected.append(rect)
        self._blocks = [(_color(kind, ignored), rects) for (kind, ignored), rects in blocks.items()]
        self._selected = selected
        arrows, chosen = QPainterPath(), QPainterPath()
        for item in scene.edge_items.values():
            if item.isVisible():
                (chosen if item.isSelected() else arrows).addPath(item.path())
        self._arrows, self._selected_arrows = arrows, chosen
        self._dirty = False

    def _group_state(self):
        """Which boxes show depends on the collapsed groups and the group drilled into: a change
        there hides or shows items (and repaints their places) without any graph event."""
        layer = getattr(self.graph_scene, "group_layer", None)
        return None if layer is None else (layer.focus, frozenset(layer.collapsed))

    def paint(self, painter, option, widget=None):
        groups = self._group_state()
        if self._dirty or groups != self._groups:
            self._groups = groups
            self._collect()
        painter.setRenderHint(painter.RenderHint.Antialiasing, False)  # hairlines and blocks a few pixels wide
        painter.setBrush(Qt.NoBrush)
        for pen, path in ((_ARROW, self._arrows), (_ARROW_SELECTED, self._selected_arrows)):
            if not path.isEmpty():
                painter.setPen(pen)
                painter.drawPath(path)
        painter.setPen(Qt.NoPen)
        for color, rects in self._blocks:
            painter.setBrush(color)
            painter.drawRects(rects)
        if self._selected:
            painter.setBrush(Qt.NoBrush)
            painter.setPen(_SELECTED)
            painter.drawRects(self._selected)


def _color(kind: str, ignored: bool) -> QColor:
    color = QColor(CURRENT_COLOR) if kind == "current" else QColor(style.KIND_COLORS[kind])
    if ignored:
        color.setAlpha(_IGNORED_ALPHA)
    return color
