"""A Function box on the canvas: op glyph, label, named ports, and its value once evaluated.

The item draws what the model says; its fields are refreshed from the Graph by the scene.
"""
from __future__ import annotations

import functools

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QStyleOptionGraphicsItem

from graphcore import functions as F
from graphcore.feed_rule import COLUMN, NO_DATA, VALUE, input_feed

from ..canvas.overlay import CURRENT_COLOR, DONE_COLOR
from . import style
from .port_item import LOD_HIDDEN, REACH, PortItem, paint_port

WIDTH = 150.0
HEADER = 28.0
ROW = 20.0
FOOTER = 22.0
GLYPH_FONT = QFont("Sans Serif", 12, QFont.Bold)
LABEL_FONT = QFont("Sans Serif", 9, QFont.DemiBold)
PORT_FONT = QFont("Sans Serif", 8)
VALUE_FONT = QFont("Monospace", 8)
VALUE_FONT.setStyleHint(QFont.Monospace)
IGNORED_HINT = "not connected to J — ignored"
HINT_WIDTH = WIDTH - 8
PORT_REACH = 9.0  # how far a hovered port dot reaches beyond the box's side


@functools.lru_cache(maxsize=4)  # once per text: it is asked on every paint
def hint_font(text: str = IGNORED_HINT) -> QFont:
    """The largest small font (8 pt down to 6 pt) in which ``text`` fits the footer whole."""
    for size in (8.0, 7.5, 7.0, 6.5):
        font = QFont("Sans Serif")
        font.setPointSizeF(size)
        if QFontMetricsF(font).horizontalAdvance(text) <= HINT_WIDTH:
            return font
    font = QFont("Sans Serif")
    font.setPointSizeF(6.0)
    return font
IGNORED_OPACITY = 0.45
_FLAGS = QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable
_CACHE = QGraphicsItem.DeviceCoordinateCache


def input_note(node_id: str, column, value, columns) -> str:
    """What feeds an input box, by the engine's rule: its data column when the data set has
    it, else its own value (no data set, or no column named), else the missing column."""
    how, col = input_feed(node_id, column, value, columns)
    if how == COLUMN:
        return f"column {col}"
    if how == VALUE:
        return f"value {style.format_value(value)}"
    if how == NO_DATA:
        return "no data set, no value"
    return f"column {col} missing"


def draw_padlock(painter, centre: QPointF):
    """A small white padlock (shackle and body) centred at ``centre``: the box is locked."""
    painter.save()
    painter.setPen(QPen(QColor("white"), 1.6))
    painter.setBrush(Qt.NoBrush)
    painter.drawArc(QRectF(centre.x() - 3.5, centre.y() - 7, 7, 8), 0, 180 * 16)
    painter.setPen(Qt.NoPen)
    painter.setBrush(QColor("white"))
    painter.drawRoundedRect(QRectF(centre.x() - 5, centre.y() - 2.5, 10, 8), 1.5, 1.5)
    painter.restore()


_NO_PEN = QPen(Qt.NoPen)
_BOUNDS: dict[tuple[float, bool], QRectF] = {}  # (height, badged) → the box's bounds


