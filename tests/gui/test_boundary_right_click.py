"""Right click on the boundary plot: on a point's dot it removes the point; a few pixels off
the dot, or with a modifier held, it opens the plot's menu and removes nothing."""
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from tests.gui.training_helpers import open_lesson, plot_point


@pytest.fixture
def plot(main_window, qtbot, tmp_path):
    open_lesson(main_window, "xor_network", tmp_path, qtbot)
    main_window.plots_dock.raise_()
    p = main_window.training.plots.boundary
    p.plot.getPlotItem().vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
    qtbot.wait(20)
    yield p
    p.view_box.menu.close()


def _n(win):
    return win.document.dataset().n


def _right_click(plot, pos, modifier=Qt.NoModifier):
    vp = plot.plot.viewport()
    QTest.mouseMove(vp, pos)
    QTest.mousePress(vp, Qt.RightButton, modifier, pos)
    QTest.mouseRelease(vp, Qt.RightButton, modifier, pos)


def _lonely_point(win, plot):
    """A data point with no other point within 20 px, and its pixel on the plot."""
    import numpy as np
    cols = win.document.dataset().columns
    px = np.array([[plot_point(plot.plot, x, y).x(), plot_point(plot.plot, x, y).y()]
                   for x, y in zip(cols["x1"], cols["x2"], strict=True)])
    d = np.hypot(*(px[:, None, :] - px[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(d, np.inf)
    inside = (px[:, 0] > 30) & (px[:, 1] > 30)
    i = int(np.argmax(np.where(inside, d.min(axis=1), -1)))
    assert d[i].min() > 20
    return i, QPoint(int(px[i, 0]), int(px[i, 1]))


def test_right_click_beside_a_point_opens_the_menu_and_keeps_the_point(main_window, plot, qtbot):
    n = _n(main_window)
    _i, at = _lonely_point(main_window, plot)
    _right_click(plot, at + QPoint(7, 0))  # within the old 8 px pick radius, off the 9 px dot
    assert _n(main_window) == n
    assert plot.view_box.menu.isVisible()


def test_right_click_with_shift_on_a_point_opens_the_menu(main_window, plot, qtbot):
    n = _n(main_window)
    _i, at = _lonely_point(main_window, plot)
    _right_click(plot, at, Qt.ShiftModifier)
    assert _n(main_window) == n
    assert plot.view_box.menu.isVisible()


def test_right_click_on_the_dot_removes_that_point(main_window, plot, qtbot):
    n = _n(main_window)
    i, at = _lonely_point(main_window, plot)
    cols = main_window.document.dataset().columns
    gone = (float(cols["x1"][i]), float(cols["x2"][i]))
    _right_click(plot, at + QPoint(2, 1))
    after = main_window.document.dataset().columns
    assert _n(main_window) == n - 1
    assert gone not in set(zip(after["x1"].tolist(), after["x2"].tolist(), strict=True))
    assert not plot.view_box.menu.isVisible()
