"""File ▸ Save as Exercise…: the open graph plus a lesson — title, text, tasks, locked boxes
and hidden values — written as an exercise file (docs/FILE_FORMAT_LESSONS.md).

The dialog checks everything the way the file loader will (``exercise.make_lesson``), so
a file it writes always opens again; a mistake is one line under the fields and the
dialog stays open with everything typed in it.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel, QLineEdit,
                               QMessageBox, QPlainTextEdit, QTableWidget, QTableWidgetItem, QVBoxLayout)

from graphcore import exercise, fileformat
from graphcore.errors import GraphError, one_line
from graphcore.graph import Graph

from .plain_text import safe_text

COLUMNS = ("Box", "Lock", "Hide value")


def starter_tasks(graph: Graph) -> list[dict]:
    """A first task to edit: predict dJ/d(first parameter, else first valued input)."""
    if not graph.meta.get("loss"):
        return []
    sources = graph.parameters() or [n for n in graph.inputs() if graph.value(n) is not None]
    if not sources:
        return []
    return [{"id": "predict", "kind": "predict_gradient", "box": sources[0],
             "text": f"Predict dJ/d{graph.label(sources[0])} before you step"}]


class ExerciseDialog(QDialog):
    def __init__(self, graph: Graph, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Save as Exercise")
        self.setObjectName("exercise_dialog")
        self.graph = graph
        old = exercise.lesson_of(graph)
        self.title = QLineEdit(old.title if old else graph.meta.get("name") or "")
        self.text = QPlainTextEdit(old.text if old else "")
        self.text.setPlaceholderText("What the learner reads (Markdown)")
        tasks = [t.to_record() for t in old.tasks] if old else starter_tasks(graph)
        self.tasks = QPlainTextEdit(json.dumps(tasks, indent=2, ensure_ascii=False))
        self.tasks.setObjectName("exercise_tasks")
        self.boxes = self._box_table(old)
        self.error = QLabel("")
        self.error.setObjectName("exercise_error")
        self.error.setStyleSheet("color: #B42318")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Title", self.title)
        form.addRow("Text", self.text)
        form.addRow("Boxes", self.boxes)
        form.addRow("Tasks (JSON)", self.tasks)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(620, 640)

    def _box_table(self, old) -> QTableWidget:
        nodes = self.graph.nodes()
        table = QTableWidget(len(nodes), len(COLUMNS))
        table.setObjectName("exercise_boxes")
        table.setHorizontalHeaderLabels(COLUMNS)
        table.verticalHeader().setVisible(False)
        for row, nid in enumerate(nodes):
            name = QTableWidgetItem(f"{self.graph.box_name(nid)}  ({self.graph.op(nid)})")
            name.setFlags(Qt.ItemIsEnabled)
            name.setData(Qt.UserRole, nid)
            table.setItem(row, 0, name)
            for col, chosen in ((1, old.locks if old else ()), (2, old.hidden if old else ())):
                box = QTableWidgetItem("")
                box.setFlags(Qt.ItemIsEnabled | Qt.ItemIsUserCheckable)
                box.setCheckState(Qt.Checked if nid in chosen else Qt.Unchecked)
                table.setItem(row, col, box)
        table.resizeColumnsToContents()
        return table

    def chosen(self, col: int) -> list[str]:
        return [self.boxes.item(r, 0).data(Qt.UserRole) for r in range(self.boxes.rowCount())
                if self.boxes.item(r, col).checkState() == Qt.Checked]

    def set_chosen(self, col: int, ids):
        for r in range(self.boxes.rowCount()):
            nid = self.boxes.item(r, 0).data(Qt.UserRole)
            self.boxes.item(r, col).setCheckState(Qt.Checked if nid in set(ids) else Qt.Unchecked)

    def lesson(self) -> exercise.Lesson:
        """The lesson as typed, checked as the loader checks it; GraphError in one line."""
        try:
            tasks = json.loads(self.tasks.toPlainText() or "[]")
        except ValueError as exc:
            raise exercise.ExerciseError(f"the tasks are not valid JSON ({exc})") from None
        if not isinstance(tasks, list):
            raise exercise.ExerciseError("the tasks must be a JSON list: [ {\"kind\": …}, … ]")
        return exercise.make_lesson(self.graph, title=self.title.text(), text=self.text.toPlainText(),
                                    tasks=tasks, locks=self.chosen(1), hidden=self.chosen(2))

    def accept(self):
        try:
            self.lesson()
        except GraphError as exc:
            self.error.setText(safe_text(one_line(exc)))
            return  # stays open with everything typed in it
        super().accept()


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def write_exercise(graph: Graph, lesson: exercise.Lesson, path: str):
    """The graph with its lesson, written atomically; the open graph itself is not changed."""
    copy = graph.copy()
    exercise.set_lesson(copy, lesson)
    fileformat.save(copy, path)


def save_as_exercise(window) -> str | None:
    """The menu action: the dialog, then where to write; returns the path written, or None."""
    graph = window.document.graph
    dialog = ExerciseDialog(graph, window)
    if dialog.exec() != QDialog.Accepted:
        return None
    lesson = dialog.lesson()
    start = os.path.join(os.path.dirname(window.document.path or "") or os.path.expanduser("~"),
                         f"{graph.meta.get('name') or 'exercise'}.exercise.graph.json")
    path, _ = QFileDialog.getSaveFileName(window, "Save exercise as", start, "Graph files (*.json)")
    if not path:
        return None
    if not path.endswith(".json"):
        path += ".exercise.graph.json"
    try:
        write_exercise(graph, lesson, path)
    except (GraphError, OSError) as exc:
        QMessageBox.warning(window, "Cannot save exercise", safe_text(one_line(exc)))
        return None
    counts = [_count(len(lesson.tasks), "task"), _count(len(lesson.locks), "locked box", "locked boxes"),
              _count(len(lesson.hidden), "hidden value")]
    window.show_message(f"Saved exercise {Path(path).name}: {', '.join(counts)}")
    return path
