"""The course inside the window (offscreen): the start page, a lesson's graph and panel, tasks
going done as the learner works, progress kept across a restart (and a broken progress file),
the tour, F1 on a box."""
import json

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from graphcore import course, datasets, fileformat
from graphcore.training import Trainer
from gui.lessons import progress as progress_module
from tests.gui.helpers import drop_from_palette, wire


def _open(win, key):
    assert win.lessons.open_lesson(key)
    win.lessons.checker.wait_idle()
    return win.lessons.panel


def _settle(win):
    assert win.lessons.checker.wait_idle()


def test_the_start_page_lists_the_course_in_order(main_window, monkeypatch, tmp_path, no_modal_dialogs):
    win = main_window
    win.lessons.show_start_page()
    page = win.lessons.start_page
    assert win.centralWidget().currentWidget() is page
    titles = [card.title.text() for card in page.cards]
    assert titles == [f"{i + 1}. {lesson.title}" for i, lesson in enumerate(course.lessons())]
    assert titles[0] == "1. Values forward, gradients backward" and len(titles) >= 8
    assert page.cards[0].count.text() == "0 of 3 tasks done"
    assert not win.plots_dock.isVisible() and not win.stepper_dock.isVisible()  # room for the course
    page.blank_button.click()
    assert win.centralWidget().currentWidget() is win.view
    assert win.plots_dock.isVisible() and win.stepper_dock.isVisible()
    win.lessons.show_start_page()
    win.palette_panel.activated.emit("parameter")  # building from the palette leaves the start page
    assert win.centralWidget().currentWidget() is win.view and len(win.document.graph) == 1
    # a lesson whose file cannot be read: one line, and the learner's graph stays as it was
    win.document.undo_stack.setClean()
    bad = tmp_path / "broken.graph.json"
    bad.write_text("{ nope")
    monkeypatch.setattr(course.CourseLesson, "example_path", lambda self, folder=None: bad)
    assert not win.lessons.open_lesson("xor")
    assert len(win.document.graph) == 1 and win.lessons.key is None
    (kind, title, text), = no_modal_dialogs.seen
    assert title == "Cannot open lesson" and "xor: one hidden layer" in text and "\n" not in text


def test_opening_a_lesson_opens_a_copy_of_its_graph_and_the_panel(main_window):
    win = main_window
    example = course.by_key("computation_graph").example_path()
    before = example.read_bytes()
    win.lessons.show_start_page()
    win.lessons.start_page.cards[0].button.click()
    _settle(win)
    doc, panel = win.document, win.lessons.panel
    assert win.centralWidget().currentWidget() is win.view
    assert doc.path is None and {"a", "b", "c", "J"} <= set(doc.graph.nodes())  # a copy: Save asks where
    assert win.lessons.dock.isVisible() and panel.title.text() == "Values forward, gradients backward"
    assert "upstream derivative" in panel.text.toPlainText()
    assert [row.text.text() for row in panel.rows.values()][0].startswith("Predict dJ/db")
    assert all(not row.done for row in panel.rows.values())
    # a prediction: refused when not a number, "not yet" when wrong, done when right
    row = panel.rows["predict_b"]
    row.answer.setText("oops")
    QTest.keyClick(row.answer, Qt.Key_Return)
    assert "not a number" in row.detail.text() and not row.done
    row.answer.setText("5")
    QTest.keyClick(row.answer, Qt.Key_Return)
    _settle(win)
    assert not row.done and "not yet" in row.detail.text()
    row.answer.setText("6")
    row.check_button.click()
    _settle(win)
    assert row.done and row.state.text() == "✔ done" and panel.tasks_heading.text() == "Tasks: 1 of 3 done"
    doc.graph.set_value("a", 7.0)
    _settle(win)
    assert example.read_bytes() == before
    doc.undo_stack.setClean()
    panel.next_button.click()  # Next lesson ▶
    assert win.lessons.key == "derivative" and panel.title.text() == "The derivative is the tangent's slope"
    win.files.new()  # another graph: the lesson is over
    assert win.lessons.key is None and not panel.rows


def _trained_values(key):
    graph = fileformat.load(course.by_key(key).example_path())
    trainer = Trainer(graph, datasets.for_graph(graph))
    trainer.train()
    trainer.write_back()
    return {p: graph.value(p) for p in graph.parameters()}


def test_progress_survives_a_restart_and_a_broken_file_is_kept_aside(main_window, app_dirs):
    from gui.main_window import MainWindow
    win = main_window
    panel = _open(win, "computation_graph")
    panel.rows["predict_c"].answer.setText("9")
    panel.rows["predict_c"].check_button.click()
    _settle(win)
    path = app_dirs / progress_module.FILE_NAME
    assert json.loads(path.read_text()) == {"version": 1, "lessons": {"computation_graph": ["predict_c"]}}
    again = MainWindow(offer_recovery=False)
    again.lessons.show_start_page()
    assert again.lessons.start_page.cards[0].count.text() == "1 of 3 tasks done"
    again.lessons.open_lesson("computation_graph")
    assert again.lessons.panel.rows["predict_c"].done and not again.lessons.panel.rows["predict_b"].done
    again.close()
    path.write_bytes(b"{not json")
    broken = MainWindow(offer_recovery=False)
    broken.lessons.show_start_page()
    page = broken.lessons.start_page
    assert not page.problem.isHidden() and "could not be read" in page.problem.text()
    assert "\n" not in page.problem.text() and page.cards[0].count.text() == "0 of 3 tasks done"
    assert (app_dirs / progress_module.BROKEN_NAME).read_bytes() == b"{not json"  # the learner loses nothing
    assert broken.lessons.open_lesson("computation_graph")
    broken.lessons.panel.rows["predict_b"].answer.setText("6")
    broken.lessons.panel.rows["predict_b"].check_button.click()
    assert broken.lessons.checker.wait_idle()
    assert json.loads(path.read_text())["lessons"] == {"computation_graph": ["predict_b"]}
    broken.close()


