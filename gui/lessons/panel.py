"""The Lesson panel: the lesson's text (our Markdown, rendered) above its tasks, each marked
done or not yet, with an answer box for a prediction.

The Markdown is the course's own (assets/lessons/); a task's wording may come from an
exercise file, so it is only ever shown as plain text.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLineEdit, QPushButton, QScrollArea, QSplitter,
                               QTextBrowser, QVBoxLayout, QWidget)

from ..plain_text import plain_label

DONE, NOT_YET = "✔ done", "○ not yet"
NO_LESSON = ("No lesson is open.\n\nHelp ▸ Lessons lists the course: open one and its text and "
             "tasks appear here.")


def parse_answer(text: str) -> float | None:
    """A learner's typed number ("6", "−0.5", "1,5", "3e-2"); None when it is not one."""
    text = text.strip().replace("−", "-").replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def without_heading(markdown: str) -> str:
    """The Markdown without its first line when that is a level-1 heading."""
    first, _, rest = markdown.lstrip().partition("\n")
    return rest.lstrip("\n") if first.startswith("# ") else markdown


class TaskRow(QFrame):
    """One task: its state, its wording, the checker's one line, and for a prediction an
    answer box (Enter or Check grades it)."""
    answered = Signal(str, float)

    def __init__(self, task, parent=None):
        super().__init__(parent)
        self.task = task
        self.setObjectName("LessonTask")
        self.setFrameShape(QFrame.StyledPanel)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(2)
        top = QHBoxLayout()
        self.state = plain_label(NOT_YET)
        self.state.setObjectName("LessonTaskState")
        self.state.setMinimumWidth(70)
        self.text = plain_label(task.text)
        self.text.setWordWrap(True)
        top.addWidget(self.state, 0, Qt.AlignTop)
        top.addWidget(self.text, 1)
        lay.addLayout(top)
        self.answer = self.check_button = None
        if task.kind == "predict_gradient":
            row = QHBoxLayout()
            self.answer = QLineEdit()
            self.answer.setPlaceholderText("your answer, e.g. 6")
            self.answer.setMaxLength(40)
            self.answer.returnPressed.connect(self._submit)
            self.check_button = QPushButton("Check")
            self.check_button.clicked.connect(self._submit)
            row.addWidget(self.answer, 1)
            row.addWidget(self.check_button)
            lay.addLayout(row)
        self.detail = plain_label("")
        self.detail.setObjectName("LessonTaskDetail")
        self.detail.setWordWrap(True)
        self.detail.setStyleSheet("color: #555;")
        lay.addWidget(self.detail)
        self.done = False

    def _submit(self):
        value = parse_answer(self.answer.text())
        if value is None:
            self.detail.setText(f"“{self.answer.text().strip()[:40]}” is not a number: type one, e.g. 6 or -0.25")
            return
        self.detail.setText("checking…")
        self.answered.emit(self.task.id, value)

    def show_state(self, done: bool, detail: str | None = None):
        self.done = done
        self.state.setText(DONE if done else NOT_YET)
        self.state.setStyleSheet("color: #1a7f37; font-weight: bold;" if done else "color: #666;")
        if detail is not None:
            self.detail.setText(detail)


class LessonPanel(QWidget):
    answered = Signal(str, float)   # task id, the learner's prediction
    show_course = Signal()          # "All lessons"
    next_lesson = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("LessonPanel")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.title = plain_label("")
        self.title.setObjectName("LessonTitle")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 15px; font-weight: bold;")
        lay.addWidget(self.title)
        split = QSplitter(Qt.Vertical)
        self.text = QTextBrowser()
        self.text.setObjectName("LessonText")
        self.text.setOpenLinks(False)  # our text has no links to follow; nothing is fetched
        split.addWidget(self.text)
        tasks = QWidget()
        self.task_layout = QVBoxLayout(tasks)
        self.task_layout.setContentsMargins(0, 0, 0, 0)
        self.tasks_heading = plain_label("Tasks")
        self.tasks_heading.setStyleSheet("font-weight: bold;")
        self.task_layout.addWidget(self.tasks_heading)
        self.task_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(tasks)
        split.addWidget(scroll)
        split.setSizes([360, 240])
        lay.addWidget(split, 1)
        buttons = QHBoxLayout()
        self.course_button = QPushButton("All lessons")
        self.course_button.clicked.connect(self.show_course.emit)
        self.next_button = QPushButton("Next lesson ▶")
        self.next_button.clicked.connect(self.next_lesson.emit)
        buttons.addWidget(self.course_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        lay.addLayout(buttons)
        self.rows: dict[str, TaskRow] = {}
        self.clear()

    def clear(self):
        self.title.setText("Lesson")
        self.text.setPlainText(NO_LESSON)
        self._set_rows([])
        self.next_button.setVisible(False)

    def show_lesson(self, title: str, markdown: str, tasks, done: set, has_next: bool, text_is_ours: bool = True):
        """``text_is_ours``: the course's Markdown is rendered; an exercise file's text is
        shown as plain text (a file may hold anything)."""
        self.title.setText(title)
        if text_is_ours:
            self.text.setMarkdown(without_heading(markdown))  # the title above says it already
        else:
            self.text.setPlainText(markdown)
        self._set_rows(tasks)
        for tid, row in self.rows.items():
            row.show_state(tid in done)
        self._count()
        self.next_button.setVisible(has_next)

    def _set_rows(self, tasks):
        for row in self.rows.values():
            self.task_layout.removeWidget(row)
            row.deleteLater()
        self.rows = {}
        for i, task in enumerate(tasks):
            row = TaskRow(task)
            row.answered.connect(self.answered.emit)
            self.task_layout.insertWidget(1 + i, row)
            self.rows[task.id] = row
        self.tasks_heading.setVisible(bool(tasks))
        self._count()

    def show_results(self, results: dict, done: set):
        for tid, row in self.rows.items():
            result = results.get(tid)
            row.show_state(tid in done, None if result is None else result.detail)
        self._count()

    def _count(self):
        n = sum(row.done for row in self.rows.values())
        self.tasks_heading.setText(f"Tasks: {n} of {len(self.rows)} done" if self.rows else "Tasks")
