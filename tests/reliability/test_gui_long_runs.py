"""The window with a huge data set and a long run: it draws a subsample with a notice
instead of a million points, and training goes on in slices. Figures are printed (-s)."""
from __future__ import annotations

import json
import time

import pytest

from gui.panels.plots_boundary import MAX_DRAWN

FORMAT = "backprop-studio.graph"


def logistic_doc(n: int, epochs: int, batch_size=None) -> dict:
    return {"format": FORMAT, "version": 1, "name": "big logistic regression",
            "nodes": [{"id": "x1", "op": "input", "column": "x1"}, {"id": "x2", "op": "input", "column": "x2"},
                      {"id": "y", "op": "input", "column": "y"},
                      {"id": "w1", "op": "parameter", "value": 0.3}, {"id": "w2", "op": "parameter", "value": -0.2},
                      {"id": "b", "op": "parameter", "value": 0.0},
                      {"id": "m1", "op": "mul"}, {"id": "m2", "op": "mul"}, {"id": "s", "op": "add"},
                      {"id": "z", "op": "add"}, {"id": "L", "op": "bce_logits"}, {"id": "p", "op": "sigmoid"}],
            "edges": [{"src": "x1", "dst": "m1", "port": 0}, {"src": "w1", "dst": "m1", "port": 1},
                      {"src": "x2", "dst": "m2", "port": 0}, {"src": "w2", "dst": "m2", "port": 1},
                      {"src": "m1", "dst": "s", "port": 0}, {"src": "m2", "dst": "s", "port": 1},
                      {"src": "s", "dst": "z", "port": 0}, {"src": "b", "dst": "z", "port": 1},
                      {"src": "z", "dst": "L", "port": 0}, {"src": "y", "dst": "L", "port": 1},
                      {"src": "z", "dst": "p", "port": 0}],
            "loss": "L", "output": "p",
            "dataset": {"generator": "diag", "n": n, "seed": 0, "noise": 0.1, "test_fraction": 0.1},
            "training": {"optimizer": "sgd", "lr": 0.5, "epochs": epochs, "batch_size": batch_size, "seed": 0}}


def open_doc(win, tmp_path, doc):
    path = tmp_path / "big.graph.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert win.files.open(str(path), ask=False)


def drawn_points(plot) -> int:
    return len(plot.train_points.data) + len(plot.test_points.data)


@pytest.mark.slow
def test_a_million_points_are_drawn_as_a_subsample_with_a_notice(window, tmp_path, qtbot):
    t0 = time.perf_counter()
    open_doc(window, tmp_path, logistic_doc(1_000_000, epochs=2, batch_size=250_000))
    window.plots_dock.show()
    plot = window.training.plots.boundary
    qtbot.waitUntil(lambda: drawn_points(plot) > 0, timeout=20_000)
    opened = time.perf_counter() - t0
    assert drawn_points(plot) <= MAX_DRAWN
    assert "of 1,000,000 points" in plot.status.text()
    runner = window.training.runner
    t1 = time.perf_counter()
    runner.train()
    qtbot.waitUntil(lambda: runner.state in ("done", "failed"), timeout=25_000)
    trained = time.perf_counter() - t1
    assert runner.state == "done", runner.message
    assert drawn_points(plot) <= MAX_DRAWN and "of 1,000,000 points" in plot.status.text()
    print(f"\n1,000,000 points in the window: opened and drawn in {opened:.1f} s, "
          f"2 epochs of 4 batches in {trained:.1f} s")


def test_a_small_data_set_is_drawn_whole_without_a_notice(window, tmp_path, qtbot):
    open_doc(window, tmp_path, logistic_doc(300, epochs=1))
    window.plots_dock.show()
    plot = window.training.plots.boundary
    qtbot.waitUntil(lambda: drawn_points(plot) > 0, timeout=10_000)
    assert drawn_points(plot) == 300 and "points" not in plot.status.text()
