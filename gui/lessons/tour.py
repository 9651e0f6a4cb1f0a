"""Help ▸ Tour: five steps, each dimming the window except the part it explains (the palette,
the canvas, wiring, the step-through, Train) with a callout beside it: Back, Next, Close;
Escape closes, ← and → step (while the tour has the focus). The lit part stays live (the
overlay has a hole there), so the learner can try what the step says."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPainterPath, QPen, QRegion, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ..plain_text import plain_label

CALLOUT_WIDTH = 320


@dataclass(frozen=True)
class TourStep:
    title: str
    text: str
    target: Callable  # window → QRect in the window's coordinates
    prepare: Callable | None = None  # window → None: bring the part into view first


def _widget_rect(win, widget) -> QRect:
    if widget is None or not widget.isVisible():
        return QRect()
    return QRect(widget.mapTo(win, QPoint(0, 0)), widget.size())


def _dock(part: Callable):
    """``part``: window → one of its docks."""
    return lambda win: _widget_rect(win, part(win))


def _raise(part: Callable):
    def prepare(win):
        dock = part(win)
        dock.show()
        dock.raise_()
    return prepare


def _palette(win):
    return win.palette_dock


def _stepper(win):
    return win.stepper_dock


def _train(win):
    return win.training_dock


def _canvas(win) -> QRect:
    return _widget_rect(win, win.view.viewport())


def _an_output_port(win) -> QRect:
    """Around the first box's output port, where a wire starts; the canvas if it has no box."""
    view = win.view
    for item in win.scene.node_items.values():
        if item.outputs:
            p = view.viewport().mapTo(win, view.mapFromScene(item.outputs[0].scenePos()))
            rect = QRect(p.x() - 40, p.y() - 40, 80, 80)
            if _canvas(win).contains(rect.center()):
                return rect
    return _canvas(win)


STEPS = (
    TourStep("The Functions",
             "Every box you can use. Sources (input, parameter, constant) make Variables; the rest "
             "are Functions. Drag one onto the canvas, or double-click it.",
             _dock(_palette), _raise(_palette)),
    TourStep("The canvas",
             "Your computation graph: boxes are Functions, arrows are Variables. Double-click an "
             "empty spot or press Tab to search for a Function; the value on each box updates as "
             "you build.",
             _canvas),
    TourStep("Wiring",
             "Drag from a box's output port (on its right) to another box's input port (on its "
             "left): the arrow carries the value forward and the gradient back. Select a box and "
             "use Graph ▸ Set as Cost J to say what training should minimise.",
             _an_output_port),
    TourStep("Step through backprop",
             "Step ▶ (F10) runs forward one box at a time, then backward: each box multiplies "
             "the upstream derivative by its local derivative and sends the downstream derivative "
             "to its inputs. Quiz mode asks you first.",
             _dock(_stepper), _raise(_stepper)),
    TourStep("Train",
             "Choose an optimizer and a learning rate, then Train (F5): gradient descent moves every "
             "parameter against its gradient, and the Plots show the cost J falling.",
             _dock(_train), _raise(_train)),
)


