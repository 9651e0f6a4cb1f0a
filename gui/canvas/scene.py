"""GraphScene: draws the Graph and follows its events; the overlay is painted on top.

Items are built from the model (one pass on ``reset``, so a loaded file of 1,000 boxes
is built at once) and never hold state the model does not hold. Mouse gestures that
change the graph (wiring, moving, editing in place) end in a command pushed on the
document's undo stack; the model's events then update the items.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene, QGraphicsTextItem

from graphcore.exercise import lesson_of
from graphcore.graph import VariableRef

from .. import commands as C
from . import style
from .edge_item import EdgeItem, curve
from .inline_editor import InlineEditor
from .node_item import FOOTER, HEADER, WIDTH, NodeItem
from .overlay import BACKWARD_COLOR, FORWARD_COLOR, CanvasOverlay, masked_overlay
from .port_item import PortItem
from .scene_events import follow
from .scene_sync import EdgeIndex, one_selection_signal, show_values

GRID = 20.0


class GraphScene(QGraphicsScene):
    message = Signal(str)                       # a refusal or hint for the status bar
    quick_search_requested = Signal(QPointF, object)  # scene position, the half-drawn wire's port (or None)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.graph = document.graph
        self.setItemIndexMethod(QGraphicsScene.NoIndex)  # boxes move a lot; an index costs more than it saves
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: dict = {}
        self.edge_index = EdgeIndex()  # box → its arrows' items: a move redraws those only
        self.overlay: CanvasOverlay | None = None
        self.snap = True
        self.inline_editor = None
        self.last_refusal: str | None = None
        self._wire = None
        self._press_positions: dict = {}
        self._tip = None
        self._tip_timer = QTimer(self, singleShot=True, interval=3500)
        self._tip_timer.timeout.connect(self._hide_tip)
        self.graph.subscribe(self._on_event)
        document.evaluated.connect(self.show_evaluation)
        document.evaluation_failed.connect(self.show_failure)
        from .group_view import GroupLayer
        self.group_layer = GroupLayer(self)  # collapsed groups, frames, drill-in; follows the graph after us
        self.rebuild()
        self.group_layer.refresh()

    # --- model → items -------------------------------------------------------------------
    def _on_event(self, ev):
        follow(self, ev)

    def rebuild(self):
        if self._wire is not None:
            self._cancel_wire()
        with one_selection_signal(self):
            for item in list(self.node_items.values()) + list(self.edge_items.values()):
                self.removeItem(item)
        self.node_items.clear()
        self.edge_items.clear()
        self.edge_index.clear()
        for nid in self.graph.nodes():
            self._add_node_item(nid)
        for e in self.graph.edges():
            self._add_edge_item(e)
        self._refresh_loss_marks()
        if self.overlay is not None:
            self.set_overlay(self.overlay)

    def _add_node_item(self, nid):
        item = NodeItem(self, nid)
        pos = self.graph.layout.get(nid)
        if pos is None:
            pos = (40.0 * (len(self.node_items) % 10), 40.0 * (len(self.node_items) // 10))
        item.setPos(*pos)
        self.node_items[nid] = item
        self.addItem(item)

    def _add_edge_item(self, e):
        src, dst = self.node_items.get(e.src), self.node_items.get(e.dst)
        if src is None or dst is None or e.out >= len(src.outputs) or e.port >= len(dst.inputs):
            return
        item = EdgeItem(e, src.outputs[e.out], dst.inputs[e.port])
        self.edge_items[e] = item
        self.edge_index.add(e)
        self.addItem(item)

    def remove_edge_item(self, e):
        item = self.edge_items.pop(e, None)
        self.edge_index.discard(e)
        if item is not None:
            self.removeItem(item)

    def _rewire_node(self, nid):
        for e in list(self.edge_index.at(nid)):
            self.remove_edge_item(e)
        for e in self.graph.arrows_at(nid):
            if e not in self.edge_items:
                self._add_edge_item(e)

    def _refresh_loss_marks(self):
        loss = VariableRef.box_of(self.graph.meta.get("loss"))
        for nid, item in self.node_items.items():
            if item.is_loss != (nid == loss):
                item.is_loss = nid == loss
                item.update()

    def node_item_moved(self, item: NodeItem):
        nid = item.node_id
        self.group_layer.box_moved(nid)
        for e in self.edge_index.at(nid):
            self.edge_items[e].update_path()

    # --- evaluation ------------------------------------------------------------------------
    def _show_feeds(self):
        """Each input box says whether a data column or its own value feeds it."""
        try:
            ds = self.document.dataset()
        except Exception:  # noqa: BLE001 - a data set that cannot be read: the evaluation says why
            ds = None
        columns = None if ds is None else frozenset(ds.columns)
        for item in self.node_items.values():
            item.set_data_columns(columns)

    def sync_positions(self):
        """Every box back where the model has it (after a refused move: the items had moved)."""
        for nid, item in self.node_items.items():
            if nid in self.graph.layout and (item.x(), item.y()) != self.graph.layout[nid]:
                item.setPos(*self.graph.layout[nid])

    def _hidden_now(self) -> set[str]:
        lesson = lesson_of(self.graph)
        return lesson.hidden_now() if lesson is not None else set()

    def _show_exercise(self) -> set[str]:
        """Padlocks on an exercise's locked boxes; returns the boxes whose values show "?"."""
        lesson = lesson_of(self.graph)
        locks, hidden = (lesson.locks, lesson.hidden_now()) if lesson is not None else (set(), set())
        for nid, item in self.node_items.items():
            item.set_exercise(nid in locks, nid in hidden)
        return hidden

    def show_evaluation(self, ev):
        self._show_feeds()
        show_values(self, ev, self._show_exercise())  # scene_sync: only boxes whose numbers are new

    def show_failure(self, message, nodes):
        self._show_feeds()
        self._show_exercise()
        for nid, item in self.node_items.items():
            item.set_error(nid in nodes)
            item.set_ignored(False)
            item.set_value_text("")
            item.shown_values = None

    # --- overlay ---------------------------------------------------------------------------
    def set_overlay(self, overlay: CanvasOverlay | None):
        """Paint a step-through or training overlay over the graph (None clears it)."""
        self.overlay = overlay
        ov = masked_overlay(overlay or CanvasOverlay(legend=False), self._hidden_now())  # an exercise's "?"s
        for nid, item in self.node_items.items():
            item.set_value_hidden(ov.known_values is not None and nid not in ov.known_values)
            badge = ov.badges.get(nid, "")
            current = nid == ov.current or nid in ov.highlight
            if (item.current, item.done, item.badge) != (current, nid in ov.done, badge):
                item.prepareGeometryChange()
                item.current, item.done, item.badge = current, nid in ov.done, badge
                item.update()
        for e, item in self.edge_items.items():
            item.set_labels(str(ov.edge_values.get(e, "")), str(ov.edge_grads.get(e, "")),
                            float(ov.edge_widths.get(e, 1.0)))
        self.group_layer.show_overlay(ov)  # a step inside a collapsed group lights the group up
        self.update()

    def drawForeground(self, painter, rect):
        if self.overlay is None or not self.overlay.legend:
            return
        painter.save()
        painter.resetTransform()
        painter.setFont(QFont("Sans Serif", 9))
        # Bottom right of the view: a graph flows left to right from its inputs, so this corner
        # is the one least often covering a box.
        viewport = painter.device()
        w, h = (viewport.width(), viewport.height()) if viewport is not None else (400, 300)
        box = QRectF(w - 186, h - 58, 174, 46)
        painter.setPen(QPen(QColor("#C9CED6"), 1))
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRoundedRect(box, 6, 6)
        for i, (color, text) in enumerate(((FORWARD_COLOR, "forward value  v"), (BACKWARD_COLOR, "gradient  dJ/dv"))):
            y = box.top() + 13 + 20 * i
            painter.setPen(QPen(QColor(color), 3))
            painter.drawLine(QPointF(box.left() + 10, y), QPointF(box.left() + 34, y))
            painter.setPen(QColor(color))
            painter.drawText(QRectF(box.left() + 40, y - 9, 130, 18), Qt.AlignVCenter | Qt.AlignLeft, text)
        painter.restore()

    # --- messages at the cursor ------------------------------------------------------------
    def show_tip(self, text: str, pos: QPointF):
        """Say at the cursor why the model refused a change (and in the status bar)."""
        self.last_refusal = text
        self._hide_tip()
        tip = QGraphicsTextItem()
        tip.setHtml(f"<div style='background:#FFF4E5; color:#7A2E00; padding:4px;'>{_escape(text)}</div>")
        tip.setTextWidth(320)
        tip.setPos(pos + QPointF(14, 10))
        tip.setZValue(200)
        self.addItem(tip)
        self._tip = tip
        self._tip_timer.start()
        self.message.emit(text)

    def _hide_tip(self):
        if self._tip is not None:
            self.removeItem(self._tip)
            self._tip = None

    # --- mouse: wiring and moving -----------------------------------------------------------
    def port_at(self, pos: QPointF) -> PortItem | None:
        for item in self.items(pos):
            if isinstance(item, PortItem):
                return item
        return None

    def node_at(self, pos: QPointF) -> NodeItem | None:
        for item in self.items(pos):
            if isinstance(item, NodeItem):
                return item
            if isinstance(item, PortItem):
                return item.node_item
        return None

    def mousePressEvent(self, event):
        if event.button() == Qt.LeftButton:
            port = self.port_at(event.scenePos())
            if port is not None:
                self._start_wire(port)
                event.accept()
                return
        super().mousePressEvent(event)
        if event.button() == Qt.LeftButton:
            self._press_positions = {nid: (it.x(), it.y()) for nid, it in self.node_items.items() if it.isSelected()}
            self.group_layer.note_press()

    def mouseMoveEvent(self, event):
        if self._wire is not None:
            self._drag_wire(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._wire is not None and event.button() == Qt.LeftButton:
            self._finish_wire(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.LeftButton and (self._press_positions or self.group_layer.pressed):
            self._commit_move()

    def mouseDoubleClickEvent(self, event):
        node = self.node_at(event.scenePos())
        if node is None:
            if self.itemAt(event.scenePos(), self.views()[0].transform() if self.views() else _identity()) is None:
                self.quick_search_requested.emit(event.scenePos(), None)
                event.accept()
                return
        elif node.op in ("parameter", "constant", "input"):
            self.edit_value(node.node_id)
            event.accept()
            return
        else:
            self.edit_label(node.node_id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def _commit_move(self):
        old = {nid: p for nid, p in self._press_positions.items() if nid in self.node_items}
        self._press_positions = {}
        new = {}
        for nid in old:
            it = self.node_items[nid]
            x, y = it.x(), it.y()
            if (x, y) == old[nid]:
                continue  # a click, not a move: an off-grid box from a file stays where it is
            if self.snap:
                x, y = round(x / GRID) * GRID, round(y / GRID) * GRID
            new[nid] = (x, y)
        moved = {n for n in new if old[n] != new[n]}
        group_old, group_new = self.group_layer.take_moves(GRID if self.snap else None)  # collapsed groups dragged
        if not moved and not group_new:
            for n in new:  # dropped back where it started after snapping
                self.node_items[n].setPos(*old[n])
            return
        before = {n: self.graph.layout.get(n, old[n]) for n in moved} | group_old
        self.document.push(C.MoveCommand(self.graph, before, {n: new[n] for n in moved} | group_new))

    def _start_wire(self, port: PortItem):
        detach = None
        if port.is_input:
            detach = self.graph.edge_into(port.node_id, port.index)
        if detach is not None:  # pick the arrow up by its input end: the output end stays put
            src_item = self.node_items[detach.src]
            anchor = src_item.outputs[detach.out]
            self.edge_items[detach].setVisible(False)
            self._wire = _Wire(anchor, detach)
        else:
            self._wire = _Wire(port, None)
        self._wire.path_item = QGraphicsPathItem()
        self._wire.path_item.setPen(QPen(style.EDGE_HOVER, 2, Qt.DashLine))
        self._wire.path_item.setZValue(50)
        self.addItem(self._wire.path_item)
        self._drag_wire(port.scenePos())

    def _drag_wire(self, pos):
        w = self._wire
        a = w.anchor.scenePos()
        w.path_item.setPath(curve(pos, a) if w.anchor.is_input else curve(a, pos))
        target = self.port_at(pos)
        if target is not w.hover_target:
            if w.hover_target is not None:
                w.hover_target.hover = False
                w.hover_target.update()
            if target is not None and target.is_input != w.anchor.is_input:
                target.hover = True
                target.update()
                w.hover_target = target
            else:
                w.hover_target = None

    def _cancel_wire(self):
        w, self._wire = self._wire, None
        if w.path_item is not None:
            self.removeItem(w.path_item)
        if w.hover_target is not None:
            w.hover_target.hover = False
        if w.detach is not None and w.detach in self.edge_items:
            self.edge_items[w.detach].setVisible(True)
        return w

    def _finish_wire(self, pos):
        w = self._cancel_wire()
        target = self.port_at(pos)
        if target is None:
            if w.detach is not None:
                self.document.push(C.DisconnectCommand(self.graph, w.detach))
            else:
                self.quick_search_requested.emit(pos, w.anchor)
            return
        if target is w.anchor:
            return  # a click on a port, not a drag
        if target.is_input == w.anchor.is_input:
            both = "inputs" if target.is_input else "outputs"
            self.show_tip(f"no arrow: both ports are {both}; an arrow joins an output port (right side "
                          f"of a box) to an input port (left side)", pos)
            return
        out_port, in_port = (target, w.anchor) if w.anchor.is_input else (w.anchor, target)
        if w.detach is not None and (in_port.node_id, in_port.index) == (w.detach.dst, w.detach.port):
            return  # put back where it was
        error = self.connect_ports(out_port, in_port, detach=w.detach)
        if error:
            self.show_tip(error, pos)

    def connect_ports(self, out_port: PortItem, in_port: PortItem, detach=None) -> str | None:
        cmd = C.ConnectCommand(self.graph, out_port.node_id, in_port.node_id, in_port.index, out_port.index,
                               detach=detach)
        return self.document.push(cmd)

    # --- editing in place -----------------------------------------------------------------
    def _open_editor(self, nid, text, y, on_commit):
        if self.inline_editor is not None:
            self.inline_editor.close_editor()
        item = self.node_items[nid]
        editor = InlineEditor(text, on_commit, WIDTH - 8)
        self.addItem(editor)
        editor.setPos(item.pos() + QPointF(4, y))
        self.inline_editor = editor
        editor.line.setFocus()
        self.setFocusItem(editor)
        return editor

    def edit_value(self, nid):
        """Double-click on a parameter, constant or input: type its value."""
        v = self.graph.value(nid)
        item = self.node_items[nid]

        def commit(text):
            text = text.strip()
            if not text and self.graph.op(nid) == "input":
                value = None
            else:
                try:
                    value = float(text)
                except ValueError:
                    self.show_tip(f"'{text}' is not a number", item.scenePos())
                    return
            if value != self.graph.value(nid):
                err = self.document.push(C.SetValueCommand(self.graph, nid, value))
                if err:
                    self.show_tip(err, item.scenePos())
        return self._open_editor(nid, "" if v is None else repr(v), item.height - FOOTER - 2, commit)

    def edit_label(self, nid):
        """F2 or double-click on a Function box: type its label."""
        def commit(text):
            if text.strip() != self.graph.label(nid) and text.strip() != (self.graph.node(nid).get("label") or ""):
                self.document.push(C.RenameCommand(self.graph, nid, text.strip()))
        return self._open_editor(nid, self.graph.label(nid), 2, commit)

    def selected_nodes(self) -> list[str]:
        """Selected boxes, with every box of a selected collapsed group (it stands for them)."""
        ids = [nid for nid, it in self.node_items.items() if it.isSelected()]
        inner = self.group_layer.selected_members()
        return list(dict.fromkeys(ids + inner)) if inner else ids

    def selected_edges(self) -> list:
        return [e for e, it in self.edge_items.items() if it.isSelected()]

    def items_rect(self) -> QRectF:
        rect = self.group_layer.items_rect()
        for it in self.node_items.values():
            if it.isVisible():  # boxes inside a collapsed group or outside the group drilled into: not shown
                rect = rect.united(it.sceneBoundingRect())
        return rect


class _Wire:
    """A half-drawn arrow: its fixed end, the arrow being re-plugged (if any) and the port under the cursor."""

    def __init__(self, anchor, detach):
        self.anchor = anchor
        self.detach = detach
        self.path_item = None
        self.hover_target = None


def _escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _identity():
    from PySide6.QtGui import QTransform
    return QTransform()


__all__ = ["GraphScene", "GRID", "HEADER"]
