"""The Optimizer race dock (#14 item 4): each racer's path, through the panel's own worker code,
equals a Trainer run with the same settings; in the window a diverging learning rate is
marked "diverged at epoch k" while the others finish, and the paths reach the landscape."""
import numpy as np

from graphcore import fileformat, lessons
from graphcore.training import Trainer, initial_values
from gui.panels.race_worker import freeze, run_race

LOGISTIC = lessons.path_of("logistic_regression")
SETTINGS = {"sgd": 0.5, "momentum": 0.1, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.05}


def trainer_path(name, lr, epochs):
    t = Trainer(fileformat.load(LOGISTIC), optimizer=name, lr=lr, epochs=epochs)
    rows = [t.params.copy()]
    t.callback = lambda tr: rows.append(tr.params.copy()) if len(rows) <= tr.epoch else None
    t.train()
    return np.array(rows), t.history.cost.copy()


def test_each_racer_is_exactly_a_trainer_run():
    g = fileformat.load(LOGISTIC)
    seen = []
    view = run_race(freeze(g, None, list(SETTINGS), list(SETTINGS.values()), 25), seen.append)
    assert view.finished and [r.optimizer for r in view.racers] == list(SETTINGS)
    for r in view.racers:
        params, costs = trainer_path(r.optimizer, SETTINGS[r.optimizer], 25)
        assert r.params.shape == (26, params.shape[1]) and r.status == "done"
        assert np.array_equal(r.params, params), r.optimizer  # the same parameters every epoch, bit for bit
        assert np.array_equal(r.costs, costs)
    assert len({tuple(r.params[0]) for r in view.racers}) == 1  # one start for all


def test_a_fresh_start_is_what_reset_parameters_gives():
    g = fileformat.load(LOGISTIC)
    request = freeze(g, None, ["adam"], [0.1], 3, fresh_seed=2)
    want = initial_values(g, 2)
    assert {p: request.graph.value(p) for p in want} == want
    assert fileformat.dumps(g) == fileformat.dumps(fileformat.load(LOGISTIC))  # the learner's graph untouched


def test_a_diverging_racer_is_marked_and_the_others_go_on(main_window, qtbot):
    win = main_window
    win.race_dock.show()
    win.race_dock.raise_()
    race = win.race
    race.run()  # the new, empty graph: one line, the buttons back
    qtbot.waitUntil(lambda: race.thread is None, timeout=20_000)
    assert race.message == "the graph names no loss: choose the box whose value is the cost J to train"
    assert race.run_button.isEnabled()
    win.files.open(LOGISTIC, ask=False)
    for name, box in race.enabled.items():
        box.setChecked(name in ("sgd", "adam"))
    race.lrs["sgd"].setValue(1e4)  # far too large: J blows up
    race.lrs["adam"].setValue(0.05)
    race.epochs.setValue(40)
    before = fileformat.dumps(win.document.graph)
    race.run()
    qtbot.waitUntil(lambda: race.thread is None, timeout=20_000)
    rows = {race.table.item(i, 0).text(): race.table.item(i, 3).text() for i in range(race.table.rowCount())}
    assert rows["SGD"].startswith("diverged at epoch ") and rows["Adam"] == "done", rows
    sgd = next(r for r in race.view.racers if r.optimizer == "sgd")
    assert rows["SGD"] == f"diverged at epoch {sgd.diverged_at}"
    assert race.table.item(1, 1).text() not in ("", "no goal")  # the lesson has a goal
    assert set(race.curves) == {"sgd", "adam"}
    assert [(n, len(p)) for n, _, p in win.landscape.race_paths] == [("sgd", sgd.diverged_at + 1), ("adam", 41)]
    assert fileformat.dumps(win.document.graph) == before  # the race never touches the graph
    assert race.run_button.isEnabled() and not race.stop_button.isEnabled()
    for box in race.enabled.values():
        box.setChecked(False)
    race.run()
    assert race.message == "tick at least one optimizer to race"
