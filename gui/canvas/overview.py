"""Level of detail for big graphs: zoomed far out, one item draws every box and arrow.

At a zoom where a box is a few pixels (the boxes' own paint is then a plain block and an
arrow a hairline anyway) a scene of thousands of boxes spent ~0.3 s per repaint calling
each item's Python ``boundingRect`` and ``paint``. In overview mode the boxes and arrows
keep their items (they are still hit-tested, selected, dragged) but carry
``ItemHasNoContents``, so Qt never calls into Python for them while painting and drops
their update requests; this one item draws them all with two C++ calls per colour
(``drawLines``, ``drawRects``). The scene tells it which boxes changed (``touch``);
a box's rectangle is read again only then, the arrows' end points are kept by the arrows.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from ..canvas.overlay import CURRENT_COLOR
from . import style
from .node_item import WIDTH

# Below this zoom a box is drawn as a plain block by its own paint (NodeItem._paint_box).
OVERVIEW_ZOOM = 0.25
# Fewer boxes than this always paint themselves: a lesson never switches mode.
OVERVIEW_MIN_BOXES = 1500

_NO_CONTENTS = QGraphicsItem.ItemHasNoContents
_CURRENT = QColor(CURRENT_COLOR)
_EDGE_PEN = QPen(style.EDGE, 0)


class Overview(QGraphicsItem):
    """Draws the scene's boxes and arrows in batches while ``on``; hidden otherwise."""

    def __init__(self, scene):
        super().__init__()
        self.graph_scene = scene
        self.on = False
        self.zoom = 1.0
        self.paints = 0  # how many times it drew (tests count, never time)
        self._rects: dict[str, tuple[QRectF, QColor]] = {}
        self._dirty: set[str] = set()
        self._all = True  # every box to be read again (a rebuild, a mode switch)
        self._lines = None  # the arrows' segments, None when one of them may have changed
        self._groups = None  # colour → rectangles, None when a box changed
        self.setZValue(0.5)  # over group frames, under the hit-test-only boxes (z 1)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setVisible(False)

    # --- the scene says what changed ------------------------------------------------------
    def touch(self, nid=None):
        """Box ``nid`` (None: any box) or its arrows changed; redrawn at the next paint."""
        if nid is None:
            self._all = True
        else:
            self._dirty.add(nid)
        self._lines = self._groups = None
        if self.on:
            self.update()

    def selection_changed(self):
        self._groups = None
        if self.on:
            self.update()

    def follow_zoom(self, zoom: float):
        """Switch mode when the view's zoom or the number of boxes crosses its threshold."""
        self.zoom = zoom
        scene = self.graph_scene
        want = zoom < OVERVIEW_ZOOM and len(scene.node_items) >= OVERVIEW_MIN_BOXES
        if want == self.on:
            return
        self.on = want
        for item in list(scene.node_items.values()) + list(scene.edge_items.values()):
            item.setFlag(_NO_CONTENTS, want)
            if not want:
                item.update()  # updates asked for meanwhile were dropped: paint afresh
        self.touch()
        self.setVisible(want)

    def item_added(self, item):
        """A box or arrow made while the overview draws: it must not paint itself too."""
        if self.on:
            item.setFlag(_NO_CONTENTS, True)

    # --- painting ---------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return QRectF(-1e6, -1e6, 2e6, 2e6)  # the view's whole scene rect; painted only while on

    def shape(self) -> QPainterPath:
        return QPainterPath()  # never under the pointer: a click reaches the boxes or the empty canvas

    def paint(self, painter, option, widget=None):
        self.paints += 1
        painter.setRenderHint(painter.RenderHint.Antialiasing, False)
        if self._lines is None:
            self._lines = [it.line for it in self.graph_scene.edge_items.values() if it.isVisible()]
        painter.setPen(_EDGE_PEN)
        painter.drawLines(self._lines)
        if self._groups is None:
            self._groups = self._group_rects()
        painter.setPen(Qt.NoPen)
        for color, rects in self._groups:
            painter.setBrush(color)
            painter.drawRects(rects)

    def _group_rects(self):
        scene = self.graph_scene
        if self._all:
            self._all, self._rects = False, {}
            self._dirty = set(scene.node_items)
        for nid in self._dirty:
            item = scene.node_items.get(nid)
            if item is None or not item.isVisible():
                self._rects.pop(nid, None)
                continue
            color = _CURRENT if item.current else style.KIND_COLORS[item.kind]
            self._rects[nid] = (QRectF(item.x(), item.y(), WIDTH, item.height), color)
        self._dirty = set()
        selected = set(scene.selected_nodes())
        groups: dict = {}  # by the colour's rgba: a QColor is not hashable
        for nid, (rect, color) in self._rects.items():
            if nid in selected:
                color = style.SELECTED
            groups.setdefault(color.rgba(), (color, []))[1].append(rect)
        return list(groups.values())