class NodeItem(QGraphicsRectItem):
    """A box. Its rect is its bounds (never drawn as such: ``paint`` draws the box), so Qt
    reads them in C++: a Python ``boundingRect`` was called into ~3 times per item per repaint,
    ~5 µs each (a repaint of 10,000 boxes and their arrows, ~0.35 s)."""

    # Each box's starting state, read from the class until the box changes it: 10,000 boxes
    # made at once (a paste) set 17 fewer attributes each, ~0.2 µs apiece on a Qt item.
    value_text = ""
    value_hidden = False  # a step-through has not computed this box yet
    is_loss = False
    current = False
    done = False
    _badge = ""
    error = False
    ignored = False  # the cost J does not depend on this box: the engine leaves it out
    data_columns = None  # set by the scene from the document's data set
    _height = HEADER + ROW + FOOTER
    locked = False  # an exercise's locked box: drawn with a padlock (the commands refuse changes)
    hovered: PortItem | None = None  # the port under the pointer
    _tip_made = False
    _shape = None  # the body and the ports' squares, made when first asked
    hidden_value = False  # an exercise's hidden value: "?" until its task is done
    shown_values = None  # the Variables whose numbers the footer shows (scene_sync.show_values)
    inputs_marked = False  # some input is drawn unwired (show_values skips the others)

    def __init__(self, scene, node_id: str):
        super().__init__()
        self.graph_scene = scene
        self.node_id = node_id
        self.setPen(_NO_PEN)  # bounds = rect exactly
        self.setFlags(_FLAGS)  # combined once above: PySide makes a new enum per | and per lookup
        self.setAcceptHoverEvents(True)  # for its ports: lit, a cross cursor and their tooltip
        self.setCacheMode(_CACHE)
        self.setZValue(1)
        self.refresh(new=True)  # sets the ports and the bounds

    # --- model → item ------------------------------------------------------------------
    def refresh(self, new: bool = False):
        """Read the box again from the graph. ``new``: a box just made (no ports yet, in no
        scene, never hovered: nothing to compare, repaint or tell Qt; 10,000 made at once)."""
        g = self.graph_scene.graph
        nid = self.node_id
        self.op = g.op(nid)
        fn = F.get(self.op)
        attrs = g.attrs(nid) if fn.attrs else {}  # fixed ports: nothing to resolve
        self.kind = style.kind_of(self.op, fn.group)
        self.label = g.label(nid)
        self.source_value = g.value(nid)
        self.column = g.column(nid)
        in_names, out_names = fn.input_names(attrs), fn.output_names(attrs)
        if new or [p.name for p in self.inputs] != list(in_names) or [p.name for p in self.outputs] != list(out_names):
            if not new:
                self.prepareGeometryChange()
                self.hovered = None
                self._shape = None
            self.inputs = [PortItem(self, True, i, n, 0.0, HEADER + ROW * (i + 0.5)) for i, n in enumerate(in_names)]
            self.outputs = [PortItem(self, False, i, n, WIDTH, HEADER + ROW * (i + 0.5))
                            for i, n in enumerate(out_names)]
            self._height = HEADER + ROW * self.rows + FOOTER
            self._set_bounds()
        if not new:
            self._set_tooltip()
            self.update()

    def tooltip_text(self) -> str:
        """The hovered port's tip, else what the Function does (and why it is greyed out)."""
        if self.hovered is not None:
            return self.hovered.tip()
        tip = F.describe(self.op)
        return f"{IGNORED_HINT}\n\n{tip}" if self.ignored else tip

    def toolTip(self) -> str:  # noqa: N802 - Qt's name; Python callers read it before any hover set it
        return self.tooltip_text()

    def _set_tooltip(self):
        if self._tip_made:  # Qt's own copy, made when the pointer first comes (10,000 never-hovered boxes: none)
            self.setToolTip(self.tooltip_text())

    @property
    def rows(self) -> int:
        return max(len(self.inputs), len(self.outputs), 1)

    @property
    def height(self) -> float:
        return self._height  # set with the ports: Qt asks for the bounds very often

    def set_value_text(self, text: str):
        if text != self.value_text:
            self.value_text = text
            self.update()

    def set_error(self, flag: bool):
        """Outline the box the last evaluation failed at (repainted only when that changes)."""
        if flag != self.error:
            self.error = flag
            self.update()
            self.graph_scene.overview.touch(self.node_id)  # drawn in the fault colour far out too

    def set_value_hidden(self, hidden: bool):
        if hidden != self.value_hidden:
            self.value_hidden = hidden
            self.update()

    def set_exercise(self, locked: bool, hidden: bool):
        if (locked, hidden) != (self.locked, self.hidden_value):
            self.locked, self.hidden_value = locked, hidden
            self.update()

    def set_ignored(self, flag: bool):
        """Grey the box out, with the hint in its footer and tooltip, while J does not depend on it."""
        if flag != self.ignored:
            self.ignored = flag
            self.setOpacity(IGNORED_OPACITY if flag else 1.0)
            self._set_tooltip()
            self.update()
            self.graph_scene.overview.touch(self.node_id)  # faded far out too

    def set_unwired(self, ports):
        for p in self.inputs:
            p.set_unwired(p.index in ports)

    # --- geometry ----------------------------------------------------------------------
    def _set_bounds(self):
        key = (self._height, bool(self._badge))
        rect = _BOUNDS.get(key)
        if rect is None:  # the port dots stick out; a badge is written under the box
            rect = _BOUNDS[key] = QRectF(-PORT_REACH, -4, WIDTH + 2 * PORT_REACH, self._height + 8 + 18 * key[1])
        self.setRect(rect)  # (copied by Qt: one rect per height serves every box)

    @property
    def badge(self) -> str:
        """The step-through's text under the box (its bounds grow to hold it)."""
        return self._badge

    @badge.setter
    def badge(self, text: str):
        if bool(text) != bool(self._badge):
            self._badge = text
            self._set_bounds()
        self._badge = text

    def shape(self):
        if self._shape is None:
            path = QPainterPath()
            path.addRoundedRect(QRectF(0, 0, WIDTH, self.height), 7, 7)
            for p in self.inputs + self.outputs:  # a port is hit a little beyond the box's side
                path.addRect(QRectF(p.px - REACH, p.py - REACH, 2 * REACH, 2 * REACH))
            path.setFillRule(Qt.WindingFill)
            self._shape = path
        return self._shape

    def port_near(self, pos: QPointF) -> PortItem | None:
        """The port at a point in this box's coordinates, or None."""
        x, y = pos.x(), pos.y()
        for p in self.outputs if x > WIDTH / 2 else self.inputs:
            if p.hit(x, y):
                return p
        return None

    # --- the pointer over its ports ----------------------------------------------------
    def hoverEnterEvent(self, event):
        if not self._tip_made:
            self._tip_made = True
            self._set_tooltip()
        self._hover_port(self.port_near(event.pos()))

    def hoverMoveEvent(self, event):
        self._hover_port(self.port_near(event.pos()))

    def hoverLeaveEvent(self, event):
        self._hover_port(None)

    def _hover_port(self, port):
        if port is self.hovered:
            return
        if self.hovered is not None:
            self.hovered.hover = False
        self.hovered = port
        if port is None:
            self.unsetCursor()
        else:
            port.hover = True
            self.setCursor(Qt.CrossCursor)
        self._set_tooltip()  # the port's own ("input 0: a") while on it
        self.update()

    # No itemChange: Qt would call it into Python ~8 times per box made (flags, z, position,
    # scene) and twice per box selected or shown. Whoever moves a box's item says so
    # (GraphScene.node_item_moved: a drag, scene_sync.place, a refused move put back).

    # --- painting ----------------------------------------------------------------------
    def paint(self, painter, option: QStyleOptionGraphicsItem, widget=None):
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        self._paint_box(painter, lod)
        if lod >= LOD_HIDDEN:  # the ports' dots, over the box (their items only hit-test)
            painter.setRenderHint(painter.RenderHint.Antialiasing)
            for p in self.inputs + self.outputs:
                paint_port(painter, p)

    def _paint_box(self, painter, lod):
        if lod < 0.25:  # zoomed far out: a plain block is all the eye can see (the stepped one in its colour)
            painter.fillRect(QRectF(0, 0, WIDTH, self.height),
                             QColor(CURRENT_COLOR) if self.current else style.KIND_COLORS[self.kind])
            return
        painter.setRenderHint(painter.RenderHint.Antialiasing)
        self._paint_frame(painter)
        if lod < 0.4:
            return
        self._paint_ports(painter)
        self._paint_footer(painter)
        self._paint_marks(painter)

    def _paint_frame(self, painter):
        """The body, its border (selected, stepped or at fault), the coloured header: glyph and label."""
        border = QPen(style.SELECTED, 2.5) if self.isSelected() else QPen(QColor("#B8BEC7"), 1)
        if self.current:
            border = QPen(QColor(CURRENT_COLOR), 4)
        elif self.error:
            border = QPen(style.UNWIRED, 2.5)
        painter.setPen(border)
        painter.setBrush(QBrush(style.BODY))
        painter.drawRoundedRect(QRectF(0, 0, WIDTH, self.height), 7, 7)
        head = QPainterPath()
        head.setFillRule(Qt.WindingFill)
        head.addRoundedRect(QRectF(0, 0, WIDTH, HEADER), 7, 7)
        head.addRect(QRectF(0, HEADER / 2, WIDTH, HEADER / 2))
        painter.fillPath(head.simplified(), style.KIND_COLORS[self.kind])
        painter.setPen(QColor("white"))
        painter.setFont(GLYPH_FONT)
        painter.drawText(QRectF(8, 0, 56, HEADER), Qt.AlignVCenter | Qt.AlignLeft, style.glyph(self.op))
        painter.setFont(LABEL_FONT)
        room = 18 if self.locked else 0
        label = painter.fontMetrics().elidedText(self.label, Qt.ElideRight, int(WIDTH - 70 - room))
        painter.drawText(QRectF(60, 0, WIDTH - 68 - room, HEADER), Qt.AlignVCenter | Qt.AlignRight, label)
        if self.locked:
            draw_padlock(painter, QPointF(WIDTH - 16, HEADER / 2))

    def _paint_ports(self, painter):
        """Port names (an unwired input in orange), or a source's note on what feeds it."""
        painter.setFont(PORT_FONT)
        for p in self.inputs:
            painter.setPen(style.UNWIRED if p.unwired else style.MUTED)
            painter.drawText(QRectF(10, p.y() - ROW / 2, WIDTH / 2 - 10, ROW), Qt.AlignVCenter | Qt.AlignLeft, p.name)
        painter.setPen(style.MUTED)
        note = self.source_note_text()
        for p in self.outputs if not note else ():  # a source's one port needs no name; its note needs the row
            painter.drawText(QRectF(WIDTH / 2, p.y() - ROW / 2, WIDTH / 2 - 10, ROW),
                             Qt.AlignVCenter | Qt.AlignRight, p.name)
        if note:
            note = painter.fontMetrics().elidedText(note, Qt.ElideRight, int(WIDTH - 24))
            painter.drawText(QRectF(10, HEADER, WIDTH - 24, ROW), Qt.AlignVCenter | Qt.AlignLeft, note)

    def _paint_footer(self, painter):
        """The value row: the value (or "?" when hidden), the ignored hint, "J" on the loss."""
        painter.setPen(QPen(QColor("#E3E6EA"), 1))
        y = self.height - FOOTER
        painter.drawLine(QPointF(6, y), QPointF(WIDTH - 6, y))
        if self.ignored:
            painter.setFont(hint_font())
            painter.setPen(style.MUTED)
            hint = painter.fontMetrics().elidedText(IGNORED_HINT, Qt.ElideRight, int(HINT_WIDTH))
            painter.drawText(QRectF(4, y, HINT_WIDTH, FOOTER), Qt.AlignVCenter | Qt.AlignLeft, hint)
        else:
            painter.setFont(VALUE_FONT)
            painter.setPen(style.TEXT)
            text = "?" if self.value_hidden or self.hidden_value else self.value_text or "…"
            painter.drawText(QRectF(8, y, WIDTH - 16, FOOTER), Qt.AlignVCenter | Qt.AlignLeft, text)
        if self.is_loss:
            painter.setPen(QColor("#8F3F5F"))
            painter.drawText(QRectF(8, y, WIDTH - 16, FOOTER), Qt.AlignVCenter | Qt.AlignRight, "J")

    def _paint_marks(self, painter):
        """A task's done tick at the corner, the step-through's badge under the box."""
        if self.done:
            painter.setPen(Qt.NoPen)
            painter.setBrush(QColor(DONE_COLOR))
            painter.drawEllipse(QPointF(WIDTH - 2, 2), 7, 7)
            painter.setPen(QPen(QColor("white"), 2))
            painter.drawLine(QPointF(WIDTH - 5, 2), QPointF(WIDTH - 3, 4.5))
            painter.drawLine(QPointF(WIDTH - 3, 4.5), QPointF(WIDTH + 1.5, -1))
        if self.badge:
            painter.setFont(LABEL_FONT)
            painter.setPen(QColor(CURRENT_COLOR).darker(130))
            painter.drawText(QRectF(0, self.height + 2, WIDTH, 16), Qt.AlignCenter, self.badge)

    def set_data_columns(self, columns):
        """The data set's column names (None: the graph has no data set), to say what feeds an input."""
        if self.op == "input" and columns != self.data_columns:
            self.data_columns = columns
            self.update()

    def source_note_text(self) -> str:
        """What a source box says in its port row ("" for a Function box, which names its ports)."""
        return self._source_note() if not self.inputs and not self.outputs[1:] else ""

    def _source_note(self) -> str:
        if self.op == "input":
            if self.hidden_value and self.source_value is not None:
                return "value ?"
            return input_note(self.node_id, self.column, self.source_value, self.data_columns)
        if self.op == "parameter":
            return "trainable"
        return "fixed"
