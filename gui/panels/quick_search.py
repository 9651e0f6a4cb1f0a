"""Quick search: a small searchable list at the cursor (Tab, double-click on the canvas,
typing, or a half-drawn arrow dropped on empty canvas); Enter places the chosen box."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from graphcore import functions as F

from .palette import op_icon


# Other words a learner may type for a Function (the catalogue names only one).
ALIASES = {
    "sigmoid": ("logistic", "sigma", "σ"),
    "neg": ("negate", "minus"),
    "sub": ("subtract", "minus", "difference"),
    "add": ("plus", "sum of two"),
    "mul": ("times", "multiply", "product"),
    "div": ("divide", "quotient"),
    "inv": ("reciprocal", "invert"),
    "square": ("squared",),
    "pow": ("power",),
    "abs": ("absolute",),
    "squared_error": ("mse", "l2"),
    "bce": ("binary cross entropy", "log loss"),
    "constant": ("number", "fixed"),
    "parameter": ("weight", "bias"),
    "input": ("data", "column"),
}


def match_rank(op: str, text: str) -> int | None:
    """How well ``text`` matches ``op``: 0 exact name, 1 name starts with it, 2 name contains it,
    3 an alias contains it, 4 only the description does; None when nothing does. A name beats
    its description, so "sig" is sigmoid, not abs ("sign(x)")."""
    if not text:
        return 0
    if op == text:
        return 0
    if op.startswith(text):
        return 1
    if text in op:
        return 2
    if any(text in alias for alias in ALIASES.get(op, ())):
        return 3
    if text in F.describe(op).lower():
        return 4
    return None


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
        for order, op in enumerate(ops):
            item = QListWidgetItem(op_icon(op), op)
            item.setToolTip(F.describe(op))
            item.setData(Qt.UserRole, order)
            self.list.addItem(item)
        self.edit.textChanged.connect(self._filter)
        self.edit.returnPressed.connect(self.accept_current)
        self.list.itemActivated.connect(lambda item: self.choose(item.text()))
        self.edit.installEventFilter(self)
        self._filter(text)
        self.resize(240, 320)

    def _filter(self, text):
        text = text.strip().lower()
        items = [self.list.takeItem(0) for _ in range(self.list.count())]
        ranks = {id(item): match_rank(item.text(), text) for item in items}
        # Best matches first (ties keep the palette's order), so Enter takes the best one.
        items.sort(key=lambda item: (ranks[id(item)] is None, ranks[id(item)] or 0, item.data(Qt.UserRole)))
        for item in items:
            self.list.addItem(item)
            item.setHidden(ranks[id(item)] is None)
        first = next((item for item in items if not item.isHidden()), None)
        self.list.setCurrentItem(first)

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
