"""The Trainer: history, batching, pause/resume/stop/step, failure naming the box."""
import math

import numpy as np
import pytest

from graphcore import epoch_lane, fileformat, lessons, optim
from graphcore.builder import GraphBuilder, mlp
from graphcore.errors import EvaluationError, NonFiniteError
from graphcore.training import History, Trainer, init_scales, initial_values, mean_abs


def logistic(n=40, **training):
    g = mlp(["x1", "x2"], [], dataset={"generator": "diag", "n": n, "seed": 0, "test_fraction": 0.25})
    g.set_values({"w1_1_1": 0.2, "w1_1_2": -0.1, "b1_1": 0.0})
    if training:
        g.set_meta("training", training)
    return g


def parabola():
    """J = (a − 3)², no data: gradient descent on one parameter."""
    b = GraphBuilder("parabola")
    b.parameter("a", 0.0)
    b.constant("k", 3.0)
    b.box("squared_error", "a", "k", id="J")
    b.meta(loss="J")
    return b.graph


def test_gradient_descent_by_hand_on_a_parabola():
    tr = Trainer(parabola(), optimizer="sgd", lr=0.1, epochs=3)
    tr.train()
    a = 0.0
    for _ in range(3):  # dJ/da = 2(a − 3)
        a -= 0.1 * 2 * (a - 3)
    assert tr.params[0] == pytest.approx(a, abs=1e-15)
    assert list(tr.history.epochs) == [1, 2, 3]
    assert tr.history.cost[0] == 9.0  # measured before the first step
    assert math.isnan(tr.history.accuracy[0])  # no output, no labels


def test_settings_come_from_the_training_block_then_flags():
    g = logistic(optimizer="rmsprop", lr=0.3, epochs=7, batch_size=8, seed=4, alpha=0.5)
    tr = Trainer(g)
    assert (tr.optimizer_name, tr.lr, tr.epochs, tr.batch_size, tr.seed) == ("rmsprop", 0.3, 7, 8, 4)
    assert tr.opt.hp["alpha"] == 0.5
    tr = Trainer(g, optimizer="adam", lr=0.01, epochs=2)
    assert (tr.optimizer_name, tr.lr, tr.epochs) == ("adam", 0.01, 2)
    assert "alpha" not in tr.opt.hp  # the block's options belong to its own optimizer
    assert Trainer(logistic(), optimizer="adagrad").lr == 1e-2  # torch's default


def test_optimizer_defaults_are_torchs():
    torch = pytest.importorskip("torch")
    p = [torch.zeros(1, requires_grad=True)]
    theirs = {"sgd": torch.optim.SGD(p).defaults, "adagrad": torch.optim.Adagrad(p).defaults,
              "rmsprop": torch.optim.RMSprop(p).defaults, "adam": torch.optim.Adam(p).defaults}
    for name, d in theirs.items():
        for key, value in optim.DEFAULTS[name].items():
            assert d[key] == value, (name, key)
    assert optim.DEFAULTS["momentum"]["momentum"] == 0.9  # SPEC §5


@pytest.mark.parametrize("name,options,msg", [
    ("nadam", {}, "unknown optimizer 'nadam'"),
    ("sgd", {"momentum": -1.0}, "'momentum' must be a number"),
    ("rmsprop", {"alpha": 1.5}, "'alpha' must be a number in"),
    ("adam", {"betas": [0.9, 1.0]}, "'betas' must be two numbers"),
    ("sgd", {"nesterov": True}, "nesterov needs momentum"),
])
def test_bad_optimizer_settings_are_refused(name, options, msg):
    with pytest.raises(optim.OptimizerError, match=msg):
        optim.make(name, 2, 0.1, options)


def test_a_graph_without_loss_cannot_train():
    g = logistic()
    g.set_meta("loss", None)
    with pytest.raises(EvaluationError, match="names no loss"):
        Trainer(g)


def test_history_records_every_epoch_compactly():
    g = logistic()
    tr = Trainer(g, optimizer="adam", lr=0.05, epochs=20)
    r = tr.train()
    h = tr.history
    assert len(h) == 20 and h.params.shape == (20, 3) and h.box_grads.shape == (20, len(tr.plan.keys))
    np.testing.assert_array_equal(h.params[-1], tr.params)
    assert h.cost[-1] < h.cost[0]
    assert np.all(~np.isnan(h.test_cost)) and np.all(~np.isnan(h.test_accuracy))
    # accuracy in history: share of the 30 training points right before the epoch's step
    assert set(np.round(h.accuracy * 30, 9)) <= set(range(31))
    # the Variable feeding the loss: mean |dJ/dp| over the batch, seen from the last epoch
    ev = tr.plan.run(tr.train_data, h.params[-2])
    assert h.box_grad("p")[-1] == pytest.approx(np.mean(np.abs(ev.grad("p"))), rel=1e-12)
    np.testing.assert_allclose(h.grads[-1], ev.param_grads, rtol=1e-12)
    assert r["history"][0] == {"epoch": 1, "cost": h.cost[0], "accuracy": h.accuracy[0],
                               "test_cost": h.test_cost[0], "test_accuracy": h.test_accuracy[0]}


