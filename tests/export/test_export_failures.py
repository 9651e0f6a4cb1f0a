"""Exported scripts fail like the app: one line and exit 2 on a nan or inf (naming the box),
no warning on a clean run; class labels a loss cannot take are refused before export."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from graphcore import fileformat, labels
from graphcore.errors import DomainError
from graphcore.export import export
from graphcore.training import Trainer

FORMAT = "backprop-studio.graph"
EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "assets", "examples")


def _run(path, *args):
    return subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True, timeout=300,
                          cwd=path.parent, env=dict(os.environ))


def test_the_numpy_script_stops_on_nan_with_one_line_and_exit_2(tmp_path):
    g = fileformat.loads(json.dumps({
        "format": FORMAT, "version": 1, "loss": "L",
        "nodes": [{"id": "w", "op": "parameter", "value": -1.0}, {"id": "L", "op": "log"}],
        "edges": [{"src": "w", "dst": "L", "port": 0}]}))
    path = tmp_path / "nan.py"
    path.write_text(export(g, "numpy"), encoding="utf-8")
    proc = _run(path)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["error: forward: box 'L' produced a non-finite value"]


def test_the_torch_script_prints_no_warning(tmp_path):
    pytest.importorskip("torch")
    g = fileformat.load(os.path.join(EXAMPLES, "logistic_regression.graph.json"))
    path = tmp_path / "lr_torch.py"
    path.write_text(export(g, "torch"), encoding="utf-8")
    # run as a learner runs it (the --json runs of every export are checked for warnings by
    # export_helpers.run_scripts, in the one process the torch export tests share)
    proc = _run(path, "--epochs", "2")
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr, proc.stderr


def _classifier(loss: str, ys: list, k: int = 2):
    """x1 → loss(logits, y) → mean, labels from inline points."""
    if loss == "cross_entropy":
        nodes = [{"id": "x1", "op": "input"}, {"id": "w", "op": "parameter", "value": 0.5},
                 {"id": "z", "op": "mul"}, {"id": "y", "op": "input"},
                 {"id": "L", "op": "cross_entropy", "label": "the cost", "attrs": {"k": k}}, {"id": "J", "op": "mean"}]
        edges = [{"src": "x1", "dst": "z", "port": 0}, {"src": "w", "dst": "z", "port": 1}]
        edges += [{"src": "z", "dst": "L", "port": p} for p in range(k)]
        edges += [{"src": "y", "dst": "L", "port": k}, {"src": "L", "dst": "J", "port": 0}]
    else:
        first = "s" if loss == "bce" else "z"
        nodes = [{"id": "x1", "op": "input"}, {"id": "w", "op": "parameter", "value": 0.5},
                 {"id": "z", "op": "mul"}, {"id": "s", "op": "sigmoid"}, {"id": "y", "op": "input"},
                 {"id": "L", "op": loss, "label": "the cost"}, {"id": "J", "op": "mean"}]
        edges = [{"src": "x1", "dst": "z", "port": 0}, {"src": "w", "dst": "z", "port": 1},
                 {"src": "z", "dst": "s", "port": 0}, {"src": first, "dst": "L", "port": 0},
                 {"src": "y", "dst": "L", "port": 1}, {"src": "L", "dst": "J", "port": 0}]
    return fileformat.loads(json.dumps({"format": FORMAT, "version": 1, "nodes": nodes, "edges": edges,
                                        "loss": "J",
                                        "dataset": {"points": {"x1": [0.1 * i for i in range(len(ys))], "y": ys}}}))


@pytest.mark.parametrize("loss, ys, k, needs", [
    ("bce", [0, 1, 2], 2, "0 or 1"),
    ("bce_logits", [0, 1, 0.5], 2, "0 or 1"),
    ("bce", [0, 1, 1e300], 2, "0 or 1"),
    ("cross_entropy", [0, 2, 3], 3, "a whole number from 0 to 2"),
    ("cross_entropy", [0, -1, 1], 3, "a whole number from 0 to 2"),
])
def test_labels_the_loss_cannot_take_are_refused_everywhere(loss, ys, k, needs):
    g = _classifier(loss, ys, k)
    bad = next(i for i, y in enumerate(ys) if labels.first_bad([y], loss, k) is not None)
    expected = (f"column 'y', row {bad + 1}: label {float(ys[bad]):g} is not a class of the loss box "
                f"'the cost' ({loss} needs {needs})")
    for attempt in (lambda: Trainer(g), lambda: export(g, "numpy"), lambda: export(g, "torch")):
        with pytest.raises(DomainError) as info:
            attempt()
        assert str(info.value) == expected and info.value.nodes[0] == "L"
    from graphcore.engine import compile_graph
    from graphcore import datasets
    with pytest.raises(DomainError, match="is not a class of the loss box"):
        compile_graph(g).run(datasets.for_graph(g).train())


def test_good_labels_train():
    for loss, ys, k in (("bce", [0, 1, 1], 2), ("bce_logits", [1, 0, 1], 2), ("cross_entropy", [0, 2, 1], 3)):
        assert Trainer(_classifier(loss, ys, k), epochs=2).train()["epochs"] == 2
