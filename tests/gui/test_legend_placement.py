"""A plot's legend sits where it covers the fewest of its points: after xor trains, the
accuracy curve runs along 100 % at the right, where the legend used to cover it."""
from gui.panels.plots_common import CORNERS, legend_corner, place_legend, scene_points
from tests.gui.training_helpers import open_lesson


def _covered(plot_widget) -> int:
    plot_item = plot_widget.getPlotItem()
    r = plot_item.legend.sceneBoundingRect()
    p = scene_points(plot_item)
    return int(((p[:, 0] >= r.left()) & (p[:, 0] <= r.right()) & (p[:, 1] >= r.top()) & (p[:, 1] <= r.bottom())).sum())


def _covered_at(plot_widget, corner, qtbot) -> int:
    """How many points the legend covers in that corner (it is put back afterwards)."""
    legend = plot_widget.getPlotItem().legend
    legend.anchor(itemPos=corner, parentPos=corner, offset=(4 if corner[0] == 0 else -4, 4 if corner[1] == 0 else -4))
    qtbot.wait(20)
    n = _covered(plot_widget)
    back = legend_corner(legend, (1, 0) if plot_widget.objectName() != "plot_derivative" else (0, 0))
    legend.anchor(itemPos=back, parentPos=back, offset=(4 if back[0] == 0 else -4, 4 if back[1] == 0 else -4))
    qtbot.wait(20)
    return n


def test_cost_and_accuracy_legends_do_not_cover_the_trained_curves(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    win.resize(1400, 860)
    win.plots_dock.raise_()
    cost = win.training.plots.cost
    win.training.plots.bottom.setCurrentWidget(cost)
    tv = win.training
    tv.runner.train()
    qtbot.waitUntil(lambda: tv.runner.state != "running", timeout=60_000)
    win.training.refresh()
    qtbot.wait(100)
    for pw in (cost.cost_plot, cost.acc_plot):  # placed by the plot itself when it drew the run
        assert len(scene_points(pw.getPlotItem())) > 100
        assert _covered(pw) == min(_covered_at(pw, corner, qtbot) for corner in CORNERS), pw.objectName()
    # the rising accuracy leaves the bottom right free, not the top right where the legend was
    assert _covered(cost.acc_plot) == 0


def test_f_of_x_legend_takes_the_least_covered_corner(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "sin2x", tmp_path, qtbot)
    win.resize(1400, 860)
    win.plots_dock.raise_()
    d = win.training.plots.derivative
    win.training.plots.top.setCurrentWidget(d)
    win.training.refresh()
    qtbot.wait(100)
    chosen = _covered(d.plot)
    assert len(scene_points(d.plot.getPlotItem())) > 100
    # the top left, where it always was, covers part of sin 2x; the chosen corner covers least
    assert chosen == min(_covered_at(d.plot, corner, qtbot) for corner in CORNERS)
    assert chosen < _covered_at(d.plot, (0, 0), qtbot)


def test_an_empty_plot_leaves_its_legend_where_it_was(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    cost = win.training.plots.cost
    cost.set_history(None)
    before = cost.acc_plot.getPlotItem().legend.pos()
    place_legend(cost.acc_plot)
    qtbot.wait(20)
    assert cost.acc_plot.getPlotItem().legend.pos() == before  # top right, as created
