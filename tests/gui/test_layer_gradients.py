"""The Plots' Layers tab: ‖dJ/dW‖ per layer (or neuron) of a grouped network, and over the epochs."""
import numpy as np

from graphcore import lessons
from graphcore.group_grads import evaluation_norms, units


def test_layers_tab_shows_the_vanishing_gradient(main_window, qtbot):
    win = main_window
    win.files.open(str(lessons.path_of("vanishing_gradients")), ask=False)
    plots = win.training.plots
    win.plots_dock.show()
    win.plots_dock.raise_()
    plots.bottom.setCurrentWidget(win.layer_gradients)
    qtbot.waitUntil(lambda: len(win.layer_gradients.names) == 7, timeout=3000)
    w = win.layer_gradients
    g, ev = win.document.graph, win.document.evaluation
    assert np.allclose(w.values, evaluation_norms(g, units(g), ev))
    assert w.values[0] < 1e-2 * w.values[-1]
    ticks = w.bar_plot.getPlotItem().getAxis("left")._tickLevels[0]
    assert [t for _, t in ticks] == [f"layer {i}" for i in range(1, 8)]  # group names, never box ids
    w.per_neuron.setChecked(True)
    assert len(w.names) == 25 and w.names[0] == "neuron 1.1"
    w.per_neuron.setChecked(False)
    for _ in range(3):
        win.training.runner.step_epoch()
    win.layer_gradients_view.refresh()
    w.over_epochs.setChecked(True)
    assert w.line_plot.isVisible() and not w.bar_plot.isVisible()
    curve = w.curves["layer 1"]
    xs, ys = curve.getData()
    assert list(xs) == [1, 2, 3] and np.all(ys < w.curves["layer 7"].getData()[1])
    assert w.caption.text().startswith("epoch 3")


def test_a_graph_without_groups_says_how_to_get_some(main_window, qtbot):
    win = main_window
    win.files.open(str(lessons.path_of("logistic_regression")), ask=False)
    win.plots_dock.show()
    win.plots_dock.raise_()
    win.training.plots.bottom.setCurrentWidget(win.layer_gradients)
    win.layer_gradients_view.refresh()
    assert win.layer_gradients.names == [] and "Insert ▸ Network" in win.layer_gradients.caption.text()
