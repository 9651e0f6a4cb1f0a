"""Training (SPEC §5): gradient descent on exactly the graph the learner drew.

A ``Trainer`` runs epochs of (mini-)batches over the compiled plan: each step is one
forward and backward pass (``Plan.run``) on a batch, then one optimizer step on the
parameters (``graphcore.optim``). It records what the window plots in a compact
``History`` and can be paused, resumed, stopped and stepped one batch at a time.

The batching rule (shared with the exported numpy and torch scripts, which must
reproduce these numbers; see docs/ARCHITECTURE.md):

* the training points are the data set's ``train()`` columns, in stored order;
* ``batch_size`` None, or ≥ the number of training points: one full-batch step per
  epoch, no shuffling;
* otherwise ``rng = numpy.random.default_rng(seed)`` is made once when training starts
  and each epoch steps on consecutive slices of ``rng.permutation(n_train)``.

A history entry's ``cost`` is the mean of its epoch's batch costs, each taken before
that batch's step; its ``accuracy`` is the share of training points classified
correctly in those same forward passes. Training never raises out of ``train()``:
a nan or inf (or any other evaluation error) sets ``status = "failed"`` and keeps the
error, whose ``nodes[0]`` names the box that went non-finite first; the parameters
stay at their last finite values.

Divergence (``stop_on_divergence``, on by default): a run can blow up without ever
going non-finite (bce clamps its logs at −100 like PyTorch, so a saturated sigmoid
costs a finite 100 per wrong sample). After each epoch, if the epoch's cost exceeds
``max(10 × c1, c1 + 10)``, c1 being the first epoch's cost, the run stops with status
"failed" and a ``DivergenceError``: its one line says how far the cost rose, in how
many epochs, at which learning rate, names the box that blew up first and suggests a
smaller learning rate. That box is the first in topological order whose largest
|value| on the training points grew more than 1000× from the start of training
(relative to max(its start, 1), so a box that starts at 0 must pass 1000): one
evaluation with the starting parameters, one with the current ones, made only when
the rule fires. If no box grew so, the loss box is named: its outputs saturated. The
parameters stay as they were after the last step.
"""
from __future__ import annotations

import math
import time
from typing import NamedTuple

import numpy as np

from . import datasets, divergence, epoch_lane, labels, learner, optim
from .engine import compile_graph
from .errors import DivergenceError, EvaluationError, GraphError, NonFiniteError
from .param_init import init_scales, initial_values  # noqa: F401 - their old home
from .train_history import STACK_MAX, History, mean_abs  # noqa: F401 - their old home
from .train_settings import DEFAULT_EPOCHS, Settings, Status, whole  # noqa: F401 - DEFAULT_EPOCHS: its old home


def trainable(plan) -> bool:
    """Whether the plan's cost J depends on a parameter box: else there is nothing to train."""
    return plan.has_loss and plan.param_dependent[plan.loss_slot]


class Prepared(NamedTuple):
    plan: object
    settings: Settings
    dataset: datasets.Dataset | None


def prepare(graph, dataset=None, settings: Settings | None = None, **overrides) -> Prepared:
    """What a run of ``graph`` is made of, checked in the Trainer's order: a learner Function
    with a ✘ verdict, no loss, nothing to train, the settings (``Settings.of(graph,
    **overrides)`` unless given), the data set (default: the graph's), its labels. The
    exported scripts read the same, so they train as ``graphcore train`` does."""
    plan = compile_graph(graph)
    learner.refuse_training(graph)  # a learner Function with a ✘ verdict is not trained with
    if not plan.has_loss:
        raise EvaluationError("the graph names no loss: choose the box whose value is the cost J to train")
    if not trainable(plan):  # else every epoch would change nothing
        raise EvaluationError("nothing to train: the cost J depends on no parameter box "
                              "(add one, or turn an input or constant into a parameter)")
    if settings is None:
        settings = Settings.of(graph, **overrides)
    elif any(v is not None for v in overrides.values()):
        raise TypeError("prepare: give settings or overrides, not both")
    dataset = dataset if dataset is not None else datasets.for_graph(graph)
    labels.check(graph, dataset.columns if dataset is not None else None, plan.label_feeds)
    return Prepared(plan, settings, dataset)


