"""The course inside the window: the start page in place of the canvas, the Lesson dock,
Help ▸ Lessons / Tour / Help on the selected box (F1). ``install_lessons(window)`` sets
returns the LessonController, which the window keeps as ``window.lessons``."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMessageBox, QStackedWidget

from graphcore import course
from graphcore.errors import GraphError, one_line

from ..plain_text import safe_text
from .checker import LessonChecker
from .panel import LessonPanel
from .progress import Progress
from .start_page import StartPage


class LessonController(QObject):
    def __init__(self, win):
        super().__init__(win)
        self.win = win
        self.doc = win.document
        self.current: course.CourseLesson | None = None  # a lesson of the course
        self.exercise = None        # or an exercise file's lesson (graphcore.exercise.Lesson)
        self.key: str | None = None  # progress is kept under it
        self.tasks: list = []
        self.tour = None
        self._opening = False
        self._set_aside: list = []  # the docks the start page hid
        self._in_front: list = []
        win.installEventFilter(self)
        from ..crash import data_dir
        self.progress = Progress(data_dir())
        self.panel = LessonPanel()
        self.dock = win.add_dock("Lesson", self.panel, Qt.RightDockWidgetArea)
        self.start_page = StartPage()
        self.stack = QStackedWidget()
        self.stack.setObjectName("CentreStack")
        view = win.takeCentralWidget()  # the canvas keeps its place, with the start page behind it
        self.stack.addWidget(view)
        self.stack.addWidget(self.start_page)
        win.setCentralWidget(self.stack)
        view.setFocus()  # inside a stack the canvas is no longer first in line: keys (Tab, Delete) go to it
        self.checker = LessonChecker(lambda: self.doc.graph, self)
        self._raise_later = QTimer(self, singleShot=True, interval=0)
        self._raise_later.timeout.connect(self._raise_dock_now)
        self._connect()

    def _connect(self):
        self.start_page.open_lesson.connect(self.open_lesson)
        self.start_page.blank.connect(self.show_canvas)
        self.start_page.tour.connect(self.start_tour)
        self.panel.show_course.connect(self.show_start_page)
        self.panel.next_lesson.connect(self.open_next)
        self.panel.answered.connect(self._answered)
        self.checker.checked.connect(self._show_results)
        self.doc.changed.connect(self._graph_changed)
        self.doc.file_changed.connect(self._file_changed)

    # --- the start page ----------------------------------------------------------------
    def show_start_page(self):
        blank = "Blank canvas" if len(self.doc.graph) == 0 else "Back to your graph"
        self.start_page.show_course(course.lessons(), self.progress, blank)
        self.stack.setCurrentWidget(self.start_page)
        self._make_room()
        if self.progress.problem:
            self.win.show_message(self.progress.problem, 15000)

    def show_canvas(self):
        self.stack.setCurrentWidget(self.win.view)
        self.win.view.setFocus()
        self._give_room_back()

    def _make_room(self):
        """The panels under the canvas (Plots, step-through, …) have nothing to show yet: they
        step aside while the start page is up, and come back with the canvas."""
        if self._set_aside:
            return
        docks = [d for d in self.win.findChildren(QDockWidget)
                 if self.win.dockWidgetArea(d) == Qt.BottomDockWidgetArea]
        # not closed by the learner (isHidden: also right before the window is first shown)
        self._set_aside = [d for d in docks if d is not None and not d.isFloating() and not d.isHidden()]
        self._in_front = [d for d in self._set_aside if not d.visibleRegion().isEmpty()]  # the front tab
        for dock in self._set_aside:
            dock.hide()

    def _give_room_back(self):
        docks, self._set_aside = self._set_aside, []
        for dock in docks:
            dock.show()
        for dock in self._in_front:
            dock.raise_()

    def eventFilter(self, obj, event):
        if obj is self.win and event.type() == QEvent.Close:
            self._give_room_back()  # before the window saves its layout: the panels stay the learner's
        return False

    @property
    def start_page_shown(self) -> bool:
        return self.stack.currentWidget() is self.start_page

    def _graph_changed(self):
        if self.start_page_shown and len(self.doc.graph):
            self.show_canvas()  # a box added from the palette: the learner is building
        self.checker.schedule()

    def _file_changed(self, _path):
        if self.start_page_shown:
            self.show_canvas()
        if not self._opening:  # another graph: the lesson it belonged to is over
            self.close_lesson()
            self._open_exercise()

    def _open_exercise(self):
        """A file with a lesson block (an exercise): its text and tasks in the panel. Its text
        comes from a file, so it is shown as plain text, never rendered."""
        from graphcore.exercise import lesson_of
        exercise = lesson_of(self.doc.graph)
        if exercise is None:
            return
        self.exercise, self.tasks = exercise, list(exercise.tasks)
        self.key = "exercise:" + (exercise.title or self.doc.display_name)
        done = self.progress.done(self.key) & {t.id for t in self.tasks}
        self.panel.show_lesson(exercise.title or self.doc.display_name, exercise.text, self.tasks,
                               done, False, text_is_ours=False)
        self.checker.set_tasks(self.tasks)
        for tid, value in exercise.answers.items():  # the predictions saved with the file: graded again
            row = self.panel.rows.get(tid)
            if row is not None and row.answer is not None:
                row.answer.setText(f"{value:g}")
        self.checker.grade_all(exercise.answers)
        self._reveal(done)
        self._raise_dock()

    def _reveal(self, done: set):
        """An exercise's hidden values show once the tasks revealing them are done."""
        for tid in done - self.exercise.done:
            self.doc.set_task_done(tid, True)

    # --- a lesson ------------------------------------------------------------------------
    def open_lesson(self, key: str) -> bool:
        """Open the lesson's graph as an unsaved copy (File ▸ Save asks where: the course's
        file is never written over) and its text and tasks in the Lesson panel."""
        lesson = course.by_key(key)
        if lesson is None or not self.win.files.maybe_save():
            return False
        try:
            tasks = course.tasks_of(lesson)
            from ..file_actions import load_for_window
            graph = load_for_window(str(lesson.example_path()))
        except (GraphError, OSError) as exc:
            message = one_line(f"cannot open the lesson “{lesson.title}”: {exc}")
            QMessageBox.warning(self.win, "Cannot open lesson", safe_text(message))
            self.win.show_message(message)
            return False
        self._opening = True
        try:
            self.doc.load_graph(graph, None)
        except Exception as exc:  # noqa: BLE001 - a panel that cannot show it: the old graph stays
            message = one_line(f"cannot open the lesson “{lesson.title}”: {type(exc).__name__}: {exc}")
            QMessageBox.warning(self.win, "Cannot open lesson", safe_text(message))
            return False
        finally:
            self._opening = False
        self.doc.base_label = f"Lesson: {lesson.title}"
        self.win.history.setEmptyLabel(self.doc.base_label)
        self.current, self.tasks, self.key, self.exercise = lesson, tasks, lesson.key, None
        ordered = course.lessons()
        has_next = lesson in ordered and ordered.index(lesson) < len(ordered) - 1
        self.panel.show_lesson(lesson.title, course.text_of(lesson), tasks, self.progress.done(key), has_next)
        self.checker.set_tasks(tasks)
        self.show_canvas()
        self._raise_dock()
        self.win.view.fit()
        self.win.show_message(f"Lesson: {lesson.title}")
        return True

    def open_next(self):
        ordered = course.lessons()
        if self.current in ordered and ordered.index(self.current) < len(ordered) - 1:
            self.open_lesson(ordered[ordered.index(self.current) + 1].key)

    def close_lesson(self):
        self.current, self.tasks, self.key, self.exercise = None, [], None, None
        self.checker.set_tasks([])
        self.panel.clear()

    def _raise_dock(self):
        """Bring the Lesson panel to the front, now and once more when the window has been laid
        out (a tab raised before that does not stay raised: a file given on the command line)."""
        self._raise_dock_now()
        self._raise_later.start()  # a child timer: it dies with the window, never fires after it

    def _raise_dock_now(self):
        """Wide and tall enough to read (the Train panel below it scrolls)."""
        if self.key is None:
            return
        self.dock.show()
        self.dock.raise_()
        if self.dock.isFloating():
            return
        if self.dock.width() < 340:
            self.win.resizeDocks([self.dock], [360], Qt.Horizontal)
        train = self.win.training_dock
        if self.win.dockWidgetArea(train) == self.win.dockWidgetArea(self.dock) \
                and self.dock.height() < 480:
            self.win.resizeDocks([self.dock, train], [540, 260], Qt.Vertical)

    def _answered(self, task_id: str, value: float):
        if self.exercise is not None:  # saved with the learner's file, for the grader
            self.exercise.answers[task_id] = value
            self.doc.set_dirty(True)
        self.checker.grade(task_id, value)

    def _show_results(self, _generation, results: dict):
        if self.key is None:
            return
        newly = [tid for tid, r in results.items() if r.done and self.progress.mark_done(self.key, tid)]
        done = self.progress.done(self.key)
        self.panel.show_results(results, done)
        if self.exercise is not None:
            self._reveal({tid for tid, r in results.items() if r.done} | (done & {t.id for t in self.tasks}))
        if newly:
            names = [t.text for t in self.tasks if t.id in newly]
            self.win.show_message("✔ done: " + "; ".join(names), 8000)
        if self.progress.problem:
            self.win.show_message(self.progress.problem, 10000)

    # --- the tour and box help -------------------------------------------------------------
    def start_tour(self):
        from .tour import Tour
        self.show_canvas()
        if self.tour is not None:
            self.tour.close()
        self.tour = Tour(self.win)
        self.tour.closed.connect(lambda: setattr(self, "tour", None))
        self.tour.start()
        return self.tour

    def box_help(self):
        """F1: help on the one selected box (a status-bar hint otherwise)."""
        nodes = list(self.win.scene.selected_nodes())
        if len(nodes) != 1:
            self.win.show_message("Select one box, then press F1 for its formula, local derivative and lessons")
            return None
        from .box_help import BoxHelp
        g = self.doc.graph
        dialog = BoxHelp(self.win, g.box_name(nodes[0]), g.op(nodes[0]))
        dialog.open_lesson.connect(self.open_lesson)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.show()
        self.box_help_dialog = dialog
        return dialog


def install_lessons(win) -> LessonController:
    controller = LessonController(win)
    help_menu = win.menu("Help")
    first = help_menu.actions()[0] if help_menu.actions() else None
    actions = []
    for text, slot, shortcut in (("&Lessons", controller.show_start_page, None),
                                 ("&Tour", controller.start_tour, None),
                                 ("Help on the Selected &Box", controller.box_help, "F1")):
        act = QAction(text, win)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.WindowShortcut)
        act.triggered.connect(lambda checked=False, s=slot: s())
        actions.append(act)
    help_menu.insertActions(first, actions)
    if first is not None:
        help_menu.insertSeparator(first)
    win.actions_by_name.update(lessons=actions[0], tour=actions[1], box_help=actions[2])
    return controller
