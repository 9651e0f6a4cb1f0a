"""A click on a box that does not move it changes nothing: no undo step, no unsaved mark.

The lessons place boxes off the 20-px grid (x 210, y 1625); snapping such a box on a bare
click moved it and marked the file unsaved."""
from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from tests.gui.helpers import drag, view_point

LESSON = str(Path(__file__).resolve().parents[2] / "assets" / "examples" / "xor_network.graph.json")


def _open_lesson(win):
    assert win.files.open(LESSON, ask=False)
    assert not win.document.dirty


def _box_centre(win, node_id):
    item = win.scene.node_items[node_id]
    win.view.centerOn(item)
    return item.sceneBoundingRect().center()


def test_click_on_off_grid_box_changes_nothing(main_window, qtbot):
    win = main_window
    _open_lesson(win)
    node = "x2"  # at (0, 1725): y is off the grid
    before = tuple(win.document.graph.layout[node])
    steps = win.document.undo_stack.count()
    vp = win.view.viewport()
    at = view_point(win, _box_centre(win, node))
    QTest.mouseClick(vp, Qt.LeftButton, Qt.NoModifier, at)
    assert win.scene.node_items[node].isSelected()
    assert tuple(win.document.graph.layout[node]) == before
    item = win.scene.node_items[node]
    assert (item.x(), item.y()) == before
    assert win.document.undo_stack.count() == steps
    assert not win.document.dirty


def test_real_move_still_snaps_and_is_one_undo_step(main_window, qtbot):
    win = main_window
    _open_lesson(win)
    node = "x2"
    before = tuple(win.document.graph.layout[node])
    steps = win.document.undo_stack.count()
    centre = _box_centre(win, node)
    drag(win, centre, centre + QPointF(47, 33))
    after = tuple(win.document.graph.layout[node])
    assert after != before
    assert all(v % 20 == 0 for v in after)  # a real move lands on the grid
    assert win.document.undo_stack.count() == steps + 1
    assert win.document.dirty
    win.document.undo_stack.undo()
    assert tuple(win.document.graph.layout[node]) == before
