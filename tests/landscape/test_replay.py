"""Replay (graphcore/replay.py): the parameters at epoch k equal a fresh run of k epochs when
the History kept epoch k; otherwise the nearest kept epoch, said so; scrubbing changes nothing."""
import numpy as np
import pytest

from graphcore import fileformat, lessons, replay
from graphcore.errors import EvaluationError
from graphcore.training import History, Trainer

XOR = lessons.path_of("xor_network")


def fresh(k, **kw) -> np.ndarray:
    t = Trainer(fileformat.load(XOR), epochs=k, **kw)
    t.train()
    return t.params


def test_params_at_epoch_k_equal_a_fresh_run_of_k_epochs():
    t = Trainer(fileformat.load(XOR), epochs=60, batch_size=20, seed=4)
    start = t.params.copy()
    t.train()
    for k in (1, 2, 17, 37, 60):
        snap = replay.params_at(t.history, k, start)
        assert snap.exact and snap.note == ""
        assert np.array_equal(snap.params, fresh(k, batch_size=20, seed=4)), k
    zero = replay.params_at(t.history, 0, start)
    assert zero.exact and np.array_equal(zero.params, start)


def test_scrubbing_back_and_forth_100_times_changes_nothing():
    t = Trainer(fileformat.load(XOR), epochs=40)
    t.train()
    before = (t.history.params.copy(), t.history.row_epochs.copy(), t.params.copy())
    first = {k: replay.params_at(t.history, k).params for k in range(1, 41)}
    rng = np.random.default_rng(0)
    for k in rng.integers(1, 41, 100):
        snap = replay.params_at(t.history, int(k))
        snap.params[:] = 0  # a caller scribbling on its copy must not reach the history
    for k in range(1, 41):
        assert np.array_equal(replay.params_at(t.history, k).params, first[k])
    assert np.array_equal(t.history.params, before[0]) and np.array_equal(t.history.row_epochs, before[1])
    assert np.array_equal(t.params, before[2])


def test_a_thinned_epoch_gives_the_nearest_kept_and_says_which():
    t = Trainer(fileformat.load(XOR), epochs=40)
    t.history = History(t.param_ids, t.plan.keys, max_rows=8)  # thins after 8 rows, as 2048 would
    t.train()
    kept = replay.kept_epochs(t.history)
    assert len(kept) <= 8 and kept[-1] == 40 and np.all(np.diff(kept) == kept[0])
    k = int(kept[2])
    assert np.array_equal(replay.params_at(t.history, k).params, fresh(k))  # a kept epoch is exact
    snap = replay.params_at(t.history, k + 1)
    assert not snap.exact and snap.epoch == k
    assert f"epoch {k + 1} is not kept" in snap.note and f"showing epoch {k}" in snap.note
    assert np.array_equal(snap.params, fresh(k))


def test_bad_epochs_are_refused_with_the_range():
    t = Trainer(fileformat.load(XOR), epochs=5)
    t.train()
    for bad in (-1, 6, 2.5, True):
        with pytest.raises(EvaluationError, match="from 0 to 5"):
            replay.params_at(t.history, bad)


def test_memory_is_rows_times_params_and_variables_times_8_bytes():
    t = Trainer(fileformat.load(XOR), epochs=10)
    t.train()
    mem = replay.memory_bytes(t.history)
    p, v = len(t.param_ids), len(t.plan.keys)
    assert mem["rows"] == 10 and mem["params_bytes"] == p * 10 * 8
    assert mem["bytes"] == (2 * p + v) * 8 * 10 and mem["cap"] == (2 * p + v) * 8 * 2048
    assert t.history.params.nbytes == mem["params_bytes"]
