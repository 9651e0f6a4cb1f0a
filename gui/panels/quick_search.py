"""Quick search: a small searchable list at the cursor (Tab, double-click on the canvas,
typing, or a half-drawn arrow dropped on empty canvas); Enter places the chosen box."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from graphcore import functions as F

from .palette import op_icon


def compatible_ops(wire_from_output: bool | None) -> list[str]:
    """Functions that can take a half-drawn arrow: ones with an input for an arrow leaving
    an output, ones with an output for an arrow pulled from an input."""
    ops = []
    for op, fn in F.CATALOGUE.items():
        attrs = fn.resolve_attrs({"exponent": 2.0} if op == "pow" else {})
        if wire_from_output is True and fn.n_inputs(attrs) == 0:
            continue
        if wire_from_output is False and fn.n_outputs(attrs) == 0:
            continue
        ops.append(op)
    return ops


class QuickSearch(QFrame):
    chosen = Signal(str)

    def __init__(self, ops: list[str], text: str = "", parent=None):
        super().__init__(parent, Qt.Popup)
        self.setFrameShape(QFrame.StyledPanel)
        self.setObjectName("QuickSearch")
        self.edit = QLineEdit(text, placeholderText="Search Functions…")
        self.list = QListWidget()
        self.list.setMinimumHeight(260)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.edit)
        lay.addWidget(self.list)
        for op in ops:
            item = QListWidgetItem(op_icon(op), op)
            item.setToolTip(F.describe(op))
            self.list.addItem(item)
        self.edit.textChanged.connect(self._filter)
        self.edit.returnPressed.connect(self.accept_current)
        self.list.itemActivated.connect(lambda item: self.choose(item.text()))
        self.edit.installEventFilter(self)
        self._filter(text)
        self.resize(240, 320)

    def _filter(self, text):
        text = text.strip().lower()
        first = None
        for i in range(self.list.count()):
            item = self.list.item(i)
            hide = bool(text) and text not in item.text() and text not in F.describe(item.text()).lower()
            item.setHidden(hide)
            if not hide and first is None:
                first = item
        # An exact name wins over the first partial match.
        exact = self.list.findItems(text, Qt.MatchExactly)
        self.list.setCurrentItem(exact[0] if exact else first)

    def shown(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count()) if not self.list.item(i).isHidden()]

    def eventFilter(self, obj, event):
        if event.type() == event.Type.KeyPress and event.key() in (Qt.Key_Down, Qt.Key_Up):
            row = self.list.currentRow()
            step = 1 if event.key() == Qt.Key_Down else -1
            while 0 <= row + step < self.list.count():
                row += step
                if not self.list.item(row).isHidden():
                    self.list.setCurrentRow(row)
                    break
            return True
        return super().eventFilter(obj, event)

    def accept_current(self):
        item = self.list.currentItem()
        if item is not None and not item.isHidden():
            self.choose(item.text())

    def choose(self, op: str):
        self.close()
        self.chosen.emit(op)
