"""A learner's tour of the real window: every way in to the quick search, arranging and
viewing (align, fit, zoom, pan), the undo history, recent files, every lesson in the
Examples menu, autosave, and the default dock arrangement."""
import json

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from graphcore import course
from gui import file_actions
from tests.gui.helpers import drop_from_palette


def _menu_action(menu, text):
    menu.aboutToShow.emit()
    return next(a for a in menu.actions() if a.text() == text)


def test_quick_search_from_tab_typing_and_double_click(main_window, qtbot):
    win = main_window
    vp = win.view.viewport()
    win.view.setFocus()
    QTest.keyClick(win.view, Qt.Key_Tab)
    qs = win.quick_search
    assert qs is not None and qs.isVisible() and len(qs.shown()) > 20
    qs.close()
    QTest.keyClick(win.view, Qt.Key_S)  # typing starts a search with what was typed
    qs = win.quick_search
    assert qs.edit.text() == "s" and "sigmoid" in qs.shown()
    qs.close()
    where = QPoint(200, 150)
    QTest.mouseDClick(vp, Qt.LeftButton, Qt.NoModifier, where)
    qs = win.quick_search
    assert qs.isVisible()
    qs.edit.setText("relu")
    qs.accept_current()
    g = win.document.graph
    (nid,) = g.nodes()
    assert g.op(nid) == "relu"
    x, y = g.layout[nid]
    target = win.view.mapToScene(where)
    assert abs(x - target.x()) < 40 and abs(y - target.y()) < 40  # placed where the learner clicked


def test_align_fit_zoom_and_pan(main_window, qtbot):
    win = main_window
    ids = [drop_from_palette(win, "parameter", QPointF(x, y)) for x, y in ((0, 0), (63, 200), (181, 400))]
    win.select_nodes(ids)
    next(a for a in win.align_menu.actions() if a.text() == "Left edges").trigger()
    g = win.document.graph
    assert len({g.layout[n][0] for n in ids}) == 1
    win.document.undo_stack.undo()
    assert len({g.layout[n][0] for n in ids}) == 3
    # F fits every box in view.
    win.view.scale(0.1, 0.1)
    QTest.keyClick(win.view, Qt.Key_F)
    visible = win.view.mapToScene(win.view.viewport().rect()).boundingRect()
    assert visible.contains(win.scene.items_rect())
    assert win.view.zoom <= 1.25 + 1e-9  # a sensible maximum: two boxes never fill the screen
    # The wheel zooms around the cursor: the scene point under it stays put.
    vp = win.view.viewport()
    at = QPoint(300, 200)
    before = win.view.mapToScene(at)
    zoom = win.view.zoom
    event = QWheelEvent(QPointF(at), QPointF(vp.mapToGlobal(at)), QPoint(0, 0), QPoint(0, 240), Qt.NoButton,
                        Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(vp, event)
    assert win.view.zoom > zoom
    after = win.view.mapToScene(at)
    assert abs(after.x() - before.x()) < 3 and abs(after.y() - before.y()) < 3
    # Middle-drag pans: the scene moves with the mouse.
    centre = win.view.mapToScene(vp.rect().center())
    QTest.mousePress(vp, Qt.MiddleButton, Qt.NoModifier, QPoint(400, 300))
    QTest.mouseMove(vp, QPoint(300, 250))
    QTest.mouseRelease(vp, Qt.MiddleButton, Qt.NoModifier, QPoint(300, 250))
    moved = win.view.mapToScene(vp.rect().center()) - centre
    assert moved.x() > 0 and moved.y() > 0
    # Space + left drag pans too, and moves no box.
    layout = dict(g.layout)
    QTest.keyPress(win.view, Qt.Key_Space)
    centre = win.view.mapToScene(vp.rect().center())
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, QPoint(500, 300))
    QTest.mouseMove(vp, QPoint(600, 300))
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, QPoint(600, 300))
    QTest.keyRelease(win.view, Qt.Key_Space)
    assert (win.view.mapToScene(vp.rect().center()) - centre).x() < 0
    assert dict(g.layout) == layout


def test_undo_history_panel_lists_steps_and_goes_back(main_window):
    win = main_window
    drop_from_palette(win, "parameter", QPointF(0, 0))
    drop_from_palette(win, "constant", QPointF(0, 120))
    model = win.history.model()
    assert model.rowCount() == 3  # "<empty graph>" and the two steps
    assert "parameter" in model.index(1, 0).data().lower()
    win.history.setCurrentIndex(model.index(1, 0))  # a click on a row goes back to it
    assert len(win.document.graph) == 1


def test_recent_files_menu_reopens(main_window, tmp_path, monkeypatch):
    win = main_window
    drop_from_palette(win, "parameter", QPointF(0, 0))
    path = tmp_path / "mine.graph.json"
    monkeypatch.setattr(file_actions.QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))
    assert win.files.save()
    win.files.new()
    assert len(win.document.graph) == 0
    _menu_action(win.recent_menu, "mine.graph.json").trigger()
    assert len(win.document.graph) == 1 and win.document.path == str(path.resolve())


