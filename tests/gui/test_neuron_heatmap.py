"""The inspector's neuron picture: a box of a neuron selected in a two-input network shows that
neuron's output over the input plane (the engine's numbers), live while training."""
import numpy as np

from graphcore import fileformat
from graphcore.builder import mlp
from graphcore.engine import compile_graph

XOR = {"generator": "xor", "n": 100, "seed": 0, "noise": 0.0, "test_fraction": 0.0}


def open_xor(win, tmp_path):
    g = mlp(["x1", "x2"], [4], "relu", "bce", seed=0, name="xor", groups=True, dataset=XOR,
            training={"optimizer": "momentum", "lr": 0.1, "epochs": 30, "batch_size": None, "seed": 0})
    path = tmp_path / "xor.graph.json"
    fileformat.save(g, path)
    win.files.open(str(path), ask=False)
    return win.document.graph


def test_selecting_a_neuron_s_box_shows_its_output_over_the_plane(main_window, tmp_path, qtbot):
    win = main_window
    g = open_xor(win, tmp_path)
    w = win.neuron_heatmap
    win.select_nodes(["w1_3_2"])
    assert w.isVisible() and w.map.group == "neuron 1.3" and w.map.variable == "h1_3"
    m = w.map
    j, i = 7, 20  # one grid point: the engine at that point gives the same value
    ev = compile_graph(g).run({"x1": np.array([m.xs[i]]), "x2": np.array([m.ys[j]]), "y": np.array([0.0])})
    assert float(np.asarray(ev.value("h1_3")).ravel()[0]) == m.values[j, i]
    assert "neuron 1.3" in w.caption.text() and "h1_3" not in w.caption.text()  # labels, not ids
    win.select_nodes(["h1_1", "h1_2"])  # two neurons: the layer has 4 outputs, no one picture
    assert not w.isVisible()
    win.select_nodes(["y"])
    assert not w.isVisible()
    win.select_nodes(["h1_2"])  # it follows training
    before = win.neuron_heatmap.map.values.copy()
    win.training.runner.train()
    qtbot.waitUntil(lambda: win.training.runner.state != "running", timeout=10000)
    win.neuron_heatmap_view.refresh()
    assert not np.array_equal(before, win.neuron_heatmap.map.values)
