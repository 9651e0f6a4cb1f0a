"""The vanishing-gradient lessons: ‖dJ/dW‖ per layer shrinks back from the cost with sigmoid,
not with relu (graphcore.group_grads, read from the example files)."""
import numpy as np

from graphcore import datasets, fileformat, lessons
from graphcore.engine import compile_graph
from graphcore.group_grads import evaluation_norms, history_norms, units
from graphcore.training import Trainer


def layer_norms(name):
    g = fileformat.load(lessons.path_of(name))
    ev = compile_graph(g).run(datasets.for_graph(g).train())
    names = units(g)
    return names, evaluation_norms(g, names, ev)


def test_sigmoid_first_layer_gradient_is_much_smaller_than_the_last():
    names, n = layer_norms("vanishing_gradients")
    assert names == [f"layer {i}" for i in range(1, 8)]
    assert n[0] < 1e-2 * n[-1]
    assert all(n[i] < n[i + 1] for i in range(len(n) - 1))  # shrinking layer by layer


def test_relu_twin_does_not_shrink():
    _, n = layer_norms("vanishing_gradients_relu")
    assert n[0] > 0.1 * n[-1]


def test_per_neuron_and_over_epochs():
    g = fileformat.load(lessons.path_of("vanishing_gradients"))
    assert len(units(g, per_neuron=True)) == 6 * 4 + 1
    t = Trainer(g, epochs=5)
    t.train()
    names = units(g)
    epochs, rows = history_norms(g, names, t.history)
    assert list(epochs) == [1, 2, 3, 4, 5] and rows.shape == (5, 7)
    # the first epoch's row is the mean gradient at the start, as one evaluation gives it
    ev = compile_graph(g).run(datasets.for_graph(g).train())
    assert np.allclose(rows[0], evaluation_norms(g, names, ev), rtol=1e-9)