@pytest.mark.parametrize("name", [p.name.removesuffix(".graph.json") for p in file_actions.examples()])
def test_every_lesson_in_the_examples_menu_opens_and_evaluates(main_window, name):
    win = main_window
    title = course.title_for_example(file_actions.EXAMPLES_DIR / f"{name}.graph.json")  # the lesson's, not the file's
    _menu_action(win.examples_menu, title).trigger()
    doc = win.document
    lesson = course.lesson_for_example(f"{name}.graph.json")
    if lesson is not None:  # a lesson's own file opens as the lesson: an unsaved copy, its panel shown
        assert doc.path is None and win.lessons.key == lesson.key and len(doc.graph)
    else:
        assert doc.path and doc.path.endswith(f"{name}.graph.json")
    doc.evaluate_now()
    assert doc.error is None, doc.error
    assert doc.evaluation is not None and doc.evaluation.cost is not None  # every lesson names its cost J
    assert not doc.plan.unwired
    assert all(win.scene.node_items[n].value_text not in ("", "incomplete") for n in doc.graph.nodes())


def test_examples_menu_holds_the_eight_lessons():
    names = {p.name for p in file_actions.examples()}
    from graphcore import lessons  # every lesson the code builds, the vanishing-gradient pair included
    assert names == {f"{name}.graph.json" for name in lessons.LESSONS}
    assert {"ng_computation_graph.graph.json", "vanishing_gradients_relu.graph.json"} <= names


def test_autosave_writes_a_recovery_copy_only_of_unsaved_work(main_window):
    win = main_window
    assert win.files.timer.interval() == 30_000 and win.files.timer.isActive()
    win.files.autosave()
    assert not win.files.recovery_path().exists()  # nothing unsaved, nothing written
    drop_from_palette(win, "parameter", QPointF(0, 0))
    win.files.autosave()
    saved = json.loads(win.files.recovery_path().read_text())
    assert [n["op"] for n in saved["nodes"]] == ["parameter"]


def test_default_dock_arrangement(main_window):
    win = main_window
    area = win.dockWidgetArea
    assert area(win.palette_dock) == area(win.data_dock) == Qt.LeftDockWidgetArea
    assert area(win.inspector_dock) == area(win.training_dock) == Qt.RightDockWidgetArea
    assert area(win.plots_dock) == area(win.stepper_dock) == Qt.BottomDockWidgetArea
    assert win.tabifiedDockWidgets(win.inspector_dock) == [win.history_dock, win.lessons.dock]  # Lesson: gui/lessons
    assert win.tabifiedDockWidgets(win.plots_dock) == [win.stepper_dock, win.landscape_dock, win.race_dock]
    # The palette is the tall one on the left; the canvas is wider than either side column.
    assert win.palette_dock.height() > 0.4 * win.data_dock.height()
    assert win.view.width() > max(win.palette_dock.width(), win.inspector_dock.width())
    assert win.inspector_dock.width() < 0.3 * win.width()


def test_clicking_a_training_point_picks_it_in_the_step_through(main_window, qtbot, tmp_path):
    from tests.gui.training_helpers import click_plot, open_lesson
    win = main_window
    g = open_lesson(win, "logistic_regression", tmp_path, qtbot)
    win.plots_dock.raise_()
    block = dict(g.meta["dataset"])
    ds = win.document.dataset()
    plot = win.training.plots.boundary
    qtbot.waitUntil(lambda: plot.columns is not None and len(plot.columns.get("x1", [])) == ds.n, timeout=3000)
    plot.plot.getPlotItem().vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
    qtbot.wait(20)
    row = 7
    click_plot(plot.plot, float(ds.columns["x1"][row]), float(ds.columns["x2"][row]))
    assert win.stepper.sample == row  # the step-through now shows sample 7's numbers
    assert g.meta["dataset"] == block  # a click on a point picks it; it adds no point


def test_spiral3_shows_three_argmax_regions_in_the_window(main_window, qtbot, tmp_path):
    import numpy as np

    from tests.gui.training_helpers import open_lesson
    win = main_window
    open_lesson(win, "spiral3_softmax", tmp_path, qtbot)
    tv = win.training
    plot = tv.plots.boundary
    plot.discretize.setChecked(True)
    tv.runner.step_epoch()
    tv.refresh()
    qtbot.waitUntil(lambda: plot.image.image is not None, timeout=3000)
    colours = np.unique(np.asarray(plot.image.image).reshape(-1, 4), axis=0)
    assert len(colours) == 3  # one region per class, by argmax of the softmax
    assert len(plot.legend.items) >= 3


def test_x_squared_shows_the_tangent_with_backprops_slope(main_window, qtbot, tmp_path):
    import pytest

    from tests.gui.training_helpers import open_lesson
    win = main_window
    g = open_lesson(win, "x_squared", tmp_path, qtbot)
    tv = win.training
    assert tv.plots.top.currentWidget() is tv.plots.derivative
    tv.refresh()
    d = tv.plots.derivative
    (xa, xb), (ya, yb) = d.tangent.getData()
    assert (yb - ya) / (xb - xa) == pytest.approx(2 * g.value("x"), rel=1e-9)  # d(x²)/dx = 2x


def test_a_file_opened_before_the_window_is_laid_out_is_fitted_once_shown(qtbot, app_dirs):
    from gui.main_window import MainWindow
    win = MainWindow(str(file_actions.EXAMPLES_DIR / "logistic_regression.graph.json"), offer_recovery=False)
    win.resize(1300, 800)
    win.show()
    qtbot.waitExposed(win)
    qtbot.wait(20)
    view = win.view
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    items = win.scene.items_rect()
    assert visible.contains(items)
    assert items.width() * view.zoom > 0.6 * view.viewport().width()  # filling the view, not a speck
    # Once the learner zooms, a resize leaves their view alone.
    view.zoom_by(2.0)
    zoom = view.zoom
    win.resize(1250, 780)
    qtbot.wait(20)
    assert view.zoom == zoom
