"""The optimizer race (issue #14, headless side): several optimizers train the same graph
from the same starting parameters, on the same data and batching (the same seed), each
with its own learning rate.

Every racer is a plain ``Trainer`` (training.py) made with the race's settings, so a
racer's path is exactly what ``graphcore train --optimizer NAME --lr X`` would give.
The race keeps each racer's parameters after every epoch (P × epochs × 8 B per racer,
not thinned: the landscape draws the whole path) and its cost per epoch. A racer whose
run diverges or goes non-finite (the Trainer's own rules) is marked "diverged at epoch
k" and stops; the others go on.

"Epochs to goal": the first epoch whose history accuracy meets the lesson's goal
(``lessons.goal_of``; None when the graph is no lesson with a goal, or never met).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import lessons, optim
from .errors import DivergenceError, EvaluationError
from .training import Trainer


@dataclass
class Racer:
    """One optimizer in the race: its Trainer and the path it took."""

    optimizer: str
    trainer: Trainer
    start: np.ndarray
    path: list = field(default_factory=list)  # parameters after each epoch
    diverged_at: int | None = None
    goal_epoch: int | None = None

    @property
    def lr(self) -> float:
        return self.trainer.lr

    @property
    def done(self) -> bool:
        return self.diverged_at is not None or self.trainer.epoch >= self.trainer.epochs

    @property
    def status(self) -> str:
        if self.diverged_at is not None:
            return f"diverged at epoch {self.diverged_at}"
        return "done" if self.done else "running"

    @property
    def params(self) -> np.ndarray:
        """Epochs × P: the parameters after each epoch (row k − 1 is epoch k)."""
        return np.array(self.path).reshape(len(self.path), len(self.start))


class Race:
    """Optimizers side by side. ``optimizers``: names from ``optim.NAMES`` (each at most once);
    ``lrs``: one learning rate per optimizer, or None (each Trainer's default)."""

    def __init__(self, graph, optimizers, lrs=None, *, epochs=None, seed=None, batch_size=None, dataset=None):
        names = list(optimizers)
        check_optimizers(names)
        lrs = check_lrs(names, lrs)
        self.graph = graph
        self.goal = lessons.goal_of(graph)
        self.racers: list[Racer] = []
        for name, lr in zip(names, lrs, strict=True):
            t = Trainer(graph, dataset, optimizer=name, lr=lr, epochs=epochs, seed=seed, batch_size=batch_size)
            self.racers.append(Racer(name, t, t.params.copy()))
        first = self.racers[0].trainer
        # the starting cost once, so that bad data or an unwired box is one error, not "diverged" for all
        first.measure(first.train_data)
        self.param_ids = list(first.param_ids)
        self.epochs = first.epochs

    @property
    def finished(self) -> bool:
        return all(r.done for r in self.racers)

    def step(self):
        """One epoch for every racer still running."""
        for r in self.racers:
            if r.done:
                continue
            t = r.trainer
            t.run_epoch()
            if len(r.path) < t.epoch:  # an epoch ended (a diverging one too: its row is in the history)
                r.path.append(t.params.copy())
                acc = t.history.last()["accuracy"]
                if r.goal_epoch is None and self.goal is not None and lessons.goal_met(self.goal, acc):
                    r.goal_epoch = t.epoch
            if t.status == "failed":
                # the divergence rule fires after an epoch; a non-finite step fails within the next
                r.diverged_at = t.epoch if isinstance(t.error, DivergenceError) else t.epoch + 1

    def run(self) -> "Race":
        while not self.finished:
            self.step()
        return self

    def result(self) -> dict:
        """The race as JSON: per racer its settings, status, final cost, epochs to goal and history."""
        out = []
        for r in self.racers:
            t = r.trainer
            res = t.result()
            out.append({
                "optimizer": r.optimizer, "title": optim.TITLES[r.optimizer], "lr": r.lr,
                "status": "diverged" if r.diverged_at is not None else r.status,
                "diverged_at": r.diverged_at, "message": res["error"],
                "epochs": t.epoch, "final_cost": _finite(res["cost"]), "final_accuracy": res["accuracy"],
                "epochs_to_goal": r.goal_epoch,
                "history": [{"epoch": e["epoch"], "cost": e["cost"], "accuracy": e["accuracy"]}
                            for e in res["history"]],
                "params": [[float(v) for v in row] for row in r.path],
            })
        return {"graph": self.graph.meta.get("name"), "epochs": self.epochs, "seed": self.racers[0].trainer.seed,
                "goal": self.goal, "parameter_ids": self.param_ids,
                "start": [float(v) for v in self.racers[0].start], "racers": out}


def _finite(v):
    return None if v is None or not math.isfinite(v) else float(v)


def check_optimizers(names: list[str]):
    if not names:
        raise EvaluationError("a race needs at least one optimizer (of: " + ", ".join(optim.NAMES) + ")")
    for n in names:
        if n not in optim.NAMES:
            raise EvaluationError(f"unknown optimizer '{n}' (one of: {', '.join(optim.NAMES)})")
    seen = {n for n in names if names.count(n) > 1}
    if seen:
        raise EvaluationError(f"optimizer '{sorted(seen)[0]}' is in the race twice")


def check_lrs(names: list[str], lrs) -> list:
    if lrs is None:
        return [None] * len(names)
    lrs = list(lrs)
    if len(lrs) == 1 and len(names) > 1:
        lrs = lrs * len(names)  # one rate for all
    if len(lrs) != len(names):
        raise EvaluationError(f"{len(lrs)} learning rates for {len(names)} optimizers: give one, or one each")
    for n, lr in zip(names, lrs, strict=True):
        if lr is not None and not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
            raise EvaluationError(f"the learning rate of {n} must be a number > 0, not {lr!r}")
    return lrs
