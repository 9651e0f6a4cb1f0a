"""The training plots: export, the boundary's colours and contour, the derivative figure, highlights."""
import numpy as np
import pytest
from PySide6.QtGui import QImage

from graphcore.boundary import decision_boundary
from gui.panels.plots_boundary import BoundaryPlot
from gui.panels.plots_common import CLASS_COLORS, export_plot
from tests.gui.training_helpers import open_lesson


def test_every_plot_exports_png_and_svg(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    tv = win.training
    tv.runner.step_epoch()
    tv.refresh()
    p = tv.plots
    for name, widget in [("boundary", p.boundary.plot), ("cost", p.cost.cost_plot),
                         ("gradients", p.gradients.plot), ("params", p.parameters.value_plot)]:
        png = export_plot(widget, tmp_path / f"{name}.png")
        img = QImage(png)
        assert not img.isNull() and img.width() >= 400, name
        svg = (tmp_path / f"{name}.svg")
        export_plot(widget, svg)
        text = svg.read_text()
        assert "<svg" in text and "</svg>" in text, name
        # The right-click menu offers the direct exports next to pyqtgraph's own dialog.
        texts = [a.text() for a in widget.getPlotItem().vb.menu.actions()]
        assert "Export PNG…" in texts and "Export SVG…" in texts
        assert any(a.text() == "Export..." for a in widget.scene().contextMenu)
    # pyqtgraph's own export dialog opens and lists the image and SVG exporters.
    scene = p.cost.cost_plot.scene()
    scene.contextMenuItem = p.cost.cost_plot.getPlotItem().vb  # as a right click on the plot sets it
    scene.showExportDialog()
    names = [scene.exportDialog.ui.formatList.item(i).text() for i in range(scene.exportDialog.ui.formatList.count())]
    assert "Image File (PNG, TIF, JPG, ...)" in names and "Scalable Vector Graphics (SVG)" in names
    scene.exportDialog.close()


def test_the_boundary_picture(qtbot):
    from tests.core.boundary_graphs import logistic, softmax3
    plot = BoundaryPlot()
    qtbot.addWidget(plot)
    b = decision_boundary(logistic(4.0, 0.0, -2.0), extent=(0, 1, 0, 1), resolution=21)  # p = 0.5 at x1 = 0.5
    plot.set_boundary(b)
    xs, ys = plot.contour.getData()
    ok = np.isfinite(xs)
    assert ok.any() and np.allclose(xs[ok], 0.5, atol=1e-9)  # the 0.5 contour is the line x1 = 0.5
    img = plot.rgba(b, discrete=False)
    assert img.shape == (21, 21, 4)
    white = img[10, 10, :3]  # on the boundary: the white middle of the diverging map
    assert (white >= 250).all()
    left, right = img[10, 0, :3].astype(int), img[10, -1, :3].astype(int)
    c0 = np.array([int(CLASS_COLORS[0][i:i + 2], 16) for i in (1, 3, 5)])
    c1 = np.array([int(CLASS_COLORS[1][i:i + 2], 16) for i in (1, 3, 5)])
    assert np.abs(left - c0).sum() < np.abs(left - c1).sum()  # class 0 side in class 0's colour
    assert np.abs(right - c1).sum() < np.abs(right - c0).sum()
    plot.discretize.setChecked(True)
    flat = plot.rgba(b, discrete=True).reshape(-1, 4)
    assert len(np.unique(flat, axis=0)) == 2  # discretized: just the two class colours

    b3 = decision_boundary(softmax3([(3.0, 0.0), (0.0, 3.0), (-2.0, -2.0)]), extent=(-1, 1, -1, 1), resolution=30)
    img3 = plot.rgba(b3, discrete=True).reshape(-1, 4)
    assert len(np.unique(img3, axis=0)) == 3  # argmax regions: one colour per class
    plot.set_data({"x1": np.array([0.1, 0.9]), "x2": np.array([0.5, 0.5]), "y": np.array([0.0, 2.0])},
                  np.array([False, True]))
    labels = [label.text for _, label in plot.legend.items]
    assert labels == ["class 0", "class 1", "class 2", "test point"]
    assert len(plot.train_points.data) == 1 and len(plot.test_points.data) == 1


def test_derivative_lesson_shows_tangent_and_secant(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "sin2x", tmp_path, qtbot)
    tv = win.training
    d = tv.plots.derivative
    assert tv.plots.top.currentWidget() is d  # a one-input lesson shows f(x), not a boundary
    qtbot.wait(50)
    tv.refresh()
    x0 = win.document.graph.value("x")
    assert d.x0.value() == pytest.approx(x0)
    d.h.setValue(0.1)
    (xa, xb), (ya, yb) = d.tangent.getData()
    assert (yb - ya) / (xb - xa) == pytest.approx(2 * np.cos(2 * x0), rel=1e-9)  # backprop's df/dx
    (sa, sb), (ta, tb) = d.secant.getData()
    expected = (np.sin(2 * (x0 + 0.1)) - np.sin(2 * (x0 - 0.1))) / 0.2
    assert (tb - ta) / (sb - sa) == pytest.approx(expected, rel=1e-9)
    px, py = d.points.getData()
    np.testing.assert_allclose(py, np.sin(2 * px))  # the secant passes through f(x ± h)
    assert "backprop df/dx" in d.readout.text()


def test_selected_box_is_highlighted_in_the_gradient_bars(main_window, qtbot, tmp_path):
    win = main_window
    g = open_lesson(win, "xor_network", tmp_path, qtbot)
    tv = win.training
    qtbot.waitUntil(lambda: win.document.evaluation is not None, timeout=3000)
    tv.plots.bottom.setCurrentWidget(tv.plots.gradients)
    tv.refresh()
    bars = tv.plots.gradients
    assert bars.boxes == g.nodes()  # before training: one evaluation, every box in graph order
    tv.runner.step_epoch()
    assert bars.boxes == [n for n in g.nodes() if n in bars.boxes] and len(bars.boxes) == len(g.nodes())
    target = g.parameters()[0]
    win.select_nodes([target])
    brushes = bars.brushes()
    highlighted = [b for b, c in zip(bars.boxes, brushes, strict=True) if c != brushes[bars.boxes.index(g.nodes()[-1])]]
    assert highlighted == [target]
    tv.plots.bottom.setCurrentWidget(tv.plots.parameters)
    win.select_nodes([target])
    assert tv.plots.parameters.choice.currentData() == target
    assert tv.plots.parameters.choice.currentText() == g.label(target) != target  # the learner reads labels


def test_contour_segments_lie_on_the_level():
    from gui.panels.plots_boundary import contour_segments
    yy, xx = np.mgrid[0:30, 0:40].astype(float)
    sx, sy = contour_segments(xx - 12.3)  # a vertical line x = 12.3
    assert len(sx) == 2 * 29 and np.allclose(sx, 12.3)
    r = np.hypot(xx - 20, yy - 15)
    sx, sy = contour_segments(r - 8.0)  # a circle of radius 8: endpoints on it (to the grid's accuracy)
    assert len(sx) > 40 and np.abs(np.hypot(sx - 20, sy - 15) - 8.0).max() < 0.1
    saddle = np.array([[1.0, -1.0], [-1.0, 1.0]])
    sx, sy = contour_segments(saddle)
    assert len(sx) == 4  # two segments in the one saddle cell


def _legend_names(plot_widget):
    return [label.text for _, label in plot_widget.getPlotItem().legend.items]


def test_cost_legend_names_test_only_when_there_are_test_points(main_window, qtbot, tmp_path):
    win = main_window
    g = open_lesson(win, "logistic_regression", tmp_path, qtbot)
    assert g.meta["dataset"]["test_fraction"] == 0.0
    tv = win.training
    tv.runner.step_epoch()
    tv.refresh()
    cost = tv.plots.cost
    assert _legend_names(cost.cost_plot) == ["train"]
    assert _legend_names(cost.acc_plot) == ["train"]
    # With a test share the test curve exists, and so does its legend entry.
    block = dict(g.meta["dataset"], test_fraction=0.3)
    g.set_meta("dataset", block)
    tv.runner.step_epoch()
    tv.refresh()
    assert _legend_names(cost.cost_plot) == ["train", "test"]