def test_final_cost_and_accuracy_are_measured_after_the_last_step():
    g = logistic()
    tr = Trainer(g, optimizer="sgd", lr=0.5, epochs=5)
    r = tr.train()
    ev = tr.plan.run(tr.train_data, tr.params, backward=False)
    assert r["cost"] == ev.cost and r["cost"] != tr.history.cost[-1]
    pred = (ev.value("p") > 0.5).astype(float)
    assert r["accuracy"] == np.mean(pred == tr.train_data["y"])
    assert r["test_cost"] == tr.measure(tr.test_data)[0]


def test_minibatches_shuffle_with_the_seed():
    g = logistic(n=50)
    seen = []

    class Spy(Trainer):
        def _start_epoch(self):
            super()._start_epoch()
            seen.append([None if b is None else b.copy() for b in reversed(self._batches)])

    Spy(g, optimizer="sgd", lr=0.1, epochs=2, batch_size=16, seed=9).train()
    rng = np.random.default_rng(9)
    n_train = 50 - 12  # test_fraction 0.25 of 50 rounds to 12
    for batches in seen:
        perm = rng.permutation(n_train)
        assert [len(b) for b in batches] == [16, 16, 6]
        np.testing.assert_array_equal(np.concatenate(batches), perm)


def test_step_pause_resume_stop():
    g = logistic(n=50)
    calls = []
    tr = Trainer(g, optimizer="sgd", lr=0.1, epochs=4, batch_size=10, callback=lambda t: calls.append(t.epoch))
    cost = tr.step_batch()
    assert math.isfinite(cost) and tr.status == "paused" and tr.epoch == 0 and calls == [0]
    tr.run_epoch()  # finishes the epoch under way (4 batches of 38 points)
    assert tr.epoch == 1
    tr.callback = lambda t: t.pause() if t.epoch == 2 else None
    r = tr.train()
    assert tr.status == "paused" and tr.epoch == 2 and r["epochs"] == 2
    tr.callback = None
    tr.resume()
    assert tr.status == "done" and tr.epoch == 5  # the paused run keeps its target: 4 epochs from epoch 1
    tr.callback = lambda t: t.stop()
    tr.train(3)
    assert tr.status == "stopped" and tr.epoch == 6
    tr.callback = None
    tr.train(2)
    assert tr.status == "done" and tr.epoch == 8 and len(tr.history) == 8


def test_same_run_twice_gives_the_same_numbers():
    a = Trainer(logistic(), optimizer="adam", lr=0.05, epochs=5, batch_size=7, seed=2).train()
    b = Trainer(logistic(), optimizer="adam", lr=0.05, epochs=5, batch_size=7, seed=2).train()
    assert a["parameters"] == b["parameters"] and a["history"] == b["history"]


def test_divergence_fails_cleanly_naming_the_first_box():
    # squared error: a bce output would only saturate (its logs are clamped, as in torch)
    g = mlp(["x1", "x2"], [4], loss="squared_error", dataset={"generator": "xor", "n": 50, "seed": 0})
    start = {p: g.value(p) for p in g.parameters()}
    tr = Trainer(g, optimizer="sgd", lr=1e3, epochs=50, stop_on_divergence=False)  # the non-finite path
    r = tr.train()  # must not raise
    assert tr.status == "failed" and r["status"] == "failed"
    assert isinstance(tr.error, NonFiniteError) and tr.error.nodes[0] in g
    assert tr.error.nodes[0] in str(tr.error) and r["error"] == str(tr.error)
    assert np.all(np.isfinite(tr.params))
    assert {p: g.value(p) for p in g.parameters()} == start  # the graph is untouched
    assert math.isnan(tr.step_batch()) and tr.run_epoch() is None and tr.status == "failed"


def test_an_update_that_overflows_names_the_parameter():
    tr = Trainer(parabola(), optimizer="sgd", lr=1e308, epochs=3)
    tr.train()
    assert tr.status == "failed" and tr.error.nodes == ("a",) and "parameter 'a'" in str(tr.error)
    assert tr.params[0] == 0.0