def test_the_tour_points_at_five_parts_and_escape_closes_it(main_window, qtbot):
    win = main_window
    tour = win.lessons.start_tour()
    qtbot.waitUntil(tour.next_button.hasFocus, timeout=2000)
    parts = [win.palette_dock, win.view.viewport(), win.view.viewport(), win.stepper_dock, win.training_dock]
    seen = []
    for i, widget in enumerate(parts):
        assert tour.index == i and tour.counter.text() == f"Step {i + 1} of 5"
        target = widget.rect().translated(widget.mapTo(win, widget.rect().topLeft()))
        assert tour.hole.intersects(target) and not tour.callout.geometry().intersects(tour.hole)
        assert win.rect().contains(tour.callout.geometry())
        seen.append(tour.heading.text())
        if i == 1:
            QTest.keyClick(QApplication.focusWidget(), Qt.Key_Right)  # → steps, wherever in the callout
        elif i < 4:
            tour.next_button.click()
    assert seen == ["The Functions", "The canvas", "Wiring", "Step through backprop", "Train"]
    assert tour.next_button.text() == "Done" and win.stepper_dock.isVisible()
    tour.back_button.click()
    assert tour.index == 3
    QTest.keyClick(win.view, Qt.Key_Escape)  # closes it wherever the focus is
    assert not tour.isVisible() and win.lessons.tour is None


def test_f1_then_build_cost_and_accuracy_tasks_go_done(main_window):
    win = main_window
    _open(win, "computation_graph")
    win.actions_by_name["box_help"].trigger()
    assert "Select one box" in win.statusBar().currentMessage()
    win.select_nodes(["u"])
    QTest.keyClick(win.view, Qt.Key_F1)
    dialog = win.lessons.box_help_dialog
    assert dialog.isVisible() and dialog.rows["formula"] == "a·b" and dialog.rows["derivative"] == "b, a"
    assert dialog.rows["gate"].startswith("mul gate")
    titles = [b.text() for b in dialog.lesson_buttons]
    assert "Values forward, gradients backward" in titles and "The derivative is the tangent's slope" in titles
    dialog.lesson_buttons[titles.index("The derivative is the tangent's slope")].click()
    _settle(win)
    assert win.lessons.key == "derivative" and "x" in win.document.graph
    # its build task goes done when the learner builds x³ on the canvas
    row = win.lessons.panel.rows["cube"]
    assert not row.done
    new = drop_from_palette(win, "mul", QPointF(260, 0))
    wire(win, "f", new, 0)
    wire(win, "x", new, 1)
    win.document.graph.set_meta("loss", new)
    _settle(win)
    assert row.done, row.detail.text()
    # cost and accuracy tasks go done when the model has learned
    panel = _open(win, "linear_model")
    assert not panel.rows["cost_02"].done and not panel.rows["all_points"].done
    win.document.graph.set_values(_trained_values("linear_model"))
    _settle(win)
    assert panel.rows["cost_02"].done and panel.rows["all_points"].done
    assert "J = " in panel.rows["cost_02"].detail.text()


def test_an_exercise_file_shows_its_lesson_as_plain_text_and_reveals_on_done(qtbot, app_dirs, tmp_path):
    from graphcore import exercise
    from gui.main_window import MainWindow
    graph = fileformat.load(course.by_key("computation_graph").example_path())
    tasks = [{"id": "p", "kind": "predict_gradient", "text": "<b>dJ/db</b>?", "box": "b", "reveals": ["u"]}]
    lesson = exercise.make_lesson(graph, title="Homework <i>1</i>", text="# Not a heading\n<img src=x>",
                                  tasks=tasks, locks=["J"], hidden=["u"])
    exercise.set_lesson(graph, lesson)
    path = tmp_path / "homework.graph.json"
    fileformat.save(graph, path)
    win = MainWindow(str(path), offer_recovery=False)  # as from the command line
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: not win.lessons.dock.visibleRegion().isEmpty(), timeout=2000)  # in front
    panel = win.lessons.panel
    assert win.lessons.key == "exercise:Homework <i>1</i>" and panel.title.text() == "Homework <i>1</i>"
    assert panel.text.toPlainText() == "# Not a heading\n<img src=x>"  # shown as written, never rendered
    assert panel.rows["p"].text.text() == "<b>dJ/db</b>?"
    assert exercise.lesson_of(win.document.graph).hidden_now() == {"u"}
    panel.rows["p"].answer.setText("6")
    panel.rows["p"].check_button.click()
    _settle(win)
    assert panel.rows["p"].done and exercise.lesson_of(win.document.graph).hidden_now() == set()
    assert exercise.lesson_of(win.document.graph).answers == {"p": 6.0} and win.document.dirty  # saved for the grader


def test_the_canvas_has_the_keys_when_a_graph_opens(main_window, qtbot):
    """The canvas sits in a stack with the start page; Tab (quick search) and Delete must still
    reach it first, not the palette's filter (found by the real-window Tab test)."""
    from PySide6.QtWidgets import QApplication
    win = main_window
    win.show()
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    assert QApplication.focusWidget() is win.view
