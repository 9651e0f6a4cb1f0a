"""The decision boundary plot as a learner sees it: axes on the data, the legend beside the
points (never over them), and no contour line before the model has decided anything."""
import numpy as np

from graphcore.boundary import Boundary

from tests.gui.training_helpers import open_lesson


def test_axes_fit_the_unit_square_of_the_generators(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    win.plots_dock.raise_()
    win.training.plots.top.setCurrentWidget(win.training.plots.boundary)
    win.training.refresh()
    qtbot.wait(20)
    (x0, x1), (y0, y1) = win.training.plots.boundary.view_box.viewRange()
    # The grid covers [0, 1]² plus a 5 % margin; the axes show that, not −0.5…1.5.
    for lo, hi in ((x0, x1), (y0, y1)):
        assert -0.1 < lo <= 0 and 1 <= hi < 1.1, (lo, hi)


def test_legend_does_not_cover_the_data(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    plot = win.training.plots.boundary
    win.training.refresh()
    qtbot.wait(20)
    legend = plot.legend.sceneBoundingRect()
    data = plot.view_box.sceneBoundingRect()
    assert legend.width() > 0 and legend.height() > 0
    overlap = legend.intersected(data)
    assert overlap.width() <= 1 or overlap.height() <= 1, (legend, data)  # at most a shared edge


def _boundary(values):
    xs = ys = np.linspace(0, 1, values.shape[0])
    return Boundary(("x1", "x2"), xs, ys, values, None, (values > 0.5).astype(float), 0.5)


def test_untrained_network_draws_no_contour_fragments(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    win.training.refresh()
    plot = win.training.plots.boundary
    b = plot.boundary
    assert b is not None and b.values.min() < 0.5 < b.values.max()  # it does cross 0.5 somewhere …
    x, _y = plot.contour.getData()
    assert x is None or len(x) == 0  # … but that is no boundary yet
    # A model that has decided gets its line.
    gx, gy = np.meshgrid(np.linspace(0, 1, 50), np.linspace(0, 1, 50))
    plot.set_boundary(_boundary(1 / (1 + np.exp(-20 * (gx - 0.5)))))
    x, _y = plot.contour.getData()
    assert len(x) > 10 and np.allclose(x, 0.5, atol=0.02)


def test_untrained_softmax_draws_no_corner_sliver_but_a_trained_split_is_drawn(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "spiral3_softmax", tmp_path, qtbot)
    win.training.refresh()
    plot = win.training.plots.boundary
    b = plot.boundary
    assert b is not None and b.probs is not None and len(np.unique(b.classes)) > 1  # a sliver wins somewhere …
    x, _y = plot.contour.getData()
    assert x is None or len(x) == 0  # … and is not drawn as a boundary
    gx, _gy = np.meshgrid(np.linspace(0, 1, 60), np.linspace(0, 1, 60))
    logits = np.stack([-8 * gx, np.zeros_like(gx), 8 * gx - 4])  # three bands across x
    probs = np.exp(logits) / np.exp(logits).sum(axis=0)
    classes = probs.argmax(axis=0)
    xs = ys = np.linspace(0, 1, 60)
    plot.set_boundary(Boundary(("x1", "x2"), xs, ys, probs.max(axis=0), probs, classes.astype(float), 0.5))
    x, _y = plot.contour.getData()
    assert len(x) > 10
