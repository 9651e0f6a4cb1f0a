"""The start page: the course as a list of cards, shown in place of the canvas in an empty
window and under Help ▸ Lessons. Each card: the lesson's number and title, its paragraph,
how many of its tasks are done, and a button that opens it."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from ..plain_text import plain_label

INTRO = ("Build a computation graph of Functions, run it forward, step through backprop and watch "
         "gradient descent learn. The course below goes one idea at a time; each lesson opens its "
         "graph and a Lesson panel with tasks that check themselves.")

STYLE = """
QWidget#StartPageBody { background: #F6F7F9; }
QFrame#LessonCard { background: white; border: 1px solid #DDE1E6; border-radius: 6px; }
QLabel#StartPageHeading { font-size: 22px; font-weight: 600; color: #1E2228; }
QLabel#LessonCardTitle { font-size: 15px; font-weight: 600; color: #1E2228; }
QLabel#LessonCardCount { color: #5B6470; }
QLabel#LessonCardDone { color: #1A7F37; font-weight: 600; }
QPushButton#LessonCardOpen { font-weight: 600; }
"""


class LessonCard(QFrame):
    def __init__(self, number: int, lesson, done: int, total: int, parent=None):
        super().__init__(parent)
        self.key = lesson.key
        self.setObjectName("LessonCard")
        lay = QGridLayout(self)
        lay.setContentsMargins(12, 10, 12, 10)
        self.title = plain_label(f"{number}. {lesson.title}")
        self.title.setObjectName("LessonCardTitle")
        self.title.setWordWrap(True)  # a long title wraps rather than widen the page
        self.paragraph = plain_label(lesson.paragraph)
        self.paragraph.setWordWrap(True)
        self.count = plain_label(_count_text(done, total))
        self.count.setObjectName("LessonCardCount" if done < total or not total else "LessonCardDone")
        self.button = QPushButton("Open lesson")
        self.button.setObjectName("LessonCardOpen")
        lay.addWidget(self.title, 0, 0)
        lay.addWidget(self.count, 0, 1, Qt.AlignRight)
        lay.addWidget(self.button, 0, 2, Qt.AlignRight)
        lay.addWidget(self.paragraph, 1, 0, 1, 3)
        lay.setColumnStretch(0, 1)
        lay.setHorizontalSpacing(14)


def _count_text(done: int, total: int) -> str:
    if not total:
        return ""
    tasks = "task" if total == 1 else "tasks"
    if done >= total:
        return "✔ done" if total == 1 else f"✔ all {total} tasks done"
    return f"{done} of {total} {tasks} done"


class StartPage(QWidget):
    open_lesson = Signal(str)   # the lesson's key
    blank = Signal()            # back to the canvas
    tour = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("StartPage")
        self.setStyleSheet(STYLE)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # the cards wrap to the width
        outer.addWidget(scroll)
        body = QWidget()
        body.setObjectName("StartPageBody")
        scroll.setWidget(body)
        centre = QHBoxLayout(body)
        column = QWidget()
        column.setMaximumWidth(820)
        centre.addStretch(1)  # the margins take only what the column (at most 820 px) leaves
        centre.addWidget(column, 1000)
        centre.addStretch(1)
        self.column = QVBoxLayout(column)
        self.column.setContentsMargins(16, 20, 16, 20)
        self.column.setSpacing(10)
        heading = plain_label("Backprop Studio — the course")
        heading.setObjectName("StartPageHeading")
        intro = plain_label(INTRO)
        intro.setWordWrap(True)
        self.column.addWidget(heading)
        self.column.addWidget(intro)
        buttons = QHBoxLayout()
        self.blank_button = QPushButton("Blank canvas")
        self.blank_button.clicked.connect(self.blank.emit)
        self.tour_button = QPushButton("Take the tour")
        self.tour_button.clicked.connect(self.tour.emit)
        buttons.addWidget(self.blank_button)
        buttons.addWidget(self.tour_button)
        buttons.addStretch(1)
        self.column.addLayout(buttons)
        self.problem = plain_label("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #9a3412;")
        self.problem.hide()
        self.column.addWidget(self.problem)
        self.cards: list[LessonCard] = []
        self.column.addStretch(1)

    def show_course(self, lessons, progress, blank_text: str = "Blank canvas"):
        """(Re)build the cards from the installed lessons and the learner's progress."""
        self.blank_button.setText(blank_text)
        for card in self.cards:
            self.column.removeWidget(card)
            card.deleteLater()
        self.cards = []
        at = self.column.count() - 1  # before the stretch
        for i, lesson in enumerate(lessons):
            ids = [rec["id"] for rec in lesson.tasks]
            card = LessonCard(i + 1, lesson, progress.count(lesson.key, ids), len(ids))
            card.button.clicked.connect(lambda checked=False, k=lesson.key: self.open_lesson.emit(k))
            self.column.insertWidget(at + i, card)
            self.cards.append(card)
        self.problem.setText(progress.problem or "")
        self.problem.setVisible(bool(progress.problem))
