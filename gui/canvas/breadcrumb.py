"""The breadcrumb bar over the canvas while the learner is inside a group:
"xor network ▸ layer 1 ▸ neuron 1.3" — a click on a crumb goes back out to it."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton


class Breadcrumb(QFrame):
    def __init__(self, view, layer, root_name):
        super().__init__(view)
        self.setObjectName("GroupBreadcrumb")
        self.layer, self.root_name = layer, root_name
        self.setStyleSheet("#GroupBreadcrumb { background: rgba(255,255,255,235); border: 1px solid #C9CED6;"
                           " border-radius: 6px; } QToolButton { border: none; padding: 2px 4px; color: #2F5FAF; }"
                           " QToolButton:hover { text-decoration: underline; } QLabel { color: #1E2228; }")
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(6, 3, 8, 3)
        self.row.setSpacing(2)
        self.buttons: list[QToolButton] = []
        layer.focus_changed.connect(self.update_path)
        self.move(10, 10)
        self.update_path()

    def update_path(self):
        while self.row.count():
            w = self.row.takeAt(0).widget()
            if w is not None:
                w.hide()  # gone now: deleteLater leaves it painted until the next turn of the loop
                w.deleteLater()
        self.buttons = []
        path = self.layer.path()
        self.setVisible(bool(path))
        if not path:
            return
        crumbs = [(self.root_name() or "graph", None)] + [(g, g) for g in path]
        for i, (text, target) in enumerate(crumbs):
            if i:
                self.row.addWidget(QLabel("▸"))
            if i == len(crumbs) - 1:
                label = QLabel(text)
                label.setTextFormat(Qt.PlainText)  # a group's name is the learner's text, never markup
                font = label.font()
                font.setBold(True)
                label.setFont(font)
                self.row.addWidget(label)
                continue
            button = QToolButton(self)
            button.setText(text)
            button.setToolTip("Go back out to here (Esc: one level out)")
            button.clicked.connect(lambda checked=False, t=target: self.layer.set_focus(t))
            self.row.addWidget(button)
            self.buttons.append(button)
        for i in range(self.row.count()):  # shown now, not on the next turn of the event loop: sized below
            self.row.itemAt(i).widget().show()
        self.row.activate()
        self.resize(self.sizeHint())  # adjustSize() keeps a stale size while the crumbs are replaced
        self.raise_()

