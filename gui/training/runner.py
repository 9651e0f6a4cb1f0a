"""Runs a graphcore Trainer inside the window without freezing it: the runner only schedules.

The run itself — its settings, status, target epoch, history — lives in the Trainer and
changes through its methods (``start``, ``advance``, ``pause``, ``stop``, ``apply``); the
runner decides when those are called and tells the window (signals).

Why short timer slices on the GUI thread rather than a worker thread: the engine is
many small numpy calls, which hold the GIL for most of their time, so a worker would
fight the GUI thread for the GIL and the window would stutter anyway; on one thread
Pause is exact (no batch is ever in flight when it returns), the Trainer and the Graph
are never touched from two threads, and nothing has to be copied or locked. Each slice
runs optimizer steps until SLICE_MS have passed, then returns to the event loop, which
handles clicks and repaints before the next slice. Plots are told to redraw by a
separate timer, at most FPS_LIMIT times a second, only when something new happened.
The exception is a batch so large that one step outlasts a slice (a million points):
there each array operation is long and lets go of the GIL, so the slice runs on one
worker thread and the window draws between slices (worker.py). The pace and the frame
spacing at "max" are in pace.py; how a run reaches the graph and the undo stack in
undo_steps.py.

Any change to the graph other than the runner's own makes the Trainer stale: it is rebuilt
from the graph on the next action. A change to the training block only (learning rate,
epochs, batch size, options of the same optimizer) is applied to the Trainer
(``Trainer.apply``), so its history carries on.
"""
from __future__ import annotations

import collections
import time

from PySide6.QtCore import QObject, QTimer, Signal

from graphcore import learner
from graphcore.errors import DivergenceError, GraphError, NonFiniteError
from graphcore.exercise import lock_refusal
from graphcore.graph import EventKind
from graphcore.param_init import initial_values
from graphcore.train_settings import Settings, Status
from graphcore.training import Trainer

from ..panels.plots_common import FPS_LIMIT
from .commands import SetValuesCommand, parameter_values
from .pace import PaceClock
from .undo_steps import RunUndoSteps, trained_values
from .worker import POLL_MS, OffloadedSlices, StepWorker

__all__ = ["SLICE_MS", "TrainingRunner", "trained_values"]

SLICE_MS = 25  # longest stretch of epochs before the window gets the thread back (click latency ≤ ~25 ms + a frame)
FRAME_MS = 1000 // FPS_LIMIT


def failure_message(t: Trainer) -> str:
    """The status bar's line for a failed run."""
    err = t.error
    if isinstance(err, DivergenceError):  # the diverging epoch itself ran to its end
        return f"Training stopped after epoch {t.epoch}: {err}"
    what = "a non-finite value" if isinstance(err, NonFiniteError) else "an error"
    return f"Training stopped at epoch {t.epoch + 1} on {what}: {err}"


