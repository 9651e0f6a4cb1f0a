"""The optimizer race, run off the window's thread (issue #14 item 4).

The race (graphcore.race: one plain Trainer per optimizer, same start, data and seed) runs
on a copy of the graph and data set frozen when Run is pressed, so the learner's graph is
never touched from two threads. ``run_race`` is the one code path (tests call it on their
own thread); ``RaceThread`` runs it in a QThread and reports a ``RaceView`` — copies of
every racer's path, costs and status — at most every PROGRESS_MS, and once at the end.
"""
from __future__ import annotations

import copy
import sys
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QThread, Signal

from graphcore import optim
from graphcore.errors import GraphError
from graphcore.race import Race
from graphcore.training import initial_values

PROGRESS_MS = 250

# While the race runs, the window's thread must get the GIL back quickly: Python lets a
# thread keep it for the switch interval (5 ms) each time the other asks, and a click's
# handler asks at every call into Qt. A shorter interval while the race runs; the default after.
FAST_SWITCH_S = 0.0005
_switch = {"threads": 0, "default": None}


def quick_gil(on: bool):
    """Count a race thread in (True) or out (False) of the shorter switch interval."""
    if on:
        if _switch["threads"] == 0:
            _switch["default"] = sys.getswitchinterval()
            sys.setswitchinterval(min(FAST_SWITCH_S, _switch["default"]))
        _switch["threads"] += 1
    elif _switch["threads"] > 0:
        _switch["threads"] -= 1
        if _switch["threads"] == 0:
            sys.setswitchinterval(_switch["default"])


@dataclass(frozen=True)
class RaceRequest:
    graph: object  # a copy the race owns
    dataset: object  # a copy, or None (inputs use their values)
    optimizers: tuple
    lrs: tuple
    epochs: int


@dataclass(frozen=True)
class RacerView:
    optimizer: str
    title: str
    lr: float
    costs: np.ndarray  # one per epoch run (the Trainer's history cost)
    params: np.ndarray  # (epochs + 1) × P: the start, then after each epoch
    status: str  # "running", "done", "diverged at epoch k"
    diverged_at: int | None
    goal_epoch: int | None


@dataclass(frozen=True)
class RaceView:
    racers: tuple
    goal: dict | None
    epoch: int  # the furthest epoch any racer has run
    epochs: int
    finished: bool


def freeze(graph, dataset, optimizers, lrs, epochs, fresh_seed: int | None = None) -> RaceRequest:
    """The race's own copies; ``fresh_seed``: start from ``initial_values(graph, seed)`` (what
    Reset parameters gives) instead of the graph's current values."""
    own = graph.copy()
    if fresh_seed is not None:
        own.set_values(initial_values(own, fresh_seed))
    return RaceRequest(own, copy.deepcopy(dataset), tuple(optimizers), tuple(lrs), int(epochs))


def view_of(race: Race, finished: bool) -> RaceView:
    racers = []
    for r in race.racers:
        path = np.vstack([r.start[None, :], r.params]) if r.path else r.start[None, :].copy()
        racers.append(RacerView(r.optimizer, optim.TITLES[r.optimizer], r.lr,
                                np.array(r.trainer.history.cost, dtype=float), path, r.status,
                                r.diverged_at, r.goal_epoch))
    return RaceView(tuple(racers), race.goal, max(r.trainer.epoch for r in race.racers), race.epochs, finished)


def run_race(req: RaceRequest, report=None, cancelled=lambda: False) -> RaceView:
    """Run the race to its end (or until ``cancelled()``); ``report(view)`` now and then.
    Raises GraphError when the race cannot start (one line)."""
    race = Race(req.graph, list(req.optimizers), list(req.lrs), epochs=req.epochs, dataset=req.dataset)
    last = time.perf_counter()
    while not race.finished and not cancelled():
        race.step()
        if report is not None and time.perf_counter() - last >= PROGRESS_MS / 1000:
            last = time.perf_counter()
            report(view_of(race, False))
    return view_of(race, True)


class RaceThread(QThread):
    progress = Signal(object)  # RaceView while it runs
    ended = Signal(object, str)  # the last RaceView (or None), an error message ("" when none)

    def __init__(self, request: RaceRequest):
        super().__init__()
        self.request = request
        self._cancel = False

    def cancel(self):
        self._cancel = True

    def run(self):
        try:
            view = run_race(self.request, self.progress.emit, lambda: self._cancel)
        except GraphError as exc:
            self.ended.emit(None, str(exc))
        except Exception as exc:  # noqa: BLE001 - a race must never take the window down
            self.ended.emit(None, f"the race stopped: {exc}")
        else:
            self.ended.emit(view, "")
