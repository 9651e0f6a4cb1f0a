"""The Plots' Layers tab: ‖dJ/dW‖ per layer (or neuron) of a grouped network, and over the epochs."""
import numpy as np

from graphcore import fileformat, lessons
from graphcore.group_grads import evaluation_norms, units
from graphcore.network import NetworkSpec, build_network

SIMPLE = {"generator": "simple", "n": 40, "seed": 0, "noise": 0.0, "test_fraction": 0.0}


def test_layers_tab_bars_per_neuron_and_over_epochs(main_window, qtbot, tmp_path):
    win = main_window
    g = build_network(NetworkSpec(["x1", "x2"], [3, 3, 3], ["sigmoid"], "sigmoid_bce", seed=3, name="deep"))
    g.set_meta("dataset", SIMPLE)
    g.set_meta("training", {"optimizer": "momentum", "lr": 0.1, "epochs": 3, "batch_size": None, "seed": 0})
    fileformat.save(g, tmp_path / "deep.graph.json")
    win.files.open(str(tmp_path / "deep.graph.json"), ask=False)
    win.plots_dock.show()
    win.plots_dock.raise_()
    win.training.plots.bottom.setCurrentWidget(win.layer_gradients)
    qtbot.waitUntil(lambda: len(win.layer_gradients.names) == 4, timeout=3000)
    w = win.layer_gradients
    g, ev = win.document.graph, win.document.evaluation
    assert np.allclose(w.values, evaluation_norms(g, units(g), ev))
    assert w.values[0] < w.values[-1]  # sigmoid: smaller back from the cost
    ticks = w.bar_plot.getPlotItem().getAxis("left")._tickLevels[0]
    assert [t for _, t in ticks] == [f"layer {i}" for i in range(1, 5)]  # group names, never box ids
    w.per_neuron.setChecked(True)
    assert len(w.names) == 10 and w.names[0] == "neuron 1.1"
    w.per_neuron.setChecked(False)
    for _ in range(3):
        win.training.runner.step_epoch()
    win.layer_gradients_view.refresh()
    w.over_epochs.setChecked(True)
    assert w.line_plot.isVisible() and not w.bar_plot.isVisible()
    xs, ys = w.curves["layer 1"].getData()
    assert list(xs) == [1, 2, 3] and np.all(ys < w.curves["layer 4"].getData()[1])
    assert w.caption.text().startswith("epoch 3")
    win.files.open(str(lessons.path_of("logistic_regression")), ask=False)  # no groups: says how to get some
    win.layer_gradients_view.refresh()
    assert w.names == [] and "Insert ▸ Network" in w.caption.text()


def test_readme_figure_tool_draws_a_trained_network(tmp_path):
    from gui.panels.layers_screenshot import main
    g = build_network(NetworkSpec(["x1", "x2"], [2, 2], ["sigmoid"], "sigmoid_bce", name="small"))
    g.set_meta("dataset", SIMPLE)
    g.set_meta("training", {"optimizer": "sgd", "lr": 0.1, "epochs": 4, "batch_size": None, "seed": 0})
    fileformat.save(g, tmp_path / "small.graph.json")
    assert main([str(tmp_path / "small.graph.json"), str(tmp_path / "out.png"), "--size", "320x200"]) == 0
    assert (tmp_path / "out.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
