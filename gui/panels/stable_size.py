"""Panels whose text never resizes their dock.

A plain QLabel asks for the width of its longest line (and a wrapped one for the height of
its text), so a long message or a row of training figures pushes the dock wider or taller,
and QMainWindow keeps that size (and saves it). These labels ask for nothing: one line cut
with "…", or a fixed number of wrapped lines; the whole text is in the tooltip.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy

from ..plain_text import safe_text


class ElidedLabel(QLabel):
    """One line, as wide as the layout gives it; a longer text ends in "…"."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(parent)
        self._full = ""
        self.setTextFormat(Qt.PlainText)  # user text (labels, file names) is shown as text
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.setText(text)

    def setText(self, text: str):
        self._full = text
        self.setToolTip(safe_text(text))
        self._elide()

    def text(self) -> str:
        return self._full

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(0, super().sizeHint().height())

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._elide()

    def _elide(self):
        width = max(self.contentsRect().width(), 1)
        super().setText(self.fontMetrics().elidedText(self._full, Qt.ElideRight, width))


class MessageLabel(QLabel):
    """Wrapped text in a fixed height of ``lines`` lines (reserved only while there is text)."""

    def __init__(self, lines: int = 3, parent=None):
        super().__init__(parent)
        self.lines = lines
        self.setTextFormat(Qt.PlainText)  # user text (labels, file names) is shown as text
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.setText("")

    def setText(self, text: str):
        super().setText(text)
        self.setToolTip(safe_text(text) if text else "")
        m = self.contentsMargins()
        self.setFixedHeight(self.lines * self.fontMetrics().lineSpacing() + m.top() + m.bottom() + 2 if text else 0)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.maximumHeight())

    def sizeHint(self) -> QSize:
        return QSize(0, self.maximumHeight())


def scrolling(widget) -> QScrollArea:
    """A panel in a scroll area: a short dock scrolls instead of squashing its fields, and
    whatever the panel shows (a message, the quiz) never makes the dock itself grow."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # fit the column's width; scroll only down
    area.setMinimumWidth(widget.minimumSizeHint().width() + area.verticalScrollBar().sizeHint().width())
    return area
