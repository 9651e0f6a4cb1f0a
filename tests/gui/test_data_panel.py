"""The data panel: generators, CSV, clicked-in points and the column mapping — all undoable."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.gui.training_helpers import click_plot, open_lesson


@pytest.fixture
def xor_window(main_window, qtbot, tmp_path):
    open_lesson(main_window, "xor_network", tmp_path, qtbot)
    main_window.plots_dock.show()
    main_window.plots_dock.raise_()
    return main_window


def block(win):
    return win.document.graph.meta.get("dataset")


def test_generator_settings_and_regenerate_are_undoable(xor_window, qtbot):
    win = xor_window
    dp = win.training.data_panel
    assert block(win)["generator"] == "xor" and dp.n.value() == 100
    dp.n.setValue(60)
    assert block(win)["n"] == 60 and win.document.dataset().n == 60
    qtbot.mouseClick(dp.regenerate, Qt.LeftButton)
    assert block(win)["seed"] == 1
    dp.test_share.setValue(0.25)
    ds = win.document.dataset()
    assert block(win)["test_fraction"] == 0.25 and ds.test_mask.sum() == 15
    assert "45 train, 15 test" in dp.info.text()
    dp.source.setCurrentIndex(dp.source.findData("circle"))
    dp.source.activated.emit(dp.source.currentIndex())
    assert block(win)["generator"] == "circle"
    stack = win.document.undo_stack
    for _ in range(4):
        stack.undo()
    assert block(win) == {"generator": "xor", "n": 100, "seed": 0, "noise": 0.0, "test_fraction": 0.0}
    assert dp.n.value() == 100 and dp.seed.value() == 0  # the panel follows the undo


def test_click_adds_a_point_and_right_click_removes_one(xor_window, qtbot):
    win = xor_window
    tv = win.training
    plot = tv.plots.boundary
    n = win.document.dataset().n
    plot.add_class.setCurrentIndex(1)
    plot.plot.getPlotItem().vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
    qtbot.wait(20)
    # an empty spot: away from every point by more than the pick radius
    ds = win.document.dataset()
    grid = [(x, y) for x in np.linspace(0.05, 0.95, 19) for y in np.linspace(0.05, 0.95, 19)]
    far = max(grid, key=lambda p: np.min(np.hypot(ds.columns["x1"] - p[0], ds.columns["x2"] - p[1])))
    click_plot(plot.plot, *far)
    b = block(win)
    assert "points" in b and len(b["points"]["y"]) == n + 1
    assert b["points"]["y"][-1] == 1.0
    assert b["points"]["x1"][-1] == pytest.approx(far[0], abs=0.01)
    assert b["points"]["x2"][-1] == pytest.approx(far[1], abs=0.01)
    tv.refresh()
    assert len(plot.train_points.data) == n + 1  # drawn

    # Right click on that new point removes it again (and opens no menu).
    click_plot(plot.plot, b["points"]["x1"][-1], b["points"]["x2"][-1], Qt.RightButton)
    b2 = block(win)
    assert len(b2["points"]["y"]) == n
    np.testing.assert_allclose(b2["points"]["x1"], ds.columns["x1"])
    assert not plot.plot.getPlotItem().vb.menu.isVisible()
    win.document.undo_stack.undo()
    win.document.undo_stack.undo()
    assert block(win)["generator"] == "xor"


def test_column_mapping_sets_the_input_boxes_column(xor_window, qtbot):
    win = xor_window
    g = win.document.graph
    dp = win.training.data_panel
    combo = dp.column_combos["x1"]
    assert combo.currentData() == "x1"
    combo.setCurrentIndex(combo.findData("x2"))
    combo.activated.emit(combo.currentIndex())
    assert g.column("x1") == "x2"
    win.document.undo_stack.undo()
    assert g.column("x1") == "x1"


def test_csv_load_and_a_bad_csv_is_refused_with_its_line(xor_window, tmp_path):
    win = xor_window
    dp = win.training.data_panel
    good = tmp_path / "pts.csv"
    good.write_text("x1,x2,y\n0.1,0.2,0\n0.8,0.9,1\n0.4,0.4,0\n")
    assert dp.use_csv(str(good))
    assert "csv" in block(win) and win.document.dataset().n == 3
    assert "3 points" in dp.info.text()
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,y\n0.1,oops,0\n")
    assert not dp.use_csv(str(bad))
    assert "line 2" in dp.error.text() and "oops" in dp.error.text()
    assert block(win)["csv"].endswith("pts.csv")  # unchanged


def test_a_graph_without_data_set_says_so_and_its_inputs_show_their_values(main_window, qtbot, tmp_path):
    from gui.panels.data_panel import NO_SOURCE
    from tests.gui.training_helpers import open_lesson
    win = main_window
    g = open_lesson(win, "ng_computation_graph", tmp_path, qtbot)
    dp = win.training.data_panel
    assert dp.source.currentData() == NO_SOURCE
    assert "no data set" in dp.info.text() and "own value" in dp.info.text()
    assert not dp.n.isEnabled() and not dp.regenerate.isEnabled()
    notes = {n: win.scene.node_items[n]._source_note() for n in g.inputs()}
    assert notes == {"a": "value 5", "b": "value 3", "c": "value 2"}
    # Choosing a generator gives the graph a data set (one undo step); "none" takes it away again.
    dp.source.setCurrentIndex(dp.source.findData("xor"))
    dp.source.activated.emit(dp.source.currentIndex())
    assert g.meta["dataset"]["generator"] == "xor" and dp.n.isEnabled()
    dp.source.setCurrentIndex(dp.source.findData(NO_SOURCE))
    dp.source.activated.emit(dp.source.currentIndex())
    assert not g.meta.get("dataset")
    win.document.undo_stack.undo()
    assert g.meta["dataset"]["generator"] == "xor"


def test_inputs_fed_by_a_data_column_say_which(main_window, qtbot, tmp_path):
    from tests.gui.training_helpers import open_lesson
    win = main_window
    g = open_lesson(win, "logistic_regression", tmp_path, qtbot)
    win.document.evaluate_now()
    notes = {g.column(n) or n: win.scene.node_items[n]._source_note() for n in g.inputs()}
    assert notes == {c: f"column {c}" for c in notes} and set(notes) == {"x1", "x2", "y"}


def test_unmapping_an_input_without_a_value_names_it_by_its_label(xor_window):
    win = xor_window
    g = win.document.graph
    combo = win.training.data_panel.column_combos["x1"]
    combo.setCurrentIndex(combo.findData(None))
    combo.activated.emit(combo.currentIndex())
    message = win.training.data_panel.error.text()
    assert "'x₁'" in message and "'x1'" not in message  # the learner's label, not the internal id
    assert g.column("x1") == "x1"  # refused: nothing changed