def test_softmax_accuracy_is_argmax():
    g = mlp(["x1", "x2"], [3], loss="cross_entropy", classes=3, dataset={"generator": "spiral3", "n": 30})
    tr = Trainer(g, epochs=1)
    ev = tr.plan.run(tr.train_data, tr.params, backward=False)
    probs = np.stack([ev.value(f"p:{k}") for k in range(3)])
    expected = np.mean(probs.argmax(0) == tr.train_data["y"])
    assert tr.measure(tr.train_data)[1] == expected


def test_write_back_and_reset_parameters():
    g = logistic()
    tr = Trainer(g, optimizer="sgd", lr=0.5, epochs=3)
    tr.train()
    tr.write_back()
    assert [g.value(p) for p in tr.param_ids] == list(tr.params)
    tr.reset_parameters(seed=1)
    assert tr.epoch == 0 and len(tr.history) == 0 and tr.status == "ready"
    assert dict(zip(tr.param_ids, tr.params, strict=True)) == initial_values(g, 1)


def test_initial_values_scale_weights_by_fan_in_and_zero_biases():
    g = mlp(["x1", "x2"], [4, 3], dataset=None)
    scales = init_scales(g)
    assert scales["w1_1_1"] == pytest.approx(1 / math.sqrt(2))  # two inputs into a hidden unit
    assert scales["w2_3_4"] == pytest.approx(1 / math.sqrt(4))  # four hidden units into layer 2
    assert scales["w3_1_2"] == pytest.approx(1 / math.sqrt(3))
    assert scales["b1_1"] == 0.0 and initial_values(g, 5)["b2_2"] == 0.0
    assert initial_values(g, 5) == initial_values(g, 5) != initial_values(g, 6)
    z = np.random.default_rng(5).standard_normal(len(scales))
    assert initial_values(g, 5)["w1_1_1"] == z[0] * scales["w1_1_1"]


def test_history_stays_bounded_on_long_runs():
    h = History(["a"], ["a", "J"], max_rows=16)
    for e in range(1, 1001):
        h.append(e, {"cost": 1.0 / e}, [e], [0.0], [0.0, 0.0])
    assert len(h) == 1000 and h.cost[-1] == 1e-3
    assert len(h.row_epochs) <= 16 and h._params.shape[0] <= 16
    assert np.all(h.row_epochs % 64 == 0)  # thinned evenly
    np.testing.assert_array_equal(h.param("a"), h.row_epochs)


def test_logistic_regression_lesson_survives_a_saturated_sigmoid():
    """Adam at lr 0.5 drives |w| past 100, so σ gives exactly 0 or 1 on some points: bce then
    takes torch's clamped logs (finite) instead of 0·ln 0 = nan, and 6,000 epochs run through."""
    g = fileformat.load(lessons.path_of("logistic_regression"))
    tr = Trainer(g, optimizer="adam", lr=0.5, epochs=6000)
    result = tr.train()
    assert tr.status == "done" and tr.error is None and tr.epoch == 6000
    ev = tr.plan.run(tr.train_data, tr.params)
    p = ev.value("p")
    assert ((p == 0.0) | (p == 1.0)).any()  # the saturation really happened
    assert result["accuracy"] == 1.0 and np.isfinite(tr.history.cost).all()


def test_history_says_which_epochs_keep_a_row():
    h = History(["a"], ["a"], max_rows=8)
    for e in range(1, 300):
        rows_before = len(h.row_epochs)
        will = h.records(e)
        h.append(e, {"cost": 1.0}, [e], [0.0], [0.0] if will else None)  # no row: box_grads not needed
        kept = len(h.row_epochs) and h.row_epochs[-1] == e
        assert will == bool(kept), e
        assert will or len(h.row_epochs) <= rows_before


def test_mean_abs_is_the_loop_bit_for_bit():
    rng = np.random.default_rng(3)
    for m in (1, 7, 128, 1000, 3000):
        grads = [rng.normal(0, 10.0 ** rng.uniform(-8, 8), m) for _ in range(20)]
        grads += [np.asarray(rng.normal()), None, np.float64(-2.5), np.asarray(-0.0)]
        rng.shuffle(grads)
        loop = np.array([0.0 if g is None else float(np.mean(np.abs(g))) for g in grads])
        assert mean_abs(grads).tobytes() == loop.tobytes()


