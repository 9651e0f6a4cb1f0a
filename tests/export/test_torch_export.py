"""The PyTorch export, run in a subprocess where torch is installed: the same values,
gradients and trained cost as the app to 1e-6 (SPEC §7), with torch.optim doing the steps."""
from __future__ import annotations

import ast

import pytest

from graphcore import fileformat
from graphcore.export import to_numpy, to_torch
from graphcore.graph import Graph

from tests.export.export_helpers import assert_first_pass_matches, assert_training_matches, run_scripts
from tests.export.graphs import EXAMPLES, TRAINING, examples, logistic, random_trainable

torch = pytest.importorskip("torch", reason="torch is not installed: the PyTorch export cannot be run")

TOL = 1e-6
EPOCHS = 60


@pytest.mark.slow
def test_torch_scripts_match_the_app(tmp_path):
    """One process for all (torch's import costs seconds): the lessons, every optimizer
    with mini-batches, random graphs over the whole catalogue, and two odd graphs (two boxes
    on one data column; a lesson without parameters) run for their own epochs."""
    lessons = examples()
    graphs = lessons + [logistic(opt, bs, extra) for opt, bs, extra in TRAINING] + \
        [random_trainable(n, seed) for seed, n in ((1, 60), (2, 90), (4, 150))]
    odd = _odd_graphs()
    # the lessons train for hundreds of epochs; 60 show the same agreement in a fraction of the time
    results = run_scripts([to_torch(g) for g in graphs + odd], tmp_path, timeout=300,
                          each=[EPOCHS] * len(graphs) + [None] * len(odd))
    for g, r in zip(graphs, results):
        assert "error" not in r, (g.meta["name"], r)
        # torch gives no gradient to data columns the cost does not reach; the rest must agree
        assert_first_pass_matches(g, r, TOL, all_grads=False)
        if g.meta.get("loss") and g.parameters():  # J = 3(a + bc) has nothing to train
            assert_training_matches(g, r, TOL, epochs=EPOCHS)
    for graph, r in zip(odd, results[len(graphs):]):
        assert "error" not in r, r
        assert_first_pass_matches(graph, r, TOL, all_grads=True)  # dJ/dx of the lesson's x too


def test_parameters_have_the_numpy_scripts_names():
    g = logistic("adam", 16)
    text = to_torch(g)
    tree = ast.parse(text)
    model = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Model")
    attrs = [t.attr for n in ast.walk(model) if isinstance(n, ast.Assign) for t in n.targets
             if isinstance(t, ast.Attribute)]
    assert attrs == ["w1", "w2", "b"]
    assert "torch.optim.Adam(params, lr=0.3, betas=(0.8, 0.99)" not in text  # the graph's own betas
    assert "torch.optim.Adam(params, lr=0.3, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0" in text
    numpy_text = to_numpy(g)
    for name in ("w1", "w2", "b"):
        assert f"{name} = np.asarray(params[{name!r}]" in numpy_text


def _odd_graphs():
    """Two boxes reading one data column; a lesson without parameters."""
    g = Graph("one column, two boxes")
    g.add_node("input", "a", column="x1")
    g.add_node("input", "b", column="x1")
    g.add_node("parameter", "w", value=0.7)
    g.add_node("mul", "m")
    g.connect("a", "m", 0)
    g.connect("w", "m", 1)
    g.add_node("sin", "s")
    g.connect("b", "s", 0)
    g.add_node("add", "L")
    g.connect("m", "L", 0)
    g.connect("s", "L", 1)
    g.set_meta("loss", "L")
    g.set_meta("dataset", {"points": {"x1": [0.1, 0.4, 0.9]}})
    g.set_meta("training", {"optimizer": "sgd", "lr": 0.1, "epochs": 4})
    lesson = fileformat.load(next(p for p in EXAMPLES if p.name.startswith("x_squared")))
    return [g, lesson]
