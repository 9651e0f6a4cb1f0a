"""The window with a huge data set and a long run: it draws a subsample with a notice
instead of a million points, and training goes on in slices. Figures are printed (-s)."""
from __future__ import annotations

import json
import time

import pytest

from gui.panels.plots_boundary import MAX_DRAWN
from tests.reliability.reliability_docs import logistic_logits_doc



def logistic_doc(n: int, epochs: int, batch_size=None) -> dict:
    return logistic_logits_doc({"generator": "diag", "n": n, "seed": 0, "noise": 0.1, "test_fraction": 0.1},
                               {"optimizer": "sgd", "lr": 0.5, "epochs": epochs, "batch_size": batch_size, "seed": 0})


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
