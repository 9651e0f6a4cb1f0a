"""A stray box (just dropped, unwired) neither blanks the plots nor blocks training: the
canvas greys it with a hint, and the xor lesson still trains from the window's buttons."""
import pytest
from PySide6.QtCore import QPointF, Qt

from gui.canvas.node_item import IGNORED_HINT

from tests.gui.helpers import drop_from_palette
from tests.gui.training_helpers import open_lesson


def test_a_dropped_unwired_box_is_greyed_and_the_cost_still_shows(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    nid = drop_from_palette(win, "abs", QPointF(-400, -400))
    win.document.evaluate_now()
    item = win.scene.node_items[nid]
    assert item.ignored and item.opacity() < 1 and IGNORED_HINT in item.toolTip()
    assert IGNORED_HINT == "not connected to J — ignored"
    from PySide6.QtGui import QFontMetricsF
    from gui.canvas.node_item import HINT_WIDTH, hint_font
    assert QFontMetricsF(hint_font()).horizontalAdvance(IGNORED_HINT) <= HINT_WIDTH  # shown whole, not elided
    assert win.cost_label.text().startswith("cost J = ")
    assert win.document.plan.unwired.get(nid) == [0]  # its port is still outlined
    others = [i for n, i in win.scene.node_items.items() if n != nid]
    assert not any(i.ignored for i in others) and all(i.value_text for i in others)
    win.select_nodes([nid])
    win.inspector._rebuild()
    assert win.inspector.value_label.text() == IGNORED_HINT
    win.training.refresh()
    assert win.training.boundary_error == ""
    assert win.training.plots.boundary.boundary is not None
    # Deleting it leaves the lesson as it was.
    win.scene.clearSelection()
    item.setSelected(True)
    win.edit.delete()
    win.document.evaluate_now()
    assert nid not in win.document.graph


@pytest.mark.slow
def test_the_xor_lesson_with_a_stray_box_trains_in_the_window(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    drop_from_palette(win, "abs", QPointF(-400, -400))
    drop_from_palette(win, "input", QPointF(-400, -200))
    tv = win.training
    qtbot.mouseClick(tv.panel.train_button, Qt.LeftButton)
    assert tv.runner.state == "running", tv.runner.message
    qtbot.waitUntil(lambda: tv.runner.state == "done", timeout=120_000)
    h = tv.runner.trainer.history
    assert tv.runner.trainer.epoch == 500 and h.accuracy[-1] >= 0.95, h.last()


def test_training_a_graph_with_no_parameter_says_there_is_nothing_to_train(main_window, qtbot, tmp_path):
    win = main_window
    g = open_lesson(win, "ng_computation_graph", tmp_path, qtbot)
    before = {n: g.value(n) for n in g.nodes()}
    tv = win.training
    tv.panel.train_button.click()
    assert tv.runner.state != "running" and tv.runner.trainer is None
    assert tv.runner.message.startswith("nothing to train")
    assert tv.panel.error.text() == tv.runner.message
    assert "nothing to train" in win.statusBar().currentMessage()
    assert {n: g.value(n) for n in g.nodes()} == before and not win.document.dirty
