"""The palette: every Function of the catalogue, grouped, with a glyph and a tooltip
(formula and local derivative); filter by typing; drag a Function onto the canvas."""
from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QLineEdit, QMenu, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from graphcore import functions as F

from ..canvas import style
from ..canvas.view import OP_MIME

GROUP_TITLES = {"sources": "Sources", "arithmetic": "Arithmetic", "activations": "Activations",
                "comparisons": "Comparisons", "losses": "Losses", "reductions": "Reductions",
                "multi-output": "Multi-output"}

_ICONS: dict[str, QIcon] = {}


def op_icon(op: str) -> QIcon:
    """A small coloured tile with the Function's glyph (drawn, so there are no image files to ship)."""
    if op not in _ICONS:
        fn = F.get(op)
        pm = QPixmap(44, 28)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.Antialiasing)
        p.setBrush(style.KIND_COLORS[style.kind_of(op, fn.group)])
        p.setPen(Qt.NoPen)
        p.drawRoundedRect(1, 1, 42, 26, 5, 5)
        p.setPen(QColor("white"))
        text = style.glyph(op)
        p.setFont(QFont("Sans Serif", 11 if len(text) <= 3 else 7, QFont.Bold))
        p.drawText(pm.rect(), Qt.AlignCenter, text)
        p.end()
        _ICONS[op] = QIcon(pm)
    return _ICONS[op]


class _Tree(QTreeWidget):
    def startDrag(self, actions):
        item = self.currentItem()
        op = item.data(0, Qt.UserRole) if item else None
        if not op:
            return
        drag = QDrag(self)
        drag.setMimeData(palette_mime(op))
        drag.setPixmap(op_icon(op).pixmap(44, 28))
        drag.exec(Qt.CopyAction)


def palette_mime(op: str) -> QMimeData:
    mime = QMimeData()
    mime.setData(OP_MIME, op.encode())
    mime.setText(op)
    return mime


class PalettePanel(QWidget):
    activated = Signal(str)  # double-click or Enter: place at the centre of the view
    remove_requested = Signal(str)  # "Remove from my library" on a My Functions entry

    def __init__(self, parent=None):
        super().__init__(parent)
        self.filter = QLineEdit(placeholderText="Filter Functions…", clearButtonEnabled=True)
        self.tree = _Tree()
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setIconSize(QSize(44, 28))
        self.tree.setIndentation(10)
        self.tree.setRootIsDecorated(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.filter)
        lay.addWidget(self.tree)
        self.items: dict[str, QTreeWidgetItem] = {}
        self._mine: QTreeWidgetItem | None = None  # "My Functions", made with the first one
        for group in F.GROUPS:
            head = QTreeWidgetItem([GROUP_TITLES.get(group, group)])
            head.setFlags(Qt.ItemIsEnabled)
            f = head.font(0)
            f.setBold(True)
            head.setFont(0, f)
            self.tree.addTopLevelItem(head)
            for op, fn in F.CATALOGUE.items():
                if fn.group != group:
                    continue
                item = QTreeWidgetItem([op])
                item.setIcon(0, op_icon(op))
                item.setData(0, Qt.UserRole, op)
                item.setToolTip(0, F.describe(op))
                item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
                head.addChild(item)
                self.items[op] = item
            head.setExpanded(True)
        self.filter.textChanged.connect(self.apply_filter)
        self.tree.itemActivated.connect(self._activate)
        self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)

    def add_function(self, op: str, tooltip: str, mark: str, verdict: str):
        """A learner's Function under "My Functions", its check's verdict (✔ / ✘) beside its name."""
        if self._mine is None:
            self._mine = QTreeWidgetItem(["My Functions"])
            self._mine.setFlags(Qt.ItemIsEnabled)
            font = self._mine.font(0)
            font.setBold(True)
            self._mine.setFont(0, font)
            self.tree.addTopLevelItem(self._mine)
            self._mine.setExpanded(True)
        item = self.items.get(op)
        if item is None:
            item = QTreeWidgetItem()
            item.setIcon(0, op_icon(op))
            item.setData(0, Qt.UserRole, op)
            item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
            self._mine.addChild(item)
            self.items[op] = item
        item.setText(0, f"{op}  {mark}")
        item.setToolTip(0, f"{tooltip}\n{mark} {verdict}")

    def remove_function(self, op: str):
        """Take a learner's Function off "My Functions" (the group goes when it is empty)."""
        item = self.items.pop(op, None)
        if item is None or self._mine is None:
            return
        self._mine.removeChild(item)
        if self._mine.childCount() == 0:
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(self._mine))
            self._mine = None

    def function_menu(self, op: str) -> QMenu | None:
        """The context menu of a My Functions entry (None for a built-in Function)."""
        item = self.items.get(op)
        if item is None or self._mine is None or item.parent() is not self._mine:
            return None
        menu = QMenu(self)
        menu.setAttribute(Qt.WA_DeleteOnClose)
        act = menu.addAction(f"Remove {op} from my library")
        act.triggered.connect(lambda checked=False: self.remove_requested.emit(op))
        return menu

    def _context_menu(self, pos):
        item = self.tree.itemAt(pos)
        menu = self.function_menu(item.data(0, Qt.UserRole)) if item is not None else None
        if menu is not None:
            menu.popup(self.tree.viewport().mapToGlobal(pos))  # popup, not exec: no modal loop

    def apply_filter(self, text: str):
        text = text.strip().lower()
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            shown = 0
            for j in range(head.childCount()):
                item = head.child(j)
                op = item.data(0, Qt.UserRole)
                hit = not text or text in op or text in F.describe(op).lower()
                item.setHidden(not hit)
                shown += hit
            head.setHidden(shown == 0)

    def visible_ops(self) -> list[str]:
        return [op for op, item in self.items.items() if not item.isHidden() and not item.parent().isHidden()]

    def _activate(self, item, column=0):
        op = item.data(0, Qt.UserRole)
        if op:
            self.activated.emit(op)
