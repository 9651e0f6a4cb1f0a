"""Level of detail for big graphs: zoomed far out, a grid of tiles draws every box and arrow.

At a zoom where a box is a few pixels (the boxes' own paint is then a plain block and an
arrow a hairline anyway) a scene of thousands of boxes spent ~0.3 s per repaint calling
each item's Python ``boundingRect`` and ``paint``. In overview mode the boxes and arrows
keep their items (they are still hit-tested, selected, dragged) but carry
``ItemHasNoContents``, so Qt never calls into Python for them while painting and drops
their update requests; the overview draws them instead, with two C++ calls per colour
(``drawLines``, ``drawRects``).

It draws them in tiles: the scene is cut into square cells, each drawn by one ``_Tile``
item holding the boxes and arrows that touch its cell, kept by Qt as a pixmap in device
coordinates. The scene tells the overview which boxes changed (``touch``) and has it catch
up at the end of each change it follows (else a posted call, or the view before it paints):
it reads again only those boxes and their arrows, and only the tiles they leave or enter
draw again (one item drawing everything redrew all 10,000 boxes at any
edit: ~10 ms a repaint). A zoom redraws every tile: Qt drops the pixmaps at a new scale.
"""
from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen, QPixmapCache
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

from ..canvas.overlay import CURRENT_COLOR
from . import style
from .node_item import IGNORED_OPACITY, WIDTH
from .scene_sync import gc_paused
from .tile_grid import by_cell, cell_size, segment_cells

# Below this zoom a box is drawn as a plain block by its own paint (NodeItem._paint_box).
OVERVIEW_ZOOM = 0.25
# Fewer boxes than this always paint themselves: a lesson never switches mode.
OVERVIEW_MIN_BOXES = 1500
# Qt keeps the tiles' pixmaps in the global pixmap cache (10 MB by default): room for a full
# window of tiles besides the icons (KB).
PIXMAP_CACHE_KB = 64 * 1024

_NO_CONTENTS = QGraphicsItem.ItemHasNoContents
_CURRENT = QColor(CURRENT_COLOR)
_EDGE_PEN = QPen(style.EDGE, 0)
_EMPTY = QPainterPath()
# Two layers of tiles: a selection or an evaluation's marks recolour boxes and leave the arrows'
# tiles as they were drawn.
ARROWS, BOXES = 0, 1


_FADED: dict[str, QColor] = {}  # kind → its faded colour, made once
_RGBA: dict[int, int] = {}  # id of one of the few colours boxes take → its rgba (a QColor is not hashable)


def _key(color: QColor) -> int:
    key = _RGBA.get(id(color))
    if key is None:
        key = _RGBA[id(color)] = color.rgba()
    return key


def _faded(color: QColor) -> QColor:
    """The colour an ignored box shows: its kind's, at the box's own ignored opacity."""
    faded = QColor(color)
    faded.setAlphaF(IGNORED_OPACITY)
    return faded


class _Poster(QObject):
    """Runs the overview's catch-up from a posted event: after the code that touched the boxes
    returns, in the same pass of the event loop (a 0 ms timer could wait for the next pass)."""

    KIND = QEvent.Type(QEvent.registerEventType())

    def __init__(self, overview, parent):
        super().__init__(parent)
        self.overview = overview

    def post(self):
        QCoreApplication.postEvent(self, QEvent(self.KIND))

    def event(self, event):
        if event.type() == self.KIND:
            self.overview.posted_catch_up()
            return True
        return super().event(event)


class _Tile(QGraphicsRectItem):
    """One cell of the overview: draws the boxes and arrows touching it, clipped to it (the
    neighbouring tiles draw the rest of a box or arrow on their edge). Its bounds are its
    rect (no pen): Qt reads them in C++."""

    def __init__(self, overview: "Overview", key: tuple[int, int, int], size: float):
        layer, i, j = key
        super().__init__(QRectF(i * size, j * size, size, size), overview)
        self.overview = overview
        self.key = key  # (ARROWS or BOXES, column, row)
        self.boxes: dict[str, tuple] = {}  # box → (rgba, rectangle)
        self.lines: dict = {}  # arrow item → its segment
        self._batches = None  # (lines, [(colour, rects)]): collected again after a change
        self.paints = 0  # how many times it drew (tests count, never time)
        self.collects = 0  # how many times it gathered its boxes and arrows again
        self.setPen(Qt.NoPen)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.setZValue(layer)  # the boxes over the arrows

    def changed(self):
        self._batches = None
        self.update()

    def shape(self) -> QPainterPath:
        return _EMPTY  # never under the pointer: a click reaches the boxes or the empty canvas

    def _collect(self):
        self.collects += 1
        groups: dict[int, list] = {}
        for key, rect in self.boxes.values():
            groups.setdefault(key, []).append(rect)
        color = self.overview.color
        self._batches = (list(self.lines.values()), [(color(k), r) for k, r in groups.items()])

    def paint(self, painter, option, widget=None):
        self.paints += 1
        self.overview.paints += 1
        if self._batches is None:
            self._collect()
        lines, groups = self._batches
        painter.setRenderHint(painter.RenderHint.Antialiasing, False)
        painter.setClipRect(self.rect())
        if lines:
            painter.setPen(_EDGE_PEN)
            painter.drawLines(lines)
        if groups:
            painter.setPen(Qt.NoPen)
            for color, rects in groups:
                painter.setBrush(color)
                painter.drawRects(rects)