class Tour(QWidget):
    closed = Signal()

    def __init__(self, win, steps=STEPS):
        super().__init__(win)
        self.setObjectName("Tour")
        self.win = win
        self.steps = steps
        self.index = 0
        self.hole = QRect()
        self.setFocusPolicy(Qt.StrongFocus)
        self.callout = QFrame(self)
        self.callout.setObjectName("TourCallout")
        self.callout.setStyleSheet("QFrame#TourCallout { background: white; border: 2px solid #2F80ED; "
                                   "border-radius: 8px; }")
        self.callout.setFixedWidth(CALLOUT_WIDTH)
        lay = QVBoxLayout(self.callout)
        self.counter = plain_label("")
        self.counter.setStyleSheet("color: #5B6470;")
        self.heading = plain_label("")
        self.heading.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.text = plain_label("")
        self.text.setWordWrap(True)
        buttons = QHBoxLayout()
        self.back_button = QPushButton("Back")
        self.next_button = QPushButton("Next")
        self.close_button = QPushButton("Close")
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.close_button.clicked.connect(self.close)
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        for w in (self.counter, self.heading, self.text):
            lay.addWidget(w)
        lay.addLayout(buttons)
        win.installEventFilter(self)
        # Escape closes the tour wherever the focus is (the lit part is live and may have it)
        self.escape = QShortcut(QKeySequence(Qt.Key_Escape), win, self.close, context=Qt.WindowShortcut)
        # ← → step while the tour has the focus (a button would otherwise move the focus on)
        for key, slot in ((Qt.Key_Right, self.next), (Qt.Key_Left, self.back)):
            QShortcut(QKeySequence(key), self, slot, context=Qt.WidgetWithChildrenShortcut)

    # --- navigation --------------------------------------------------------------------
    def start(self, index: int = 0):
        self.show_step(index)
        self.show()
        self.raise_()
        # after the menu that started the tour has closed and handed the focus back
        QTimer.singleShot(0, self._take_focus)

    def _take_focus(self):
        if self.isVisible():
            self.next_button.setFocus(Qt.OtherFocusReason)

    def show_step(self, index: int):
        self.index = max(0, min(index, len(self.steps) - 1))
        step = self.steps[self.index]
        if step.prepare is not None:
            step.prepare(self.win)
        self.counter.setText(f"Step {self.index + 1} of {len(self.steps)}")
        self.heading.setText(step.title)
        self.text.setText(step.text)
        self.back_button.setEnabled(self.index > 0)
        last = self.index == len(self.steps) - 1
        self.next_button.setText("Done" if last else "Next")
        self._place()

    def next(self):
        if self.index == len(self.steps) - 1:
            self.close()
        else:
            self.show_step(self.index + 1)

    def back(self):
        if self.index > 0:
            self.show_step(self.index - 1)

    def closeEvent(self, event):
        self.win.removeEventFilter(self)
        self.escape.setEnabled(False)
        self.escape.deleteLater()
        super().closeEvent(event)
        self.closed.emit()


    def eventFilter(self, obj, event):
        if obj is self.win and event.type() == QEvent.Resize and self.isVisible():
            self._place()
        return False

    # --- geometry and painting -----------------------------------------------------------
    def _place(self):
        # A new mask alone does not repaint what it newly covers or uncovers (seen under X11):
        # hidden and shown again, the overlay and everything under it are painted afresh.
        shown, focused = self.isVisible(), self.focusWidget()
        if shown:
            self.hide()
        self.setGeometry(self.win.rect())
        self.hole = self.steps[self.index].target(self.win).intersected(self.rect())
        region = QRegion(self.rect())
        if not self.hole.isEmpty():
            region = region.subtracted(QRegion(self.hole))
        self.setMask(region)
        self.callout.adjustSize()
        self.callout.move(self._callout_position())
        if shown:
            self.show()
            self.raise_()
            if focused is not None and focused.isEnabled():
                focused.setFocus(Qt.OtherFocusReason)
            else:
                self.next_button.setFocus(Qt.OtherFocusReason)

    def _callout_position(self) -> QPoint:
        """Beside the lit part on the side with the most room, kept inside the window."""
        w, h = self.callout.width(), self.callout.sizeHint().height()
        area = self.rect()
        hole = self.hole if not self.hole.isEmpty() else QRect(area.center(), area.center())
        room = {"right": area.right() - hole.right(), "left": hole.left(), "below": area.bottom() - hole.bottom(),
                "above": hole.top()}
        side = max(room, key=room.get)
        gap = 16
        if side == "right":
            x, y = hole.right() + gap, hole.top()
        elif side == "left":
            x, y = hole.left() - gap - w, hole.top()
        elif side == "below":
            x, y = hole.left(), hole.bottom() + gap
        else:
            x, y = hole.left(), hole.top() - gap - h
        x = max(8, min(x, area.width() - w - 8))
        y = max(8, min(y, area.height() - h - 8))
        return QPoint(x, y)

    def paintEvent(self, event):
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        dim = QPainterPath()
        dim.addRect(self.rect())
        if not self.hole.isEmpty():
            cut = QPainterPath()
            cut.addRect(self.hole.adjusted(-1, -1, 1, 1))
            dim = dim.subtracted(cut)
        p.fillPath(dim, QColor(20, 24, 32, 150))
        if not self.hole.isEmpty():
            p.setPen(QPen(QColor("#2F80ED"), 3))
            p.drawRect(self.hole.adjusted(-3, -3, 2, 2))
        p.end()
