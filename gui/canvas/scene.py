"""GraphScene: draws the Graph and follows its events; the overlay is painted on top.

Items are built from the model (one pass on ``reset``, so a loaded file of 1,000 boxes
is built at once) and never hold state the model does not hold. The gestures that change
the graph (wiring, moving, editing in place) are interaction objects
(gui/canvas/interactions): the scene hands the active one its events; each ends in a
command pushed on the document's undo stack, and the model's events then update the items.
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsScene, QGraphicsTextItem

from graphcore.exercise import lesson_of
from graphcore.graph import VariableRef

from .edge_item import EdgeItem
from .lazy_items import NodeItems, behind_collapsed, catch_up
from .interactions import (GRID, Interaction, connect_ends, double_click, edit_label, edit_value, node_at,
                           port_at, press_gesture)
from .node_item import HEADER, NodeItem
from .overview import OVERVIEW_MIN_BOXES, Overview
from .overlay import BACKWARD_COLOR, FORWARD_COLOR, CanvasOverlay, masked_overlay
from .scene_events import follow
from .scene_sync import EdgeIndex, forget_shown, gc_paused, items_to_show, one_selection_signal, show_values



class GraphScene(QGraphicsScene):
    message = Signal(str)                       # a refusal or hint for the status bar
    quick_search_requested = Signal(QPointF, object)  # scene position, the half-drawn wire's port (or None)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.graph = document.graph
        self.setItemIndexMethod(QGraphicsScene.NoIndex)  # boxes move a lot; an index costs more than it saves
        self.node_items = NodeItems(self.build_deferred)  # boxes behind a collapsed group: built when needed
        self.edge_items: dict = {}
        self.pending_edges: set = set()  # arrows with an end on a box not built yet (gui/canvas/lazy_items)
        self.failed_at: frozenset = frozenset()  # the boxes the last evaluation failed at (None failed: empty)
        self.edge_index = EdgeIndex()  # box → its arrows' items: a move redraws those only
        self.overlay: CanvasOverlay | None = None
        self.snap = True
        self.inline_editor = None  # the open InlineEditor, while an EditInPlace gesture runs
        self.interaction: Interaction | None = None  # the gesture under way
        self.last_refusal: str | None = None
        self._tip = None
        self._tip_timer = QTimer(self, singleShot=True, interval=3500)
        self._tip_timer.timeout.connect(self._hide_tip)
        self._selected_ids = None  # selected boxes' ids, kept until the selection changes
        self._selected_arrows = None  # and the selected arrows' Edges
        self._selected_items = None  # Qt's list of them
        self._loss_mark = None  # the box drawn as the cost J
        self.overview = Overview(self)  # big graphs zoomed far out: its tiles draw them all
        self.addItem(self.overview)
        # The boxes and arrows are children of two layer items, not top-level items: Qt sorts its
        # top-level items at each item added or removed and again at the next paint (24,000 at
        # 10,000 boxes, ~8 ms an edit); a layer's children keep their order (one z each).
        self.arrow_layer, self.box_layer = _layer(self, 0.0), _layer(self, 1.0)
        self.selectionChanged.connect(self._selection_changed)  # first: the window's followers read the cache
        self.graph.subscribe(self._on_event)
        document.evaluated.connect(self.show_evaluation)
        document.evaluation_failed.connect(self.show_failure)
        from .group_view import GroupLayer
        self.group_layer = GroupLayer(self)  # collapsed groups, frames, drill-in; follows the graph after us
        self.rebuild()
        self.group_layer.refresh()

    # --- model → items -------------------------------------------------------------------
    def _on_event(self, ev):
        self._selected_ids = self._selected_arrows = self._selected_items = None
        follow(self, ev)
        self.overview.catch_up(full=False)  # the tiles this change touched draw at the coming repaint

    def _selection_changed(self):
        self._selected_ids = self._selected_arrows = self._selected_items = None
        self.overview.selection_changed()
        self.overview.catch_up(full=False)

    def rebuild(self):
        gc.unfreeze()  # the previous graph's items may be collected again
        if self.interaction is not None and not self.interaction.survives_rebuild:
            self.interaction.cancel()  # its port items are about to go
        with one_selection_signal(self):
            for item in list(self.node_items.values()) + list(self.edge_items.values()):
                self.removeItem(item)
        self.node_items.clear()
        self.edge_items.clear()
        self.edge_index.clear()
        self.pending_edges.clear()
        self.node_items.deferred = deferred = behind_collapsed(self.group_layer)
        with gc_paused():
            self._build_all(deferred)
        self.refresh_loss_marks()
        if self.overlay is not None:
            self.set_overlay(self.overlay)
        self.overview.touch()
        self.overview.follow_zoom(self.overview.zoom)  # the number of boxes may cross its threshold
        if len(self.node_items) >= OVERVIEW_MIN_BOXES:
            # Tens of thousands of long-lived items: left in the collector's generations, every
            # full collection walks them all (~0.3 s at 10,000 boxes, at any edit's allocations).
            gc.freeze()

    def _build_all(self, deferred: set):
        """Every box's item (but the ``deferred``) and every arrow's, made as ``add_node_item``
        and ``add_edge_item`` make them, in one pass: the loss box looked up once, each arrow's
        ends from the positions just given (no scene point asked of Qt), the overview told
        once after (a rebuild has it read every box again)."""
        graph, items, add, overview = self.graph, self.node_items, self.addItem, self.overview
        loss, layout, far = VariableRef.box_of(graph.meta.get("loss")), graph.layout, overview.on
        placed = {}
        for nid in graph.nodes():
            if nid in deferred:
                continue
            item = NodeItem(self, nid)
            if nid == loss:
                item.is_loss = True
            pos = layout.get(nid)
            if pos is None:
                pos = (40.0 * (len(items) % 10), 40.0 * (len(items) // 10))
            item.setPos(*pos)
            items[nid], placed[nid] = item, pos
            if far:
                overview.item_added(item)
            add(item)
        edge_items, index = self.edge_items, self.edge_index
        for e in graph.edges():
            src, dst = items.get(e.src), items.get(e.dst)
            if (src is None and e.src in deferred) or (dst is None and e.dst in deferred):
                self.pending_edges.add(e)  # the group layer draws it once it has two ends to go to
                continue
            if src is None or dst is None or e.out >= len(src.outputs) or e.port >= len(dst.inputs):
                continue
            a, b = src.outputs[e.out], dst.inputs[e.port]
            (ax, ay), (bx, by) = placed[e.src], placed[e.dst]
            item = edge_items[e] = EdgeItem(e, a, b, (ax + a.px, ay + a.py, bx + b.px, by + b.py))
            index.add(e)
            if far:
                overview.item_added(item)
            add(item)

    def add_node_item(self, nid):
        self.node_items.deferred.discard(nid)
        item = NodeItem(self, nid)
        item.is_loss = nid == VariableRef.box_of(self.graph.meta.get("loss"))
        pos = self.graph.layout.get(nid)
        if pos is None:
            pos = (40.0 * (len(self.node_items) % 10), 40.0 * (len(self.node_items) // 10))
        item.setPos(*pos)
        self.node_items[nid] = item
        self.overview.item_added(item)
        self.overview.touch(nid)
        item.setParentItem(self.box_layer)  # into the scene, under the arrows' layer's z order

    def add_edge_item(self, e):
        src, dst = self.node_items.get(e.src), self.node_items.get(e.dst)
        if (src is None and e.src in self.node_items.deferred) or (dst is None and e.dst in self.node_items.deferred):
            self.pending_edges.add(e)  # the group layer draws it once it has two ends to go to
            return
        if src is None or dst is None or e.out >= len(src.outputs) or e.port >= len(dst.inputs):
            return
        item = EdgeItem(e, src.outputs[e.out], dst.inputs[e.port])
        self.edge_items[e] = item
        self.edge_index.add(e)
        self.overview.item_added(item)
        self.overview.touch(e.dst)
        item.setParentItem(self.arrow_layer)

    def remove_node_item(self, nid):
        item = self.node_items.pop(nid, None)
        if item is not None:
            self.overview.touch(nid)
            self.removeItem(item)

    def remove_edge_item(self, e):
        self.pending_edges.discard(e)
        item = self.edge_items.pop(e, None)
        self.edge_index.discard(e)
        self.overview.touch(e.dst)
        if item is not None:
            self.overview.arrow_removed(item)
            self.removeItem(item)

    def build_deferred(self, nids) -> dict:
        """Items for boxes deferred behind a collapsed group, shown as the others are."""
        made = {}
        for nid in nids:
            if nid in self.graph and nid not in self.node_items:
                self.add_node_item(nid)
                made[nid] = self.node_items[nid]
            self.node_items.deferred.discard(nid)
        catch_up(self, made)
        return made

    def adopt_edge(self, e, src_port, dst_port):
        """A pending arrow drawn between the ends the group layer found for it."""
        self.pending_edges.discard(e)
        item = EdgeItem(e, src_port, dst_port)
        self.edge_items[e] = item
        self.edge_index.add(e)
        self.overview.item_added(item)  # far out the tiles draw it, not its own paint too
        self.overview.touch(e.dst)
        item.setParentItem(self.arrow_layer)
        return item

    def rewire_node(self, nid):
        for e in list(self.edge_index.at(nid)):
            self.remove_edge_item(e)
        for e in self.graph.arrows_at(nid):
            if e not in self.edge_items:
                self.add_edge_item(e)

    def refresh_loss_marks(self):
        """The cost J's box is marked; only the boxes losing or gaining the mark are touched
        (a new item is marked as it is made: add_node_item)."""
        loss = VariableRef.box_of(self.graph.meta.get("loss"))
        for nid in {self._loss_mark, loss} - {None}:
            item = self.node_items.get(nid)
            if item is not None and item.is_loss != (nid == loss):
                item.is_loss = nid == loss
                item.update()
        self._loss_mark = loss

    def node_item_moved(self, item: NodeItem):
        nid = item.node_id
        self.overview.touch(nid)
        self.group_layer.box_moved(nid)
        for e in self.edge_index.at(nid):
            self.edge_items[e].update_path()

    # --- evaluation ------------------------------------------------------------------------
    def show_feeds(self, items=None):
        """Each input box (of ``items``; None: all) says whether a data column or its own value feeds it."""
        try:
            ds = self.document.dataset()
        except Exception:  # noqa: BLE001 - a data set that cannot be read: the evaluation says why
            ds = None
        columns = None if ds is None else frozenset(ds.columns)
        for item in (self.node_items if items is None else items).values():
            item.set_data_columns(columns)

    def sync_positions(self):
        """Every box back where the model has it (after a refused move: the items had moved)."""
        for nid, item in self.node_items.items():
            if nid in self.graph.layout and (item.x(), item.y()) != self.graph.layout[nid]:
                item.setPos(*self.graph.layout[nid])
                self.node_item_moved(item)

    def _hidden_now(self) -> set[str]:
        lesson = lesson_of(self.graph)
        return lesson.hidden_now() if lesson is not None else set()

    def show_exercise(self, items=None) -> set[str]:
        """Padlocks on an exercise's locked boxes (of ``items``; None: all); returns the boxes
        whose values show "?"."""
        lesson = lesson_of(self.graph)
        locks, hidden = (lesson.locks, lesson.hidden_now()) if lesson is not None else (set(), set())
        for nid, item in (self.node_items if items is None else items).items():
            item.set_exercise(nid in locks, nid in hidden)
        return hidden

    def show_evaluation(self, ev):
        self.failed_at = frozenset()
        lesson = lesson_of(self.graph)
        items = items_to_show(self, ev, lesson.hidden_now() if lesson is not None else set())
        self.show_feeds(items)
        show_values(self, ev, self.show_exercise(items), items)  # scene_sync: only boxes whose numbers are new
        self.overview.catch_up(full=False)

    def show_failure(self, message, nodes):
        self.failed_at = frozenset(nodes)  # a box built later (a group opened) is marked too
        forget_shown(self)
        self.show_feeds()
        self.show_exercise()
        for nid, item in self.node_items.items():
            item.set_error(nid in nodes)
            item.set_ignored(False)
            item.set_value_text("")
            item.shown_values = None
        self.overview.catch_up(full=False)

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
                self.overview.touch(nid)  # the stepped box is drawn in its colour there too
        for e, item in self.edge_items.items():
            item.set_labels(str(ov.edge_values.get(e, "")), str(ov.edge_grads.get(e, "")),
                            float(ov.edge_widths.get(e, 1.0)))
        self.group_layer.show_overlay(ov)  # a step inside a collapsed group lights the group up
        self.overview.catch_up(full=False)
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

    # --- gestures: the active interaction gets each event first (gui/canvas/interactions) ----
    def begin(self, interaction: Interaction) -> Interaction:
        """Make ``interaction`` the active gesture (cancelling one still under way)."""
        if self.interaction is not None and self.interaction is not interaction:
            self.interaction.cancel()
        self.interaction = interaction
        return interaction

    def interaction_ended(self, interaction: Interaction):
        if self.interaction is interaction:
            self.interaction = None

    def default_mouse_press(self, event):
        super().mousePressEvent(event)

    def default_mouse_release(self, event):
        super().mouseReleaseEvent(event)

    def mousePressEvent(self, event):
        active = self.interaction
        if active is not None and active.mouse_press(event):
            return
        if self.interaction is None:  # none under way, or the one under way ended on this press
            gesture = press_gesture(self, event)
            if gesture is not None and self.begin(gesture).mouse_press(event):
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if self.interaction is not None and self.interaction.mouse_move(event):
            return
        super().mouseMoveEvent(event)
        if self.mouseGrabberItem() is not None:
            self._follow_drag()

    def _follow_drag(self):
        """Qt has just dragged the selected items: the boxes' arrows and frames follow them."""
        for item in self.selectedItems():
            if isinstance(item, NodeItem):
                self.node_item_moved(item)

    def mouseReleaseEvent(self, event):
        if self.interaction is not None and self.interaction.mouse_release(event):
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event):
        if double_click(self, event):
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event):
        if self.interaction is not None and self.interaction.key_press(event):
            return
        super().keyPressEvent(event)

    def port_at(self, pos: QPointF):
        """The wiring end under a point: a box's port or a collapsed group's port."""
        return port_at(self, pos)

    def node_at(self, pos: QPointF) -> NodeItem | None:
        return node_at(self, pos)

    def connect_ports(self, out_port, in_port, detach=None) -> str | None:
        """Wire an output end to an input end (box or collapsed-group ports): one undo step."""
        return connect_ends(self, out_port, in_port, detach=detach)

    def edit_value(self, nid):
        """Double-click on a parameter, constant or input: type its value."""
        return edit_value(self, nid)

    def edit_label(self, nid):
        """F2 or double-click on a Function box: type its label."""
        return edit_label(self, nid)

    def selected_nodes(self) -> list[str]:
        """Selected boxes, with every box of a selected collapsed group (it stands for them)."""
        if self._selected_ids is None:  # asked by several followers per selection change: one pass
            self._selected_ids = _in_order(self.node_items, self._picked()[0], lambda it: it.node_id)
        ids = list(self._selected_ids)
        inner = self.group_layer.selected_members()
        return list(dict.fromkeys(ids + inner)) if inner else ids

    def selected_edges(self) -> list:
        if self._selected_arrows is None:
            self._selected_arrows = _in_order(self.edge_items, self._picked()[1], lambda it: it.edge)
        return list(self._selected_arrows)

    def _picked(self) -> tuple[list, list]:
        """The selected box and arrow items, as Qt lists them: one Python ``isSelected`` call per
        item was 20,000 calls per selection change at 10,000 boxes."""
        if self._selected_items is None:
            nodes, edges = [], []
            for it in self.selectedItems():
                kind = type(it)
                if kind is NodeItem:
                    nodes.append(it)
                elif kind is EdgeItem:
                    edges.append(it)
            self._selected_items = (nodes, edges)
        return self._selected_items

    def items_rect(self) -> QRectF:
        rect = self.group_layer.items_rect()
        for it in self.node_items.values():
            if it.isVisible():  # boxes inside a collapsed group or outside the group drilled into: not shown
                rect = rect.united(it.sceneBoundingRect())
        return rect


def _layer(scene, z: float) -> QGraphicsRectItem:
    """An empty item holding boxes or arrows (no contents, never under the pointer)."""
    layer = QGraphicsRectItem()
    layer.setFlag(QGraphicsItem.ItemHasNoContents, True)
    layer.setPen(Qt.NoPen)
    layer.setZValue(z)
    layer.setAcceptedMouseButtons(Qt.NoButton)
    scene.addItem(layer)
    return layer


def _escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["GraphScene", "GRID", "HEADER"]


def _in_order(items: dict, picked: list, key) -> list:
    """The picked items' keys in ``items``' order (the order the scene made them in)."""
    if picked and len(picked) == len(items):
        return list(items)  # every item selected (Select All): no item looked up
    chosen = {key(it) for it in picked if items.get(key(it)) is it}  # a stale item is not one of ours
    if len(chosen) <= 1:
        return list(chosen)
    return [k for k in items if k in chosen]
