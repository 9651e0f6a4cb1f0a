"""F1 on a selected box: what its Function computes (formula), its local derivative, how the
gradient flows through it (the gate, in the lecture's words), and the lessons that use it.

Everything is plain text: the box's label comes from a file, and a learner's own Function
has a name and formulas of their making."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QPushButton, QVBoxLayout

from graphcore import course, functions

from ..plain_text import plain_label


def facts(op: str) -> dict:
    """The catalogue's words for ``op``: formula, local derivative (None for a source) and gate."""
    f = functions.get(op)
    return {"formula": f.formula, "derivative": None if f.is_source else f.derivative, "gate": f.gate,
            "group": f.group}


class BoxHelp(QDialog):
    open_lesson = Signal(str)

    def __init__(self, parent, label: str, op: str):
        super().__init__(parent)
        self.setObjectName("BoxHelp")
        self.setWindowTitle(f"Help: {op}")
        info = facts(op)
        lay = QVBoxLayout(self)
        title = plain_label(f"{label} — {op}" if label and label != op else op)
        title.setStyleSheet("font-size: 15px; font-weight: 600;")
        lay.addWidget(title)
        form = QFormLayout()
        self.rows = {}
        for key, name in (("formula", "Forward"), ("derivative", "Local derivative"), ("gate", "Gate")):
            if info[key]:
                value = plain_label(info[key])
                value.setWordWrap(True)
                form.addRow(plain_label(name + ":"), value)
                self.rows[key] = info[key]
        if info["derivative"] is None:
            form.addRow(plain_label("Note:"), plain_label("a source box: it makes a Variable; it has no inputs."))
        lay.addLayout(form)
        self.lessons = course.lessons_using(op)
        lay.addWidget(plain_label("Used in the lessons:" if self.lessons else "No lesson of the course uses it."))
        self.lesson_buttons = []
        for lesson in self.lessons:
            b = QPushButton(lesson.title)
            b.setObjectName("BoxHelpLesson")
            b.clicked.connect(lambda checked=False, k=lesson.key: self._open(k))
            lay.addWidget(b)
            self.lesson_buttons.append(b)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _open(self, key: str):
        self.accept()
        self.open_lesson.emit(key)
