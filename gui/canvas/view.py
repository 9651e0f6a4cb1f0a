"""GraphView: the canvas widget — zoom around the cursor, pan, rubber band, drops, quick search keys."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QCursor, QPainter, QPen
from PySide6.QtWidgets import QApplication, QFrame, QGraphicsView

from . import style

OP_MIME = "application/x-backprop-studio-op"
MIN_ZOOM, MAX_ZOOM = 0.05, 4.0
FIT_ROOM = 50000.0  # canvas kept around a graph bigger than the first ±50,000 (scene units)


class GraphView(QGraphicsView):
    op_dropped = Signal(str, QPointF)           # a Function dragged from the palette, at a scene position
    quick_search_requested = Signal(QPointF, str)  # scene position, text typed so far
    background_menu_requested = Signal(QPointF, QPoint)  # right-click on the empty canvas: scene, screen

    def __init__(self, scene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setOptimizationFlags(QGraphicsView.DontSavePainterState)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.IntersectsItemShape)
        self.setAcceptDrops(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setSceneRect(QRectF(-50000, -50000, 100000, 100000))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self._pan_from = None
        self._space = False
        self._autofit = False
        self.last_click: QPointF | None = None  # scene point of the last press: where the learner points

    # --- zoom and pan -----------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def wheelEvent(self, event):
        self._autofit = False
        factor = 1.0015 ** event.angleDelta().y()
        target = self._bounded(self.zoom * factor)
        # Anchored at the wheel event's own position (not Qt's last mouse-move point, which a
        # touchpad or a wheel turned before any move leaves stale): that scene point stays put.
        at = event.position().toPoint()
        before = self.mapToScene(at)
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.NoAnchor)
        self.scale(target / self.zoom, target / self.zoom)
        self.setTransformationAnchor(anchor)
        after = self.mapToScene(at)
        self.translate_center(before.x() - after.x(), before.y() - after.y())
        self._zoom_changed()
        event.accept()

    def zoom_by(self, factor: float):
        """View ▸ Zoom In/Out, kept within the zoom limits."""
        self._autofit = False
        target = self._bounded(self.zoom * factor)
        self.scale(target / self.zoom, target / self.zoom)
        self._zoom_changed()

    def _bounded(self, zoom: float) -> float:
        """``zoom`` within the limits; below MIN_ZOOM already (a big graph fitted: ~0.003 at
        10,000 boxes) the floor is the zoom itself: a step out never zooms in, a step in is a step."""
        return max(min(MIN_ZOOM, self.zoom), min(MAX_ZOOM, zoom))

    def _zoom_changed(self):
        """Far out on a big graph, one overview item draws the boxes (gui/canvas/overview.py)."""
        overview = getattr(self.scene(), "overview", None)
        if overview is not None:
            overview.follow_zoom(self.zoom)

    def fit(self):
        """Fit every box in view (F). Until the learner zooms or pans, the view fits again when
        it changes size: a file opened before the window is laid out must not stay tiny."""
        self._autofit = True
        self._fit_now()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if self._autofit:
            self._fit_now()

    def _fit_now(self):
        self._fit_rect()
        self._zoom_changed()

    def _fit_rect(self):
        rect = self.scene().items_rect()
        if rect.isNull():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        # The canvas (±50,000) grows to hold a bigger graph (10,000 boxes span ~130,000), with
        # room around it as wide as the fitted view shows: else the view could neither centre it
        # nor scroll to its ends, and a zoom at its edge drifted off the cursor.
        room = max(FIT_ROOM, rect.width(), rect.height())
        self.setSceneRect(self.sceneRect().united(rect.adjusted(-room, -room, room, room)))
        self.fitInView(rect.adjusted(-60, -60, 60, 60), Qt.KeepAspectRatio)
        if self.zoom > 1.25:
            self.resetTransform()
            self.scale(1.25, 1.25)
            self.centerOn(rect.center())

    def mousePressEvent(self, event):
        self.last_click = self.mapToScene(event.position().toPoint())
        if event.button() == Qt.MiddleButton or (event.button() == Qt.LeftButton and self._space):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.pan(delta.x(), delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event):
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().setCursor(Qt.OpenHandCursor if self._space else Qt.ArrowCursor)
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def pan(self, dx: float, dy: float):
        """Move the view by a distance in screen pixels."""
        self._autofit = False
        z = self.zoom
        self.translate_center(-dx / z, -dy / z)

    def translate_center(self, dx, dy):
        c = self.mapToScene(self.viewport().rect().center())
        self.centerOn(c + QPointF(dx, dy))

    def keyPressEvent(self, event):
        scene = self.scene()
        gesture = scene.interaction  # a wire being drawn: Escape is its own
        if scene.inline_editor is not None or scene.focusItem() is not None or (gesture and gesture.wants_keys):
            super().keyPressEvent(event)
            return
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.OpenHandCursor)
            return
        layer = getattr(scene, "group_layer", None)  # groups: Enter opens the one selected, Esc goes out
        if layer is not None and event.key() in (Qt.Key_Return, Qt.Key_Enter) and layer.open_selected():
            return
        if layer is not None and event.key() == Qt.Key_Escape and layer.focus is not None:
            layer.go_out()
            return
        if event.key() == Qt.Key_Tab:
            self.quick_search_requested.emit(self.cursor_scene_pos(), "")
            return
        text = event.text()
        if text and text.isalpha() and not event.modifiers() & (Qt.ControlModifier | Qt.AltModifier):
            self.quick_search_requested.emit(self.cursor_scene_pos(), text)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event):
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().setCursor(Qt.ArrowCursor)
            return
        super().keyReleaseEvent(event)

    def focusNextPrevChild(self, forward):
        return False  # Tab belongs to the quick search, not to focus traversal

    def cursor_scene_pos(self) -> QPointF:
        p = self.viewport().mapFromGlobal(self.cursor().pos())
        if not self.viewport().rect().contains(p):
            p = self.viewport().rect().center()
        return self.mapToScene(p)

    def visible_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def drop_point(self, pointer: QPoint | None = None) -> QPointF:
        """Where a piece inserted from a menu goes: under the mouse if it is on the canvas (the
        menu opened by its key), else where the learner last clicked the canvas if that is
        still in view, else the middle of the view. ``pointer``: a screen point (default: the mouse)."""
        vp = self.viewport()
        pointer = QCursor.pos() if pointer is None else pointer
        if QApplication.widgetAt(pointer) is vp:
            return self.mapToScene(vp.mapFromGlobal(pointer))
        visible = self.visible_rect()
        if self.last_click is not None and visible.contains(self.last_click):
            return QPointF(self.last_click)
        return visible.center()

    def contextMenuEvent(self, event):
        super().contextMenuEvent(event)  # a group's menu first
        if not event.isAccepted() and self.itemAt(event.pos()) is None:
            self.background_menu_requested.emit(self.mapToScene(event.pos()), event.globalPos())
            event.accept()

    # --- drops from the palette ------------------------------------------------------
    def dragEnterEvent(self, event):
        if event.mimeData().hasFormat(OP_MIME):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event):
        if event.mimeData().hasFormat(OP_MIME):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event):
        if event.mimeData().hasFormat(OP_MIME):
            op = bytes(event.mimeData().data(OP_MIME)).decode()
            self.op_dropped.emit(op, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()
        else:
            super().dropEvent(event)

    # --- background grid ---------------------------------------------------------------
    def drawBackground(self, painter, rect):
        overview = getattr(self.scene(), "overview", None)
        if overview is not None:
            overview.catch_up()  # before the items draw: the far-out tiles a change touched draw anew
        painter.fillRect(rect, style.CANVAS)
        if self.zoom < 0.3:
            return
        step = 20.0
        left, top = int(rect.left() // step) * step, int(rect.top() // step) * step
        lines, major = [], []
        x = left
        while x < rect.right():
            (major if int(round(x / step)) % 5 == 0 else lines).append((x, True))
            x += step
        y = top
        while y < rect.bottom():
            (major if int(round(y / step)) % 5 == 0 else lines).append((y, False))
            y += step
        for group, color in ((lines, style.GRID), (major, style.GRID_MAJOR)):
            painter.setPen(QPen(color, 0))
            for v, vertical in group:
                if vertical:
                    painter.drawLine(QPointF(v, rect.top()), QPointF(v, rect.bottom()))
                else:
                    painter.drawLine(QPointF(rect.left(), v), QPointF(rect.right(), v))