class Overview(QGraphicsItem):
    """Holds the tiles that draw the scene's boxes and arrows while ``on``; hidden otherwise."""

    def __init__(self, scene):
        super().__init__()
        self.graph_scene = scene
        self.on = False
        self.zoom = 1.0
        self.paints = 0  # how many times a tile drew (tests count, never time)
        self.boxes_read = 0  # how many box rectangles it read again (tests count: an edit reads its own)
        self._all = True  # every box to be read again (a rebuild, a mode switch)
        self._dirty: set[str] = set()  # boxes whose rectangle, colour or arrows changed
        self._selection_dirty = True
        self._posted = False  # a catch-up is queued
        self._poster = _Poster(self, scene)
        self._key: dict[str, int] = {}  # box → the rgba of the colour group holding it
        self._groups: dict[int, tuple[QColor, dict]] = {}  # rgba → (colour, box → rectangle)
        self._lines: dict = {}  # arrow item → its segment (items hash in C; an Edge in Python)
        self._selected: set[str] = set()
        self._groups_shown = None  # the group layer's state the boxes were read under
        self._size = 1.0  # a cell's side (scene units), chosen at each full read
        self.tiles: dict[tuple[int, int, int], _Tile] = {}  # (layer, column, row) → its tile
        self._changed: set = set()  # tiles to draw again after this catch-up
        self.setFlag(_NO_CONTENTS, True)  # the tiles draw
        self.setZValue(0.5)  # over group frames, under the hit-test-only boxes (z 1)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setVisible(False)

    # --- the scene says what changed ------------------------------------------------------
    def touch(self, nid=None):
        """Box ``nid`` (None: any box) or its arrows changed; redrawn at the next catch-up."""
        if nid is None:
            self._all = True
        else:
            self._dirty.add(nid)
        self._post()

    def selection_changed(self):
        self._selection_dirty = True
        self._post()

    def _post(self):
        """Catch up once the code that changed things is done (many touches, one catch-up)."""
        if self.on and not self._posted:
            self._posted = True
            self._poster.post()

    def posted_catch_up(self):
        self._posted = False
        self.catch_up()

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
        if want and QPixmapCache.cacheLimit() < PIXMAP_CACHE_KB:
            QPixmapCache.setCacheLimit(PIXMAP_CACHE_KB)
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

    def arrow_removed(self, item):
        """An arrow item leaves the scene: its segment leaves the tiles it crossed."""
        if self.on:
            self._unplace_edge(item)

    def item_added(self, item):
        """A box or arrow made while the overview draws: it must not paint itself too."""
        if self.on:
            item.setFlag(_NO_CONTENTS, True)

    # --- painting: the tiles draw, this item holds them -----------------------------------------
    def boundingRect(self) -> QRectF:
        return QRectF()

    def shape(self) -> QPainterPath:
        return _EMPTY

    def paint(self, painter, option, widget=None):
        pass  # ItemHasNoContents: never called

    def _group_state(self):
        """Which boxes show depends on the collapsed groups and the group drilled into: a change
        there hides or shows items (no box item reports it: they have no itemChange)."""
        layer = getattr(self.graph_scene, "group_layer", None)
        return None if layer is None else (layer.focus, frozenset(layer.collapsed))

    def catch_up(self, full=True):
        """Read again what changed since the last catch-up (the touched boxes and their arrows)
        and have the tiles they touch draw again. The scene calls it at the end of each change
        it follows (``full=False``: a full read waits for the paint, a zoom may come first);
        the view before it paints."""
        if not self.on:
            return
        if full:
            groups = self._group_state()
            if groups != self._groups_shown:
                self._groups_shown, self._all = groups, True
        if self._all:
            if full:
                self._read_everything()
            return
        if not self._dirty and not self._selection_dirty and not self._changed:
            return
        scene = self.graph_scene
        recolour = set()
        if self._selection_dirty:
            self._selection_dirty = False
            now = set(scene.selected_nodes())
            recolour, self._selected = now ^ self._selected, now
        dirty, self._dirty = self._dirty, set()
        many = len(scene.node_items) // 4
        if len(dirty) > many:  # most boxes moved (a layout): all at once
            self._read_everything()
            return
        for nid in dirty:
            self._read_box(nid)
        recolour -= dirty
        if len(recolour) > many:  # a Select All: the arrows' tiles stay as drawn
            self._recolour_all(recolour)
        else:
            for nid in recolour:  # selected or no longer: same place, other colour
                self._recolour(nid)
        for nid in dirty:
            self._read_arrows(nid)
        changed, self._changed = self._changed, set()
        for tile in changed:
            tile.changed()

    def _read_everything(self):
        """Every shown box and arrow read at once (a rebuild, a mode switch, a layout): the cells
        are found with numpy, each tile handed its boxes and arrows in one piece; the collector
        waits meanwhile (tens of thousands of entries kept, none garbage)."""
        with gc_paused():
            self._read_all_now()

    def _read_all_now(self):
        scene = self.graph_scene
        self._all, self._key, self._groups = False, {}, {}
        self._dirty, self._selection_dirty, self._changed = set(), False, set()
        self._selected = set(scene.selected_nodes())
        for tile in self.tiles.values():
            scene.removeItem(tile)
        self.tiles = {}
        shown = [(nid, item) for nid, item in scene.node_items.items() if item.isVisible()]
        self.boxes_read += len(shown)
        xs = np.fromiter((item.x() for _n, item in shown), float, len(shown))
        ys = np.fromiter((item.y() for _n, item in shown), float, len(shown))
        hs = np.fromiter((item.height for _n, item in shown), float, len(shown))
        self._size = cell_size(xs, ys, xs + WIDTH, ys + hs)
        rects = [QRectF(x, y, WIDTH, h) for x, y, h in zip(xs.tolist(), ys.tolist(), hs.tolist())]
        entries = []
        for (nid, item), rect in zip(shown, rects):
            color = self._color(nid, item)
            key = _key(color)
            entries.append((key, rect))
            self._key[nid] = key
            self._groups.setdefault(key, (color, {}))[1][nid] = rect
        nids = [nid for nid, _i in shown]
        for cell, ks in self._cells_of_boxes(xs, ys, hs):
            self._tile(BOXES, cell).boxes.update({nids[k]: entries[k] for k in ks})
        self._read_all_arrows()
        self._changed = set()  # new tiles: they draw when first shown

    def _cells_of_boxes(self, xs, ys, hs) -> list:
        """[(cell, [k, …]), …]: the boxes k in each cell (a box on a cell's edge is in two or four)."""
        s = self._size
        i0, i1 = np.floor(xs / s).astype(np.int64), np.floor((xs + WIDTH) / s).astype(np.int64)
        j0, j1 = np.floor(ys / s).astype(np.int64), np.floor((ys + hs) / s).astype(np.int64)
        ks, ii, jj = [np.arange(len(xs))], [i0], [j0]
        for di, dj in ((1, 0), (0, 1), (1, 1)):
            more = np.flatnonzero((i0 + di <= i1) & (j0 + dj <= j1))
            ks.append(more), ii.append(i0[more] + di), jj.append(j0[more] + dj)
        return by_cell(np.concatenate(ks), np.concatenate(ii), np.concatenate(jj))

    # --- cells -----------------------------------------------------------------------------------
    def _tile(self, layer, cell) -> _Tile:
        key = (layer, *cell)
        tile = self.tiles.get(key)
        if tile is None:
            tile = self.tiles[key] = _Tile(self, key, self._size)
        return tile

    def _rect_cells(self, rect: QRectF) -> tuple:
        s = self._size
        i0, i1 = math.floor(rect.left() / s), math.floor(rect.right() / s)
        j0, j1 = math.floor(rect.top() / s), math.floor(rect.bottom() / s)
        return tuple((i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1))

    def _line_cells(self, line) -> list:
        _k, i, j = segment_cells(np.array([[line.x1(), line.y1(), line.x2(), line.y2()]]), self._size)
        return list(zip(i.tolist(), j.tolist()))

    def _place_box(self, nid, item, rect):
        color = self._color(nid, item)
        key = _key(color)
        self._key[nid] = key
        self._groups.setdefault(key, (color, {}))[1][nid] = rect
        for cell in self._rect_cells(rect):
            tile = self._tile(BOXES, cell)
            tile.boxes[nid] = (key, rect)
            self._changed.add(tile)

    def _unplace_box(self, nid):
        old = self._key.pop(nid, None)
        if old is None:
            return
        rect = self._groups[old][1].pop(nid)
        for cell in self._rect_cells(rect):  # where it was placed
            tile = self.tiles.get((BOXES, *cell))
            if tile is not None:
                tile.boxes.pop(nid, None)
                self._changed.add(tile)

    def _place_edge(self, item):
        line = self._lines[item] = item.line
        changed = self._changed
        for cell in self._line_cells(line):
            tile = self._tile(ARROWS, cell)
            tile.lines[item] = line
            changed.add(tile)

    def _unplace_edge(self, item):
        line = self._lines.pop(item, None)
        if line is None:
            return
        for cell in self._line_cells(line):  # where it was placed
            tile = self.tiles.get((ARROWS, *cell))
            if tile is None:
                continue
            tile.lines.pop(item, None)
            self._changed.add(tile)

    # --- reading the items -------------------------------------------------------------------------
    def _read_all_arrows(self):
        """Every shown arrow read again (most moved: a layout): cells found with numpy."""
        for tile in self.tiles.values():
            if tile.lines:
                tile.lines = {}
                self._changed.add(tile)
        items = [item for item in self.graph_scene.edge_items.values() if item.isVisible()]
        lines = [item.line for item in items]
        self._lines = dict(zip(items, lines))
        if not items:
            return
        ends = np.array([(ln.x1(), ln.y1(), ln.x2(), ln.y2()) for ln in lines], dtype=float)
        for cell, ks in by_cell(*segment_cells(ends, self._size)):
            tile = self._tile(ARROWS, cell)
            tile.lines.update({items[k]: lines[k] for k in ks})
            self._changed.add(tile)

    def _read_box(self, nid):
        item = self.graph_scene.node_items.get(nid)
        if item is None or not item.isVisible():
            self._unplace_box(nid)
            return
        self.boxes_read += 1
        rect = QRectF(item.x(), item.y(), WIDTH, item.height)
        old = self._key.get(nid)
        if old is not None and old == _key(self._color(nid, item)) and self._groups[old][1][nid] == rect:
            return  # drawn as it is (a rename, a value): its tiles stay
        self._unplace_box(nid)
        self._place_box(nid, item, rect)

    def _recolour(self, nid):
        old = self._key.get(nid)
        if old is None:
            return
        rect = self._groups[old][1].pop(nid)
        item = self.graph_scene.node_items[nid]
        color = self._color(nid, item)
        key = self._key[nid] = _key(color)
        self._groups.setdefault(key, (color, {}))[1][nid] = rect
        for cell in self._rect_cells(rect):
            tile = self.tiles[(BOXES, *cell)]
            tile.boxes[nid] = (key, rect)
            self._changed.add(tile)

    def color(self, key: int) -> QColor:
        """The colour of rgba ``key`` (a tile's boxes carry the key)."""
        return self._groups[key][0]

    def _recolour_all(self, nids):
        items = self.graph_scene.node_items
        groups, key_of = self._groups, self._key
        for nid in nids:
            old = key_of.get(nid)
            if old is not None:
                color = self._color(nid, items[nid])
                key = key_of[nid] = _key(color)
                groups.setdefault(key, (color, {}))[1][nid] = groups[old][1].pop(nid)
        for (layer, _i, _j), tile in self.tiles.items():
            if layer == BOXES and tile.boxes:
                tile.boxes = {nid: (key_of[nid], rect) for nid, (_k, rect) in tile.boxes.items()}
                self._changed.add(tile)

    def _color(self, nid, item) -> QColor:
        """As the box paints itself near: selected, stepped, at fault, faded when ignored."""
        if nid in self._selected:
            return style.SELECTED
        if item.current:
            return _CURRENT
        if item.error:
            return style.UNWIRED
        if item.ignored:
            faded = _FADED.get(item.kind)
            if faded is None:
                faded = _FADED[item.kind] = _faded(style.KIND_COLORS[item.kind])
            return faded
        return style.KIND_COLORS[item.kind]

    def _read_arrows(self, nid):
        scene = self.graph_scene
        for edge in scene.edge_index.at(nid):
            item = scene.edge_items.get(edge)
            if item is None:
                continue
            visible = item.isVisible()
            if visible and self._lines.get(item) is item.line:
                continue  # not redrawn since placed (a rename, a value): its tiles stay
            self._unplace_edge(item)
            if visible:
                self._place_edge(item)
