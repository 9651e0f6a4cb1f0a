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

from contextlib import contextmanager

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from ..canvas.overlay import CURRENT_COLOR
from . import style
from .node_item import IGNORED_OPACITY, WIDTH

# Below this zoom a box is drawn as a plain block by its own paint (NodeItem._paint_box).
OVERVIEW_ZOOM = 0.25
# Fewer boxes than this always paint themselves: a lesson never switches mode.
OVERVIEW_MIN_BOXES = 1500

_NO_CONTENTS = QGraphicsItem.ItemHasNoContents
_CURRENT = QColor(CURRENT_COLOR)
_EDGE_PEN = QPen(style.EDGE, 0)


def _faded(color: QColor) -> QColor:
    """The colour an ignored box shows: its kind's, at the box's own ignored opacity."""
    faded = QColor(color)
    faded.setAlphaF(IGNORED_OPACITY)
    return faded


class Overview(QGraphicsItem):
    """Draws the scene's boxes and arrows in batches while ``on``; hidden otherwise."""

    def __init__(self, scene):
        super().__init__()
        self.graph_scene = scene
        self.on = False
        self.zoom = 1.0
        self.paints = 0  # how many times it drew (tests count, never time)
        self.boxes_read = 0  # how many box rectangles it read again (tests count: an edit reads its own)
        self._all = True  # every box to be read again (a rebuild, a mode switch)
        self._dirty: set[str] = set()  # boxes whose rectangle, colour or arrows changed
        self._selection_dirty = True
        self._key: dict[str, int] = {}  # box → the rgba of the colour group holding it
        self._groups: dict[int, tuple[QColor, dict]] = {}  # rgba → (colour, box → rectangle)
        self._lines: dict = {}  # Edge → its segment
        self._drawn_at: dict[str, set] = {}  # box → the Edges drawn at it
        self._selected: set[str] = set()
        self._groups_shown = None  # the group layer's state the boxes were read under
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
        if self.on:
            self.update()

    def selection_changed(self):
        self._selection_dirty = True
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

    @contextmanager
    def full_detail(self):
        """The boxes and arrows paint themselves meanwhile (an image export), whatever the zoom."""
        zoom = self.zoom
        self.follow_zoom(1.0)
        try:
            yield
        finally:
            self.follow_zoom(zoom)

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
        self._catch_up()
        painter.setRenderHint(painter.RenderHint.Antialiasing, False)
        painter.setPen(_EDGE_PEN)
        painter.drawLines(list(self._lines.values()))
        painter.setPen(Qt.NoPen)
        for color, rects in self._groups.values():
            if rects:
                painter.setBrush(color)
                painter.drawRects(list(rects.values()))

    def _group_state(self):
        """Which boxes show depends on the collapsed groups and the group drilled into: a change
        there hides or shows items (no box item reports it: they have no itemChange)."""
        layer = getattr(self.graph_scene, "group_layer", None)
        return None if layer is None else (layer.focus, frozenset(layer.collapsed))

    def _catch_up(self):
        """Read again what changed since the last paint: the touched boxes and their arrows."""
        scene = self.graph_scene
        groups = self._group_state()
        if groups != self._groups_shown:
            self._groups_shown, self._all = groups, True
        if self._all:
            self._all, self._key, self._groups, self._lines, self._drawn_at = False, {}, {}, {}, {}
            self._dirty = set(scene.node_items)
            self._selected = set()
            self._selection_dirty = True
        recolour = set()
        if self._selection_dirty:
            self._selection_dirty = False
            now = set(scene.selected_nodes())
            recolour, self._selected = now ^ self._selected, now
        for nid in self._dirty:
            self._read_box(nid)
        for nid in recolour - self._dirty:  # selected or no longer: same place, other colour
            self._recolour(nid)
        if len(self._dirty) > len(scene.node_items) // 4:  # most arrows moved (a layout): all at once
            self._read_all_arrows()
        else:
            for nid in self._dirty:
                self._read_arrows(nid)
        self._dirty = set()

    def _read_all_arrows(self):
        self._lines, self._drawn_at = {}, {}
        for edge, item in self.graph_scene.edge_items.items():
            if item.isVisible():
                self._lines[edge] = item.line
                self._drawn_at.setdefault(edge.src, set()).add(edge)
                self._drawn_at.setdefault(edge.dst, set()).add(edge)

    def _read_box(self, nid):
        old = self._key.pop(nid, None)
        if old is not None:
            del self._groups[old][1][nid]
        item = self.graph_scene.node_items.get(nid)
        if item is None or not item.isVisible():
            return
        self.boxes_read += 1
        color = self._color(nid, item)
        key = color.rgba()  # a QColor is not hashable
        self._key[nid] = key
        self._groups.setdefault(key, (color, {}))[1][nid] = QRectF(item.x(), item.y(), WIDTH, item.height)

    def _recolour(self, nid):
        old = self._key.get(nid)
        if old is None:
            return
        rect = self._groups[old][1].pop(nid)
        item = self.graph_scene.node_items[nid]
        color = self._color(nid, item)
        self._key[nid] = color.rgba()
        self._groups.setdefault(color.rgba(), (color, {}))[1][nid] = rect

    def _color(self, nid, item) -> QColor:
        """As the box paints itself near: selected, stepped, at fault, faded when ignored."""
        if nid in self._selected:
            return style.SELECTED
        if item.current:
            return _CURRENT
        if item.error:
            return style.UNWIRED
        color = style.KIND_COLORS[item.kind]
        return _faded(color) if item.ignored else color

    def _read_arrows(self, nid):
        for edge in self._drawn_at.pop(nid, ()):
            self._lines.pop(edge, None)
            other = self._drawn_at.get(edge.dst if edge.src == nid else edge.src)
            if other is not None:
                other.discard(edge)
        scene = self.graph_scene
        for edge in scene.edge_index.at(nid):
            item = scene.edge_items.get(edge)
            if item is not None and item.isVisible():
                self._lines[edge] = item.line
                self._drawn_at.setdefault(edge.src, set()).add(edge)
                self._drawn_at.setdefault(edge.dst, set()).add(edge)
