"""Edit a box's value or label in place: a line edit floated over the box."""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGraphicsProxyWidget, QLineEdit


class _Line(QLineEdit):
    cancelled = Signal()

    def keyPressEvent(self, event):
        if event.key() == Qt.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)


class InlineEditor(QGraphicsProxyWidget):
    """Calls ``on_commit(text)`` once, on Enter or when focus leaves; Escape cancels.

    Enter, Escape and focus-out all arrive while Qt is still delivering the line edit's own
    key or focus event; removing the proxy from the scene right then leaves Qt holding a
    dangling item (a segfault with real X input). So closing only marks the editor closed
    and detaches it from the scene's bookkeeping; the removal runs on the next turn of the
    event loop."""

    def __init__(self, text: str, on_commit, width: float, on_close=None):
        super().__init__()
        self.line = _Line(text)
        self.line.selectAll()
        self.line.setFixedWidth(int(width))
        self.line.setStyleSheet("QLineEdit { border: 2px solid #2F80ED; border-radius: 3px; padding: 1px 3px;"
                                " background: white; color: #1E2228; }")
        self.setWidget(self.line)
        self.setZValue(100)
        self._on_commit = on_commit
        self._on_close = on_close  # the scene's EditInPlace gesture ends with the editor
        self._closed = False
        self.line.returnPressed.connect(self.commit)
        self.line.editingFinished.connect(self.commit)
        self.line.cancelled.connect(self.close_editor)

    def commit(self):
        if self._closed:
            return
        text = self.line.text()
        self.close_editor()
        self._on_commit(text)

    def close_editor(self):
        if self._closed:
            return
        self._closed = True
        scene = self.scene()
        if scene is not None and scene.inline_editor is self:
            scene.inline_editor = None
        if self._on_close is not None:
            self._on_close()
        # The proxy as context: if it is destroyed first (window closed), the timer never fires.
        QTimer.singleShot(0, self, self._dispose)

    def _dispose(self):
        if not shiboken6.isValid(self):
            return
        scene = self.scene()
        if scene is not None:
            scene.removeItem(self)
        self.deleteLater()