@pytest.mark.parametrize("batch_size", [None, 7])
def test_steps_ask_for_parameter_gradients_only_and_box_sizes_stay_the_same(batch_size, monkeypatch):
    """Mid-epoch batches run in params mode; the last batch of an epoch whose row is kept runs
    in full, so box_grads are each Variable's mean |dJ/dv| on that batch, as a full run gives."""
    tr = Trainer(logistic(), optimizer="adam", lr=0.05, epochs=6, batch_size=batch_size, seed=1)
    modes = []
    real_run = tr.plan.run

    def spy(data=None, params=None, backward=True, grads="all"):
        modes.append(grads)
        return real_run(data, params, backward, grads)
    monkeypatch.setattr(tr.plan, "run", spy)
    tr.history.max_rows = 4  # rows for epochs 1-4, then every 2nd: epoch 5 keeps none
    tr.train()
    assert tr.status == "done"
    steps = [md for md in modes if md is not None]
    if batch_size:
        assert steps.count("params") > steps.count("all") > 0
    assert np.array_equal(tr.history.row_epochs, [2, 4, 6])
    # redo the run without the spy: box_grads equal a full run's on each recorded epoch's last batch
    again = Trainer(logistic(), optimizer="adam", lr=0.05, epochs=6, batch_size=batch_size, seed=1)
    last_batch = {}
    real = again.plan.run

    def keep(data=None, params=None, backward=True, grads="all"):
        ev = real(data, params, backward, grads)
        if backward and not again._batches:
            last_batch[again.epoch + 1] = real(data, params)  # the full run, on that batch
        return ev
    monkeypatch.setattr(again.plan, "run", keep)
    again.history.max_rows = 4
    again.train()
    for row, epoch in enumerate(again.history.row_epochs):
        full = last_batch[int(epoch)]
        want = [0.0 if g is None else float(np.mean(np.abs(g))) for g in full.grads]
        assert again.history.box_grads[row].tolist() == want
    assert np.array_equal(again.history.params, tr.history.params)


def test_history_last_is_the_last_entry_however_the_row_was_given():
    """``last()`` is built from the row just appended (no read back): it must say what
    ``entries()[-1]`` says, past the thinning and after ``clear()``, whatever ``append`` took."""
    h = History(["a"], ["a"], max_rows=4)
    rows = [(0.5, math.nan, math.nan, math.nan, 0.1), (0.25, None, None, None, None),  # None read as nan
            {"cost": 0.125, "test_cost": 1.0, "test_accuracy": 0.5}, (np.float32(0.1), 1, 2, 3, 4.0)]
    for e in range(1, 30):
        h.append(np.int64(e) if e % 2 else e, rows[e % len(rows)], [e], [0.0], [0.0])
        last = h.last()
        assert last == h.entries()[-1] and type(last["epoch"]) is int, e
    assert len(h.row_epochs) <= 4
    h.clear()
    assert h.last() is None and h.entries() == []
    h.append(1, {"cost": 2.0}, [1], [0.0], [0.0])
    assert h.last() == h.entry(0) == {"epoch": 1, "cost": 2.0, "accuracy": None}


def test_an_update_to_plus_and_minus_inf_fails_without_a_numpy_warning(monkeypatch):
    """The finiteness test after the step (a sum of θ: inf + −inf is nan) runs under the step's
    errstate: a failed update is the Trainer's error, not a RuntimeWarning on the console —
    through the plain step and through the full-batch lane (after an ordinary first epoch)."""
    import warnings

    b = GraphBuilder("two")
    b.parameter("a", 0.0)
    b.parameter("c", 0.0)
    b.constant("k", 3.0)
    b.box("sub", "a", "c", id="d")
    b.box("squared_error", "d", "k", id="J")
    b.meta(loss="J")
    lanes = Trainer(mlp(["x1", "x2"], [3], "tanh", "bce", dataset={"generator": "xor", "n": 30, "seed": 0}),
                    optimizer="adam", lr=0.1, stop_on_divergence=False, track=("accuracy",))
    lanes.train(2)  # the lane is made: its next epochs go through it (no box sizes asked for)
    lanes.opt.hp = dict(lanes.opt.hp, lr=1e308)
    plain = Trainer(b.graph, optimizer="sgd", lr=1e308, epochs=3)
    runs = []
    lane_run = epoch_lane.Lane.run
    monkeypatch.setattr(epoch_lane.Lane, "run", lambda self, params: runs.append(1) or lane_run(self, params))
    for tr in (lanes, plain):
        before = tr.params.copy()
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            tr.train(3)
        assert tr.status == "failed" and "became" in str(tr.error)
        np.testing.assert_array_equal(tr.params, before)  # put back to θ before the step
    assert len(runs) == 1  # the lane's failed epoch went through the lane (the plain graph has none)
