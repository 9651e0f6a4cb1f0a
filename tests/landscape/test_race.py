"""The optimizer race (graphcore/race.py, `graphcore race`): each racer is exactly a Trainer run,
a diverging racer is marked and the others go on, bad flags exit 2 with one line."""
import json

import numpy as np
import pytest

from graphcore import cli, fileformat, lessons
from graphcore.errors import NonFiniteError
from graphcore.graph import Graph
from graphcore.race import Race
from graphcore.training import Trainer

XOR = lessons.path_of("xor_network")
SETTINGS = {"sgd": 0.1, "momentum": 0.1, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01}


def solo(name, lr, **kw):
    """A plain Trainer run: the parameters after every epoch, and its history's costs."""
    t = Trainer(fileformat.load(XOR), optimizer=name, lr=lr, **kw)
    rows = []
    t.callback = lambda tr: rows.append(tr.params.copy())
    t.train()
    return np.array(rows), t.history.cost.copy(), t


@pytest.mark.parametrize("batch_size", [None, 25])
def test_each_racer_is_exactly_a_trainer_run(batch_size):
    race = Race(fileformat.load(XOR), list(SETTINGS), list(SETTINGS.values()), epochs=30, seed=3,
                batch_size=batch_size).run()
    starts = {tuple(r.start) for r in race.racers}
    assert len(starts) == 1  # the same starting parameters
    for r in race.racers:
        params, costs, t = solo(r.optimizer, SETTINGS[r.optimizer], epochs=30, seed=3, batch_size=batch_size)
        assert r.params.shape == (30, len(race.param_ids))
        assert np.array_equal(r.params, params), r.optimizer  # same parameters every epoch, bit for bit
        assert np.array_equal(r.trainer.history.cost, costs)
    paths = [r.params[-1] for r in race.racers]
    assert all(not np.array_equal(paths[0], p) for p in paths[1:])  # they did race differently


def test_a_diverging_racer_is_marked_and_the_others_go_on():
    race = Race(fileformat.load(XOR), ["sgd", "adam"], [1000.0, 0.01], epochs=40).run()
    wild, calm = race.racers
    assert wild.diverged_at is not None and wild.status == f"diverged at epoch {wild.diverged_at}"
    assert wild.diverged_at == wild.trainer.epoch < 40 and len(wild.path) == wild.diverged_at
    params, _, _ = solo("adam", 0.01, epochs=40)
    assert calm.status == "done" and np.array_equal(calm.params, params)
    doc = race.result()
    assert [r["status"] for r in doc["racers"]] == ["diverged", "done"]
    assert "diverged" in doc["racers"][0]["message"] and doc["racers"][0]["diverged_at"] == wild.diverged_at



def test_a_racer_that_goes_non_finite_is_marked_in_the_epoch_it_failed():
    g = Graph("parabola")  # J = a²: a step of lr 1e200 takes a to −2e200, and J to inf in epoch 2
    g.add_node("parameter", "a", value=1.0)
    g.add_node("square", "J")
    g.connect("a", "J", 0)
    g.set_meta("loss", "J")
    wild, calm = Race(g, ["sgd", "adam"], [1e200, 0.1], epochs=5).run().racers
    assert wild.status == "diverged at epoch 2" and len(wild.path) == 1
    assert isinstance(wild.trainer.error, NonFiniteError)
    assert calm.status == "done" and len(calm.path) == 5

def test_epochs_to_goal_follow_the_lessons_goal():
    race = Race(fileformat.load(XOR), ["momentum"], None, epochs=250).run()
    r = race.racers[0]
    assert race.goal == {"accuracy": 0.95, "above": False}
    acc = r.trainer.history.accuracy
    assert r.goal_epoch == int(np.argmax(acc >= 0.95)) + 1 and acc[r.goal_epoch - 2] < 0.95
    g = fileformat.load(XOR)
    g.meta["name"] = "my own network"
    assert Race(g, ["sgd"], epochs=2).run().result()["racers"][0]["epochs_to_goal"] is None


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_race_command_json(capsys):
    code, out, err = run(["race", str(XOR), "--optimizers", "sgd,adam", "--lr", "0.1,0.01", "--epochs", "5",
                          "--json"], capsys)
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert [r["optimizer"] for r in doc["racers"]] == ["sgd", "adam"]
    assert [r["lr"] for r in doc["racers"]] == [0.1, 0.01]
    for r in doc["racers"]:
        assert len(r["history"]) == 5 and len(r["params"]) == 5 and len(r["params"][0]) == len(doc["parameter_ids"])
        assert r["final_cost"] > 0 and r["status"] == "done"
    params, _, _ = solo("adam", 0.01, epochs=5)
    assert np.array_equal(np.array(doc["racers"][1]["params"]), params)


@pytest.mark.parametrize("flags, says", [
    (["--optimizers", "sgd,nadam"], "unknown optimizer 'nadam'"),
    (["--optimizers", "sgd,adam", "--lr", "0.1,0.2,0.3"], "3 learning rates for 2 optimizers"),
    (["--optimizers", "sgd", "--lr", "0"], "must be a number > 0"),
    (["--optimizers", "sgd", "--lr", "-0.5"], "must be a number > 0"),
    (["--optimizers", "sgd", "--lr", "fast"], "comma-separated numbers"),
    (["--optimizers", "sgd,sgd"], "twice"),
    (["--optimizers", "sgd", "--epochs", "-1"], "--epochs"),
])
def test_bad_flags_exit_2_with_one_line(flags, says, capsys):
    code, out, err = run(["race", str(XOR), *flags], capsys)
    assert code == 2 and out == ""
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