# --- the trainer -----------------------------------------------------------------------------
class Trainer:
    """Trains the graph's parameters on its data set. See docs/ARCHITECTURE.md.

    ``settings`` (a ``Settings``), else ``Settings.of(graph, optimizer=, lr=, ...)``: the
    arguments, then the graph's ``training`` block, then torch's defaults. ``apply`` carries
    new settings of the same optimizer and seed into the run. The Trainer holds its own
    compiled plan: after the graph's structure changes, make a new Trainer.

    Its ``status`` (a ``Status``) changes only through its methods: ``train`` (runs in the
    calling thread), or ``start`` then ``advance`` a step at a time (the window's time
    slices), ``pause``, ``stop``, ``step_batch``.

    ``track`` chooses the per-epoch bookkeeping (``TRACKABLE``): None measures everything,
    as the window's plots read it; ``("accuracy", "test")`` is what ``graphcore train``'s
    JSON needs; ``()`` only the cost, parameters and their gradients. Untracked figures are
    nan in the history (``accuracy`` None in its entries); the training itself is the same.
    ``trainer.box_grads = False`` skips each Variable's mean |dJ/dv| from the next step.

    With ``stop_on_divergence`` (the default) a run whose epoch cost exceeds
    max(10 × the first epoch's cost, the first epoch's cost + 10) stops with status
    "failed" and a ``DivergenceError`` naming the box that blew up first (see the
    module's docstring); False lets such a run go on (the exported scripts' parity
    tests train wild settings on purpose).
    """

    def __init__(self, graph, dataset=None, *, settings: Settings | None = None, optimizer=None, lr=None,
                 epochs=None, batch_size=None, seed=None, options=None, callback=None,
                 stop_on_divergence=True, track=None):
        self.graph = graph
        self.track = _tracked(track)
        self.stop_on_divergence = bool(stop_on_divergence)
        self.plan, self.settings, self.dataset = prepare(
            graph, dataset, settings, optimizer=optimizer, lr=lr, epochs=epochs, batch_size=batch_size,
            seed=seed, options=options)
        self.param_ids: list[str] = list(self.plan.param_ids)
        self.opt = optim.Optimizer(self.settings.optimizer, len(self.param_ids), **self.settings.hp)
        self.train_data = self.dataset.train() if self.dataset is not None else None
        self.test_data = self.dataset.test() if self.dataset is not None else None
        self.n_train = _rows(self.train_data)
        self.callback = callback
        self.lanes = epoch_lane.Lanes()  # a full-batch step's way straight into the fused kernel
        self.params = np.array([graph.value(p) for p in self.param_ids], dtype=float)
        self.history = History(self.param_ids, self.plan.keys)
        self._no_box = np.full(len(self.plan.keys), np.nan)  # a row's box_grads when they are not tracked
        self._restart()

    # Each Variable's |dJ/dv| costs a backward pass through every box (2.5× an epoch at
    # n = 1,000); untracked, history rows hold nan there. The window turns it on only while a
    # plot that shows it is visible; it may be switched at any time (from the next epoch).
    @property
    def box_grads(self) -> bool:
        return "box_grads" in self.track

    @box_grads.setter
    def box_grads(self, on: bool):
        self.track = self.track | {"box_grads"} if on else self.track - {"box_grads"}

    def _restart(self):
        self.epoch = 0
        self._status = Status.READY
        self.error: GraphError | None = None
        self.history.clear()
        self.opt.reset()
        self._rng = np.random.default_rng(self.seed)
        self._batches: list = []  # index arrays (or None for the full batch) still to run this epoch
        self._target = 0
        self._request: Status | None = None  # a pause or stop asked of the train() loop under way
        self._looping = False  # train() is running its loop (in this thread or another)
        self._elapsed = 0.0
        self._start_params = self.params.copy()  # for naming the box that blew up, if the run diverges
        self._clear_epoch()

    def _clear_epoch(self):
        self._cost_sum, self._n_batches, self._correct, self._counted = 0.0, 0, 0, 0
        self._grad_sum = np.zeros(len(self.param_ids))

    # --- settings and status (read-only: they change through the methods below) ----------
    optimizer_name = property(lambda self: self.settings.optimizer)
    lr = property(lambda self: self.settings.lr)
    options = property(lambda self: self.settings.options)
    epochs = property(lambda self: self.settings.epochs)
    batch_size = property(lambda self: self.settings.batch_size)
    seed = property(lambda self: self.settings.seed)
    status = property(lambda self: self._status, doc="a Status: ready, running, paused, stopped, done, failed")
    target = property(lambda self: self._target, doc="the epoch the run under way (or paused) ends at")

    @property
    def full_batch(self) -> bool:
        return self.n_train is None or self.batch_size is None or self.batch_size >= self.n_train

    def apply(self, settings: Settings) -> bool:
        """Carry ``settings`` into this run (lr, options and batch size from the next step, the
        target moved by the change of epochs); False, changing nothing, when they are another
        run's (``Settings.same_run``: another optimizer or shuffling seed)."""
        if not self.settings.same_run(settings):
            return False
        self._target += settings.epochs - self.settings.epochs
        self.settings = settings
        self.opt.hp = dict(settings.hp)
        if self._status is Status.RUNNING and self._target <= self.epoch:
            self._status = Status.DONE  # fewer epochs than already run: the run has reached its end
        return True

    # --- stepping -----------------------------------------------------------------------
    def _start_epoch(self):
        if self.full_batch:
            self._batches = [None]
        else:
            perm = self._rng.permutation(self.n_train)
            self._batches = [perm[i:i + self.batch_size] for i in range(0, self.n_train, self.batch_size)]
        self._batches.reverse()  # pop() from the end takes them in order
        self._clear_epoch()

    def _step(self) -> tuple[float, bool]:
        """One optimizer step on the next batch; returns (batch cost, whether an epoch ended)."""
        if not self._batches:
            if self.full_batch:
                done = self._lane_epoch()
                if done is not None:
                    return done
            self._start_epoch()
        idx = self._batches.pop()
        last = not self._batches
        data = self.train_data
        if idx is not None:
            data = {k: v[idx] for k, v in data.items()}
        # A step needs only the parameters' gradients; every box's gradient size is wanted once
        # an epoch, from its last batch, and only when the history keeps that epoch's row.
        record = last and "box_grads" in self.track and self.history.records(self.epoch + 1)
        t0 = time.perf_counter()
        try:
            ev = self.plan.run(data, self.params, grads="all" if record else "params")
            grads = ev.param_grads
            before = self.params.copy()
            with np.errstate(over="ignore", invalid="ignore"):  # checked here (inf + −inf: nan, no warning)
                self.opt.step(self.params, grads)
                self._check_update(before)
        except GraphError as exc:
            self._elapsed += time.perf_counter() - t0
            self._fail(exc)
            return math.nan, False
        self._cost_sum += ev.cost
        self._n_batches += 1
        self._grad_sum += grads
        if "accuracy" in self.track:
            correct, counted = self._score(ev, data)
            self._correct += correct
            self._counted += counted
        if last:
            self._box = mean_abs(ev.grads) if record else self._no_box
        self._elapsed += time.perf_counter() - t0
        if last:
            return ev.cost, self._finish_epoch()
        return ev.cost, False

    def _lane_epoch(self) -> tuple[float, bool] | None:
        """A whole full-batch epoch through the fused kernel's lane (epoch_lane.py): the same
        step as ``_step``'s, with its bookkeeping done once — one errstate for the kernel and the
        optimizer, no Evaluation unless the accuracy asks for one. None (nothing done) when the
        lane cannot take it or the epoch's row wants every box's gradient: then ``_step``."""
        track = self.track
        if track and "box_grads" in track and self.history.records(self.epoch + 1):
            return None
        t0 = _clock()
        params = self.params
        lane = self.lanes.ready(self.plan, self.train_data, params)
        if lane is None:
            return None
        with np.errstate(all="ignore"):  # the update is checked just below
            done = lane.run(params)
            if done is None:
                return None  # Plan.run says what is wrong
            self.opt.step(params, done.param_grads)
            if not _isfinite(_add_reduce(params)):  # a sum overflowing only sends this to the precise test
                try:
                    self._check_update(done.theta)  # θ before the step (the lane's copy)
                except GraphError as exc:
                    self._elapsed += _clock() - t0
                    self._fail(exc)
                    return math.nan, False
        self._cost_sum, self._n_batches, self._grad_sum = done.cost, 1, done.param_grads
        self._correct = self._counted = 0
        if track and "accuracy" in track:
            self._correct, self._counted = self._score(done.evaluation(), self.train_data)
        self._box = self._no_box
        self._elapsed += _clock() - t0
        return done.cost, self._finish_epoch()

    def _check_update(self, before: np.ndarray):
        """A non-finite parameter after the optimizer's step: put them back and raise."""
        if _isfinite(_add_reduce(self.params)):  # finite (a sum overflowing only sends this to the precise test)
            return
        bad = np.flatnonzero(~np.isfinite(self.params))
        if not len(bad):
            return
        p, v = self.param_ids[bad[0]], self.params[bad[0]]
        self.params = before
        raise NonFiniteError(f"update: parameter '{self.graph.box_name(p)}' became {v} after the "
                             f"{self.optimizer_name} step "
                             f"(learning rate {self.lr:g} too large?)", [p], "update")

    def _score(self, ev, data) -> tuple[int, int]:
        if data is None or "y" not in data:
            return 0, 0
        pred = self.plan.predict(ev)
        if pred is None:
            return 0, 0
        pred = np.broadcast_to(pred, np.shape(data["y"]))
        return int(np.sum(pred == data["y"])), len(data["y"])

    def _finish_epoch(self) -> bool:
        try:
            test_cost, test_acc = None, None
            if self.test_data is not None and "test" in self.track:
                test_cost, test_acc = self.measure(self.test_data)
        except GraphError as exc:
            self._fail(exc)
            return False
        self.epoch += 1
        n = max(self._n_batches, 1)
        scalars = (self._cost_sum / n, self._correct / self._counted if self._counted else math.nan,
                   math.nan if test_cost is None else test_cost, math.nan if test_acc is None else test_acc,
                   self._elapsed)  # History.SCALARS' order
        self.history.append(self.epoch, scalars, self.params, self._grad_sum / n if n > 1 else self._grad_sum,
                            self._box)
        if self.stop_on_divergence and self._diverged():
            self._fail(self._divergence_error())
        if self.callback is not None:
            self.callback(self)
        return True


    # --- divergence (graphcore/divergence.py) --------------------------------------------
    def _diverged(self) -> bool:
        return divergence.diverged(self.history)

    def _divergence_error(self) -> DivergenceError:
        return divergence.divergence_error(self, self._start_params)

    def _fail(self, exc: GraphError):
        self._status = Status.FAILED
        self.error = exc
        self._batches = []

    # --- running --------------------------------------------------------------------------
    def step_batch(self) -> float:
        """One optimizer step on the next batch (starting an epoch if none is under way);
        returns the batch's cost before the step (nan if the run failed). Leaves the run paused."""
        if self._status is Status.FAILED:
            return math.nan
        cost, ended = self._step()
        if self._status is not Status.FAILED:
            self._status = Status.PAUSED
        if not ended and self.callback is not None:
            self.callback(self)
        return cost

    def run_epoch(self) -> dict | None:
        """Finish the epoch under way (or run a whole one); returns its history entry,
        or None if the run failed."""
        if self._status is Status.FAILED:
            return None
        while True:
            _, ended = self._step()
            if self._status is Status.FAILED:
                return None
            if ended:
                return self.history.last()

    def start(self, epochs: int | None = None) -> bool:
        """Set the run going ("running") towards its target: ``epochs`` more (default: the
        settings' epochs), or a paused run's old target. False, changing nothing, for a failed
        run or one with nothing to do. Then ``advance`` steps it, or ``train`` runs it."""
        if self._status is Status.FAILED:
            return False
        if self._status is not Status.PAUSED or epochs is not None or self._target <= self.epoch:
            self._target = self.epoch + whole(self.epochs if epochs is None else epochs, "epochs", 0)
        self._request = None
        if self._target <= self.epoch:
            return False
        self._status = Status.RUNNING
        return True

    def advance(self) -> float:
        """One optimizer step of a started run; "done" once the target's epoch ends. Returns the
        batch's cost before the step (nan when the run is not running or failed)."""
        if self._status is not Status.RUNNING:
            return math.nan
        cost, ended = self._step()
        if not ended and self.callback is not None:
            self.callback(self)
        if self._status is Status.RUNNING and self.epoch >= self._target:
            self._status = Status.DONE
        return cost

    def train(self, epochs: int | None = None) -> dict:
        """Train until ``epochs`` more epochs are done (default: the run's ``epochs``), or
        until paused, stopped or failed. A paused run continues to its old target. Never
        raises a GraphError: see ``status`` and ``error``. Returns ``result()``."""
        if self._status is Status.FAILED:
            return self.result()
        if self.start(epochs):
            self._looping = True
            try:
                while self.epoch < self._target:
                    if self._request:
                        self._settle(self._request)
                        return self.result()
                    self._step()
                    if self._status is Status.FAILED:
                        return self.result()
            finally:
                self._looping = False
        self._status = Status.DONE
        return self.result()

    def pause(self):
        """Stop after the batch under way (at once when no ``train()`` loop runs); ``resume()``,
        ``train()`` or ``start()`` carries on to the old target."""
        if self._status is Status.RUNNING and self._looping:
            self._request = Status.PAUSED
        elif self._status in (Status.READY, Status.RUNNING, Status.STOPPED, Status.DONE):
            self._settle(Status.PAUSED)

    def resume(self) -> dict:
        """Carry on a paused run to its target, in the calling thread."""
        if self._status is Status.PAUSED:
            return self.train()
        return self.result()

    def stop(self):
        """End the run after the batch under way (at once when no ``train()`` loop runs);
        ``train()`` would start a new target."""
        if self._status is Status.RUNNING and self._looping:
            self._request = Status.STOPPED
        elif self._status in (Status.READY, Status.RUNNING, Status.PAUSED):
            self._settle(Status.STOPPED)

    def _settle(self, status: Status):
        self._status, self._request = status, None
        if status is Status.STOPPED:
            self._target = self.epoch  # a stopped run has reached its end

    # --- measuring -----------------------------------------------------------------------
    def measure(self, data) -> tuple[float, float | None]:
        """Cost and accuracy on ``data`` with the current parameters (forward only)."""
        ev = self.plan.run(data, self.params, backward=False)
        correct, counted = self._score(ev, data)
        return ev.cost, (correct / counted if counted else None)

    def result(self) -> dict:
        """The SPEC §6 ``train`` JSON: final cost and accuracy on the training points after
        the last step, the parameters and the history (plus test figures, status and error)."""
        try:
            cost, acc = self.measure(self.train_data)
        except GraphError:
            cost, acc = None, None
        out = {"cost": cost, "accuracy": acc, "epochs": self.epoch,
               "parameters": {p: float(v) for p, v in zip(self.param_ids, self.params, strict=True)},
               "history": self.history.entries()}
        if self.test_data is not None:
            try:
                out["test_cost"], out["test_accuracy"] = self.measure(self.test_data)
            except GraphError:
                out["test_cost"], out["test_accuracy"] = None, None
        out.update({"status": self._status.value, "error": str(self.error) if self.error else None,
                    "seconds": round(self._elapsed, 6)})
        return out

    # --- parameters ------------------------------------------------------------------------
    def write_back(self, graph=None):
        """Put the trained parameter values into ``graph`` (default: the trained graph)."""
        (graph or self.graph).set_values({p: float(v) for p, v in zip(self.param_ids, self.params, strict=True)})

    def reset_parameters(self, seed: int = 0):
        """Start again from random values (``initial_values(graph, seed)``): clears the
        history and the optimizer's state, and re-seeds the batch shuffling."""
        start = initial_values(self.graph, seed)
        self.params = np.array([start[p] for p in self.param_ids], dtype=float)
        self._restart()


TRACKABLE = ("box_grads", "accuracy", "test")


def _tracked(track) -> frozenset:
    """What the per-epoch bookkeeping measures: None for everything (what the window's plots
    have always read), else a selection of TRACKABLE — ``box_grads`` (each Variable's mean
    |dJ/dv|, an extra backward over every box once an epoch), ``accuracy`` (on the training
    points) and ``test`` (cost and accuracy on the test points, a forward over them)."""
    if track is None:
        return frozenset(TRACKABLE)
    chosen = frozenset([track] if isinstance(track, str) else track)
    unknown = sorted(chosen - set(TRACKABLE))
    if unknown:
        raise ValueError(f"track: unknown {', '.join(map(repr, unknown))} (choose from {', '.join(TRACKABLE)})")
    return chosen



_add_reduce = np.add.reduce
_isfinite = math.isfinite
_clock = time.perf_counter


def _rows(data) -> int | None:
    if not data:
        return None
    return len(next(iter(data.values())))
