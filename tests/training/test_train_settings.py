"""A run's Settings (resolved once), its Status, and the Trainer's transitions the window uses
(start / advance / pause / stop / apply) in place of writing the Trainer's attributes."""
import json
import math

import pytest

from graphcore.builder import mlp
from graphcore.errors import EvaluationError
from graphcore.optim import OptimizerError
from graphcore.train_settings import Settings, Status
from graphcore.training import Trainer


def logistic(**training):
    g = mlp(["x1", "x2"], [], dataset={"generator": "diag", "n": 40, "seed": 0})
    g.set_values({"w1_1_1": 0.2, "w1_1_2": -0.1, "b1_1": 0.0})
    if training:
        g.set_meta("training", training)
    return g


def test_settings_resolve_overrides_then_the_block_then_torchs_defaults():
    g = logistic(optimizer="rmsprop", lr=0.3, epochs=7, seed=4, alpha=0.5)
    s = Settings.of(g)
    assert (s.optimizer, s.lr, s.epochs, s.batch_size, s.seed) == ("rmsprop", 0.3, 7, None, 4)
    assert s.options == {"alpha": 0.5}
    assert s.hp["alpha"] == 0.5 and s.block() == {**g.meta["training"], "batch_size": None}
    other = Settings.of(g, optimizer="adam", epochs=2)
    assert (other.optimizer, other.lr, other.epochs, other.options) == ("adam", 0.3, 2, {})  # alpha is rmsprop's
    assert not s.same_run(other) and s.same_run(Settings.of(g, lr=0.1, epochs=9, batch_size=5))
    with pytest.raises(AttributeError):
        s.lr = 1.0  # frozen: a change is a new Settings
    with pytest.raises(EvaluationError, match=r"^training: batch size must be a whole number ≥ 1, not 0$"):
        Settings.of(g, batch_size=0)
    with pytest.raises(OptimizerError, match=r"^rmsprop: 'lr' must be a number ≥ 0, not -1.0$"):
        Settings.of(g, lr=-1.0)


def test_status_is_a_word():
    assert Status.READY == "ready" and f"{Status.FAILED}" == "failed" and json.dumps(Status.DONE) == '"done"'
    assert [s.value for s in Status] == ["ready", "running", "paused", "stopped", "done", "failed"]


def test_the_window_runs_a_trainer_through_its_methods():
    t = Trainer(logistic(epochs=3, batch_size=10))
    assert t.status is Status.READY and t.target == 0
    assert t.start() and t.status is Status.RUNNING and t.target == 3
    while t.status is Status.RUNNING:
        assert math.isfinite(t.advance())
    assert t.status is Status.DONE and t.epoch == 3 and t.result()["status"] == "done"
    assert t.start(2) and t.target == 5
    t.advance()
    t.pause()  # no train() loop: at once
    assert t.status is Status.PAUSED and t.start() and t.target == 5  # a paused run keeps its target
    t.stop()
    assert t.status is Status.STOPPED and t.target == t.epoch == 3
    assert not t.start(0) and t.status is Status.STOPPED  # nothing to do changes nothing
    with pytest.raises(AttributeError):
        t.status = Status.RUNNING  # only through the methods


def test_apply_carries_new_settings_of_the_same_run():
    g = logistic(epochs=4)
    t = Trainer(g)
    t.start()
    t.advance()
    assert t.apply(Settings.of(g, lr=0.5, epochs=6, batch_size=10))
    assert (t.lr, t.opt.hp["lr"], t.batch_size, t.target) == (0.5, 0.5, 10, 6)
    assert not t.apply(Settings.of(g, seed=1)) and t.seed == 0  # another seed: another run
    assert t.apply(Settings.of(g, epochs=0)) and t.status is Status.DONE  # fewer epochs than run: the end