class TrainingRunner(PaceClock, OffloadedSlices, RunUndoSteps, QObject):
    state_changed = Signal(str)  # a Status word
    frame = Signal()  # something new to draw; at most FPS_LIMIT times a second
    failed = Signal(str, list)  # message, boxes to select
    trainer_changed = Signal()  # a new Trainer (fresh history)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.trainer: Trainer | None = None
        self.state = Status.READY  # the Trainer's status as last shown (failed, or stopped, without one)
        self.message = ""
        self.epochs_per_second = 0.0
        self.live_values = True  # write parameters into the graph while training
        self.speed: float | None = None  # epochs per second; None: as fast as possible
        self.wants_box_grads = lambda: True  # whether a visible plot shows each Variable's |dJ/dv|
        self.before_action: list = []  # called before Train, a step or a reset (a replay goes back to live)
        self.run_start: dict | None = None  # the parameters the Trainer started from ("Restart from the same start")
        self._pace = (0.0, 0)  # (time, epoch) the speed counts from
        self._outside = 0.0  # seconds spent outside slices (drawing, events) since the last frame
        self._slice_end = None
        self._last_frame = (0.0, 0.0)  # (time of the last frame, time outside slices in the cycle before it)
        self._worker = StepWorker()
        self.offloading = False  # the slices run on the worker thread (a huge batch)
        self._seen: dict | None = None  # the parameters after the last offloaded slice
        self._signature = None
        self._init_undo_steps()
        self._new = False
        self._rate = collections.deque(maxlen=32)  # (time, epoch) samples for epochs/s
        self._slice = QTimer(self, interval=0)
        self._slice.timeout.connect(self._run_slice)
        self._frame = QTimer(self, interval=FRAME_MS)
        self._frame.timeout.connect(self._emit_frame)
        self._unsubscribe = document.graph.subscribe(self._on_graph_event)

    @property
    def target(self) -> int:
        """The epoch the run under way (or paused) ends at; 0 before a run."""
        return self.trainer.target if self.trainer is not None else 0

    # --- the trainer -----------------------------------------------------------------------
    def _graph_signature(self):
        g = self.document.graph
        # Where the file lives matters only to a CSV data set (its path is relative to the
        # file): saving a graph for the first time must not restart a paused run.
        csv = "csv" in (g.meta.get("dataset") or {})
        return g.version, g.values_version, g.source_path if csv else None

    def ensure_trainer(self) -> Trainer | None:
        """The Trainer for the graph as it is now (rebuilt if the graph changed)."""
        if self.trainer is None or self._signature != self._graph_signature():
            self._build()
        return self.trainer

    def current_trainer(self) -> Trainer | None:
        """The Trainer if it still describes the graph (or is running), else None: the plots'."""
        t = self.trainer
        if t is not None and (self.state == Status.RUNNING or self._signature == self._graph_signature()):
            return t
        return None

    def _build(self):
        self.trainer = None
        self.message = ""
        try:
            self.trainer = Trainer(self.document.graph, self.document.dataset())
            self.run_start = trained_values(self.trainer)
        except GraphError as exc:
            self._report(str(exc), list(exc.nodes))
        except (OSError, ValueError) as exc:  # a data file that cannot be read as it stands
            self._report(f"cannot train: {exc}", [])
        self._signature = self._graph_signature()
        self._rate.clear()
        self.epochs_per_second = 0.0
        self._set_state(Status.READY if self.trainer is not None else Status.FAILED)
        self.trainer_changed.emit()

    def _on_graph_event(self, event):
        if self._writing or self.trainer is None:
            return
        if event.kind is EventKind.GRAPH_CHANGED and event.key == "training" and self._apply_settings_live():
            self._signature = self._graph_signature()
            return
        if self.state == Status.RUNNING:
            # Someone else changed the graph mid-run (an edit, an undo): finish the run
            # cleanly once that change is complete, then start afresh from the graph.
            self._stop_timers()
            QTimer.singleShot(0, self._interrupted)

    def _interrupted(self):
        self._commit(only_if_untouched=True)
        self._drop_trainer("Training stopped: the graph changed")

    def _drop_trainer(self, message: str):
        self.trainer = None
        self.message = message
        self._set_state(Status.STOPPED)
        self.trainer_changed.emit()
        self.frame.emit()

    def _apply_settings_live(self) -> bool:
        """Carry new settings of the same optimizer and seed into the Trainer; False: a new run."""
        self._worker.collect()  # not while a slice on the worker thread uses them
        g, t = self.document.graph, self.trainer
        if (g.meta.get("training") or {}).get("optimizer", "sgd") != t.optimizer_name \
                or self._signature[0] != g.version:
            return False
        try:
            settings = Settings.of(g)
        except GraphError as exc:
            self._report(str(exc), [])
            return True  # keep the old settings; the message says why
        return t.apply(settings)

    # --- actions -------------------------------------------------------------------------
    def train(self):
        """Train to the run's target: ``epochs`` more (a paused run carries on to its old target)."""
        self._before_action()
        if self._refused():
            return
        t = self.ensure_trainer()
        if t is None or t.status == Status.FAILED:
            return
        if not t.start():
            self.message = "Nothing to do: the number of epochs is 0"
            self.frame.emit()
            return
        self._begin()
        self._open_command()
        self._set_state(Status.RUNNING)
        self._restart_clock()
        self._slice.start()
        self._frame.start()

    def pause(self):
        if self.state != Status.RUNNING:
            return
        self._halt(Status.PAUSED)

    def stop(self):
        if self.state not in (Status.RUNNING, Status.PAUSED):
            return
        self._halt(Status.STOPPED)

    def step_batch(self):
        """One optimizer step on the next batch; the run is left paused."""
        self._step(lambda t: t.step_batch(), "Step one batch")

    def step_epoch(self):
        self._step(lambda t: t.run_epoch(), "Step one epoch")

    def _step(self, action, text: str):
        self._before_action()
        if self.state == Status.RUNNING:
            self._halt(Status.PAUSED)
        if self._refused():
            return
        t = self.ensure_trainer()
        if t is None or t.status == Status.FAILED:
            return
        self._begin()
        action(t)
        t.pause()  # a step leaves the run paused: Resume carries on to its target
        self._rate.clear()
        self._after_epochs()
        if self.state != Status.FAILED:
            self._commit(text=text)
            self._set_state(Status.PAUSED)
        self.frame.emit()

    def reset_parameters(self, seed: int = 0):
        """Re-initialise the parameters (``initial_values``) as one undo step; a new run starts."""
        self._before_action()
        if self.state == Status.RUNNING:
            self._halt(Status.PAUSED)
        g = self.document.graph
        try:
            new = initial_values(g, seed)
        except GraphError as exc:
            self._report(str(exc), list(exc.nodes))
            return
        refused = self.document.push(SetValuesCommand(g, parameter_values(g, new), new,
                                                      f"Reset parameters (seed {seed})"))
        if refused:
            self._report(refused, [])
            return
        self._build()
        self.frame.emit()

    def restart_same_start(self):
        """Train again from the parameters and the shuffling seed the last run started from."""
        self._before_action()
        if self.state == Status.RUNNING:
            self._halt(Status.PAUSED)
        g = self.document.graph
        start = {p: v for p, v in (self.run_start or {}).items() if p in g}
        if not start:
            self._report("Nothing to restart: train first", [])
            return
        old = parameter_values(g, list(start))
        if old != start:
            refused = self.document.push(SetValuesCommand(g, old, start, "Restart from the same start"))
            if refused:
                self._report(refused, [])
                return
        self._build()
        self.train()

    def _before_action(self):
        for hook in self.before_action:
            hook()

    def _refused(self) -> bool:
        """A learner Function whose local derivative fails its check is not trained with."""
        refusal = learner.train_refusal(self.document.graph)
        if refusal:
            self._report(*refusal)
            return True
        locked = lock_refusal(self.document.graph, self.document.graph.parameters())  # a step would change it
        if locked:
            self._report(f"Train refuses: {locked}", [])
        return bool(locked)

    # --- running ------------------------------------------------------------------------
    def _run_slice(self):
        t = self.trainer
        if self._worker.in_flight:  # a slice on the worker thread (worker.py)
            if not self._worker.done():
                self._slice.setInterval(POLL_MS)  # a change of speed meanwhile set it to 0
                return
            self._worker.collect()
            self._seen = trained_values(t)
            self._end_slice(t)
            if self.state != Status.RUNNING:
                return
            drawn = time.perf_counter()
            self._emit_frame()  # between slices: the only moment a frame may read the Trainer
            self._outside += time.perf_counter() - drawn
        now = time.perf_counter()
        if self._slice_end is not None and not self.offloading:
            self._outside += now - self._slice_end
        deadline = now + SLICE_MS / 1000
        t.box_grads = bool(self.wants_box_grads())
        limit = self._paced_limit(now, t.target)
        self.offloading = self._worker.wanted(t, SLICE_MS / 1000)
        if self.offloading and t.epoch < limit:
            self._worker.submit(lambda: self._steps(t, limit, deadline))
            self._slice.setInterval(POLL_MS)
            return
        self._steps(t, limit, deadline)
        self._end_slice(t)

    def _steps(self, t: Trainer, limit: int, deadline: float):
        """Optimizer steps, not whole epochs, until SLICE_MS have passed: an epoch of a million
        points in small batches is thousands of steps, and a click must not wait for them all."""
        start, n = time.perf_counter(), 0
        while t.epoch < limit:
            t.advance()
            n += 1
            self._new = True
            if t.status != Status.RUNNING or time.perf_counter() >= deadline:  # failed, done, or time's up
                break
        if n:
            self._worker.step_seconds = (time.perf_counter() - start) / n

    def _end_slice(self, t: Trainer):
        self._slice_end = time.perf_counter()
        self._rate.append((self._slice_end, t.epoch))
        self._after_epochs()
        if self.state == Status.RUNNING and t.status == Status.DONE:
            self._halt(Status.DONE)
        elif self.state == Status.RUNNING and self.speed is not None:
            self._slice.setInterval(self._wait_ms(t.epoch))

    def _after_epochs(self):
        t = self.trainer
        if len(self._rate) >= 2:
            (t0, e0), (t1, e1) = self._rate[0], self._rate[-1]
            if t1 > t0:
                self.epochs_per_second = (e1 - e0) / (t1 - t0)
        if t.status == Status.FAILED:
            self._stop_timers()
            self._commit(text="Train (stopped on an error)")
            self._report(failure_message(t), list(t.error.nodes if t.error else []))
            self._set_state(Status.FAILED)
            self.frame.emit()

    def _halt(self, state: Status):
        """End the slices: the Trainer is paused, stopped or done; the run becomes its undo step."""
        self._stop_timers()
        if self._worker.in_flight:  # the slice under way ends first (at most one step)
            self._worker.collect()
            self._after_epochs()
            if self.state == Status.FAILED:
                return
        t = self.trainer
        if t is not None and state == Status.PAUSED:
            t.pause()
        elif t is not None and state == Status.STOPPED:
            t.stop()
        self._commit()
        self._set_state(state)
        self.frame.emit()

    def _stop_timers(self):
        self._slice.stop()
        self._frame.stop()

    def _emit_frame(self):
        if self.slice_in_flight:
            return  # drawn when the slice ends (_run_slice), when the Trainer is whole
        if self._new and self._frame_due():
            self._new = False
            self._write_live()
            self.frame.emit()

    def _write_live(self):
        t = self.trainer
        # Offloaded (a huge data set), values are written at the end only: each write would
        # re-evaluate the graph on every point, on the GUI thread.
        if self.live_values and t is not None and not self.offloading:
            self._write(trained_values(t))

    def _report(self, message: str, nodes: list):
        self.message = message
        self.failed.emit(message, nodes)

    def _set_state(self, state):
        state = Status(state)
        if state == Status.RUNNING:
            self.message = ""
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    def shutdown(self):
        self._stop_timers()
        self._worker.shutdown()
        self._unsubscribe()
