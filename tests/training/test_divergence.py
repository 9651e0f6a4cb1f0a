"""Divergence detection: a run whose cost rises far above its first epoch's stops with a
DivergenceError naming the box that blew up first (graphcore.training's rule)."""
import hashlib

import numpy as np
import pytest

from graphcore import fileformat, lessons
from graphcore.engine import evaluate
from graphcore.errors import DivergenceError, EvaluationError
from graphcore.graph import Graph
from graphcore.training import Trainer
from tests.cli.cli_runner import run_graphcore

XOR = lessons.path_of("xor_network")


def xor():
    return fileformat.load(XOR)


def parabola(a: float) -> Graph:
    g = Graph("parabola")
    g.add_node("parameter", "a", value=a)
    g.add_node("square", "J")
    g.connect("a", "J", 0)
    g.set_meta("loss", "J")
    return g


def first_epoch_over(c1: float, growth: float) -> int:
    """The epoch whose cost c1·growth^(k−1) first exceeds max(10·c1, c1 + 10), counted by hand."""
    limit = max(10 * c1, c1 + 10)
    k, c = 1, c1
    while c <= limit:
        k, c = k + 1, c * growth
    return k


def largest(values, key):
    return float(np.max(np.abs(values[key])))


def test_divergence_error_is_an_evaluation_error_with_nodes():
    err = DivergenceError("x", ["L"])
    assert isinstance(err, EvaluationError) and err.nodes == ("L",)


@pytest.mark.parametrize("a", [0.5, 2.0])
def test_the_rule_fires_at_the_first_epoch_over_the_limit(a):
    # SGD at lr 1.05 on J = a²: a ← a − 1.05·2a = −1.1a, so each epoch's cost is 1.21× the last.
    # a = 0.5: c1 = 0.25, limit c1 + 10 rules; a = 2: c1 = 4, limit 10·c1 rules.
    expected = first_epoch_over(a * a, 1.21)
    tr = Trainer(parabola(a), optimizer="sgd", lr=1.05, epochs=100)
    r = tr.train()
    assert tr.status == "failed" and r["status"] == "failed"
    assert isinstance(tr.error, DivergenceError)
    assert tr.epoch == expected and len(tr.history) == expected
    # just under the limit the run is fine
    ok = Trainer(parabola(a), optimizer="sgd", lr=1.05, epochs=expected - 1)
    assert ok.train()["status"] == "done"
    # the parameters stay as after the last step: a₀·(−1.1)^k after k steps
    assert tr.params[0] == pytest.approx(a * (-1.1) ** expected, rel=1e-12)
    assert tr.error.nodes == ("J",) and "'J' (square)" in str(tr.error)


def test_xor_at_lr_1e3_names_the_box_that_blew_up_first():
    g = xor()
    start = {p: g.value(p) for p in g.parameters()}
    tr = Trainer(g, lr=1e3)
    r = tr.train()  # must not raise
    assert tr.status == "failed" and isinstance(tr.error, DivergenceError)
    msg = str(tr.error)
    assert "\n" not in msg and r["error"] == msg
    c = tr.history.cost
    assert tr.epoch == 2 and c[-1] > max(10 * c[0], c[0] + 10)
    assert f"rose from {c[0]:.4g} (epoch 1) to {c[-1]:.4g} (epoch 2) in 1 epoch at lr 1000" in msg
    assert "smaller learning rate" in msg
    assert {p: g.value(p) for p in g.parameters()} == start  # the graph is untouched
    # The named box, checked independently: first in topological order whose largest |value|
    # on the training points grew more than 1000× (from at least 1) between start and now.
    box = tr.error.nodes[0]
    assert f"'{g.box_name(box)}' (mul)" in msg and box not in msg  # named by its label
    data = tr.dataset.train()
    before = evaluate(g, data, backward=False).values_dict()
    now = evaluate(g, data, params=dict(zip(tr.param_ids, tr.params, strict=True)), backward=False).values_dict()
    grew = [n for n in g.topological_order() if n in now and largest(now, n) > 1e3 * max(largest(before, n), 1.0)]
    assert grew and box == grew[0]
    # the parameters are those after the last step, as the history recorded them
    np.testing.assert_array_equal(tr.params, tr.history.params[-1])
    # a failed run stays failed
    assert np.isnan(tr.step_batch()) and tr.run_epoch() is None


def test_a_saturated_bce_names_the_loss_box():
    tr = Trainer(xor(), lr=100)
    tr.train()
    assert isinstance(tr.error, DivergenceError)
    assert tr.error.nodes == ("L",) and "saturated" in str(tr.error) and "(bce)" in str(tr.error)


def test_the_switch_lets_a_wild_run_go_on():
    tr = Trainer(xor(), lr=1e3, epochs=20, stop_on_divergence=False)
    r = tr.train()
    assert r["status"] == "done" and tr.error is None and tr.epoch == 20


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n == "spiral3_softmax" else n
                                  for n in lessons.LESSONS])
def test_every_lesson_trains_its_full_epochs_without_diverging(name):
    g = fileformat.load(lessons.path_of(name))
    if g.meta.get("loss") is None:
        pytest.skip(f"{name} names no loss")
    if not g.parameters():  # the lecture's J = 3(a + bc): for stepping through, not training
        with pytest.raises(EvaluationError, match="^nothing to train"):
            Trainer(g)
        return
    tr = Trainer(g)
    r = tr.train()
    assert r["status"] == "done" and tr.error is None and tr.epoch == tr.epochs


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cli_exits_2_with_one_line_and_writes_nothing(tmp_path):
    src = tmp_path / "xor.graph.json"
    src.write_bytes(open(XOR, "rb").read())
    before = digest(src)
    out = tmp_path / "out.graph.json"
    proc = run_graphcore("train", str(src), "--lr", "1e3", "-o", str(out), timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "diverged" in lines[0] and "box '" in lines[0] and "smaller learning rate" in lines[0]
    assert "was not written" in lines[0]
    assert digest(src) == before and not out.exists()
    proc = run_graphcore("train", str(src), "--lr", "1e3", "--epochs", "5", "--no-divergence-stop", "-o", str(out),
                         timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and digest(src) == before
