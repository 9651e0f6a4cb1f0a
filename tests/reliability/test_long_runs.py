"""Long runs: 10,000 epochs keep memory flat (the History is compact) and a data set of
1,000,000 points trains headless with sane memory. Figures are printed (run with -s),
never compared with a clock."""
from __future__ import annotations

import json
import time
import tracemalloc

import numpy as np
import pytest

from graphcore import datasets, fileformat
from graphcore.training import Trainer
from tests.reliability.reliability_docs import logistic_logits_doc



def logistic_graph(**training):
    """x1·w1 + x2·w2 + b into bce_logits: a model that stays finite however long it trains
    (the data are noisy, so the weights do not run off to infinity)."""
    doc = logistic_logits_doc({"generator": "diag", "n": 100, "seed": 0, "noise": 0.15, "test_fraction": 0.2},
                              {"optimizer": "sgd", "lr": 0.5, "epochs": 100, "batch_size": None, "seed": 0,
                               **training})
    return fileformat.loads(json.dumps(doc))


@pytest.mark.slow
def test_thousands_of_epochs_keep_memory_flat():
    """Epochs 2,049…4,096 traced: the per-epoch arrays double once (capacities are 64·2^k, so the
    window holds exactly one doubling, as any window of that length would) and the per-row
    history starts thinning at its 2,048 rows. (It traced 9,500 epochs, for the same figure.)"""
    trainer = Trainer(logistic_graph(), epochs=4_096)
    trainer.train(2_048)  # warm up: plan, optimizer state, the history's rows filled to their cap
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        t0 = time.perf_counter()
        trainer.train(2_048)
        seconds = time.perf_counter() - t0
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert trainer.status == "done", trainer.error
    assert trainer.epoch == 4_096 and len(trainer.history) == 4_096
    assert np.all(np.isfinite(trainer.history.cost))
    # Per-epoch scalars may grow (a few numbers each); per-parameter and per-Variable rows are
    # thinned to a fixed number. A list of per-epoch dicts would cost ~300 bytes an epoch.
    per_epoch = grown / 2_048
    assert grown < 1_500_000 and per_epoch < 160, f"{grown} bytes for 2,048 epochs"
    assert len(trainer.history.row_epochs) <= trainer.history.max_rows
    print(f"\n4,096 epochs: +{grown / 1e3:.0f} kB over the last 2,048 ({per_epoch:.0f} B/epoch), "
          f"{seconds:.2f} s under tracemalloc")


@pytest.mark.slow
def test_a_million_points_train_headless():
    data = datasets.generate("diag", 1_000_000, seed=1, noise=0.1)
    graph = logistic_graph()
    tracemalloc.start()
    try:
        t0 = time.perf_counter()
        full = Trainer(graph, data, epochs=2)
        full.train()
        t1 = time.perf_counter()
        batched = Trainer(graph, data, epochs=1, batch_size=200_000)
        batched.train()
        t2 = time.perf_counter()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    for trainer in (full, batched):
        assert trainer.status == "done", trainer.error
        assert np.isfinite(trainer.history.cost[-1])
    assert batched.history.cost[-1] < full.history.cost[0]  # five steps on big batches did learn
    # The inputs alone are 3 columns × 8 MB; each box's Variable and gradient adds one more column.
    assert peak < 1_000_000_000, f"peak {peak / 1e6:.0f} MB"
    print(f"\n1,000,000 points: 2 full-batch epochs {t1 - t0:.2f} s, one epoch of 5 batches {t2 - t1:.2f} s, "
          f"peak traced memory {peak / 1e6:.0f} MB")
