"""Runs a graphcore Trainer inside the window without freezing it.

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
worker thread and the window draws between slices (training_worker.py). The pace and
the frame spacing at "max" are in training_pace.py.

The learner's graph is the truth: while training, parameter values are written into it
at the plot rate (so the canvas and inspector follow live); when the run pauses, stops
or ends, one undo step records old → new values ("Train 120 epochs"); that step is on the
undo stack from the run's start, so Ctrl+Z during a run stops it and restores exactly the
values before it (and redo those it stopped at), never the edit before it. Any other change
to the graph makes the Trainer stale: it is rebuilt from the graph on the next action.
A change to the training block only (learning rate, epochs, batch size, options of the
same optimizer) is applied to the running Trainer, so its history carries on.
"""
from __future__ import annotations

import collections
import time

from PySide6.QtCore import QObject, QTimer, Signal
from shiboken6 import isValid

from graphcore import learner, optim
from graphcore.exercise import lock_refusal
from graphcore.errors import DivergenceError, GraphError, NonFiniteError
from graphcore.graph import EventKind
from graphcore.training import Trainer, initial_values

from .plots_common import FPS_LIMIT
from .training_pace import PaceClock
from .training_worker import POLL_MS, OffloadedSlices, StepWorker
from .training_commands import SetValuesCommand, TrainRunCommand, parameter_values

SLICE_MS = 25  # longest stretch of epochs before the window gets the thread back (click latency ≤ ~25 ms + a frame)
FRAME_MS = 1000 // FPS_LIMIT
STATES = ("idle", "running", "paused", "stopped", "done", "failed")


def trained_values(t: Trainer) -> dict[str, float]:
    return {p: float(v) for p, v in zip(t.param_ids, t.params, strict=True)}


class TrainingRunner(PaceClock, OffloadedSlices, QObject):
    state_changed = Signal(str)
    frame = Signal()  # something new to draw; at most FPS_LIMIT times a second
    failed = Signal(str, list)  # message, boxes to select
    trainer_changed = Signal()  # a new Trainer (fresh history)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.trainer: Trainer | None = None
        self.state = "idle"
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
        self._target = 0
        self._signature = None
        self._start_values: dict | None = None
        self._start_epoch = 0
        self._command: TrainRunCommand | None = None  # the running Train's undo step
        self._last_written: dict | None = None  # the values the graph shows for the run
        self._writing = False
        self._new = False
        self._rate = collections.deque(maxlen=32)  # (time, epoch) samples for epochs/s
        self._slice = QTimer(self, interval=0)
        self._slice.timeout.connect(self._run_slice)
        self._frame = QTimer(self, interval=FRAME_MS)
        self._frame.timeout.connect(self._emit_frame)
        self._unsubscribe = document.graph.subscribe(self._on_graph_event)

    # --- the trainer -----------------------------------------------------------------------
    def _graph_signature(self):
        g = self.document.graph
        # Where the file lives matters only to a CSV data set (its path is relative to the
        # file): saving a graph for the first time must not restart a paused run.
        csv = "csv" in (g.meta.get("dataset") or {})
        return g.version, g.values_version, g.source_path if csv else None

    @property
    def trainer_is_current(self) -> bool:  # built for the graph as it is now (structure, values, data file)
        return self.trainer is not None and self._signature == self._graph_signature()

    def ensure_trainer(self) -> Trainer | None:
        """The Trainer for the graph as it is now (rebuilt if the graph changed)."""
        if self.trainer is None or self._signature != self._graph_signature():
            self._build()
        return self.trainer

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
        self._target = 0
        self._rate.clear()
        self.epochs_per_second = 0.0
        self._set_state("idle" if self.trainer is not None else "failed")
        self.trainer_changed.emit()

    def _on_graph_event(self, event):
        if self._writing or self.trainer is None:
            return
        if event.kind is EventKind.GRAPH_CHANGED and event.key == "training" and self._apply_settings_live():
            self._signature = self._graph_signature()
            return
        if self.state == "running":
            # Someone else changed the graph mid-run (an edit, an undo): finish the run
            # cleanly once that change is complete, then start afresh from the graph.
            self._slice.stop()
            self._frame.stop()
            QTimer.singleShot(0, self._interrupted)

    def _interrupted(self):
        self._commit(only_if_untouched=True)
        self.trainer = None
        self.message = "Training stopped: the graph changed"
        self._set_state("stopped")
        self.trainer_changed.emit()
        self.frame.emit()

    def _apply_settings_live(self) -> bool:
        """Carry new settings of the same optimizer into the running Trainer."""
        self._worker.collect()  # not while a slice on the worker thread uses them
        t = self.trainer
        block = dict(self.document.graph.meta.get("training") or {})
        if block.get("optimizer", "sgd") != t.optimizer_name or self._signature[0] != self.document.graph.version:
            return False
        try:
            options = {k: v for k, v in block.items() if k not in ("optimizer", "lr", "epochs", "batch_size", "seed")}
            hp = optim.settings(t.optimizer_name, block.get("lr"), options)
        except GraphError as exc:
            self._report(str(exc), [])
            return True  # keep the old settings; the message says why
        if block.get("seed", 0) != t.seed:
            return False  # a new shuffling seed is a new run
        t.opt.hp, t.lr, t.options = hp, hp["lr"], options
        old_epochs, t.epochs = t.epochs, int(block.get("epochs", t.epochs))
        self._target += t.epochs - old_epochs
        bs = block.get("batch_size")
        t.batch_size = int(bs) if bs is not None else None
        return True

    # --- actions -------------------------------------------------------------------------
    def train(self):
        """Train to the run's target: ``epochs`` more (a paused run carries on to its old target)."""
        self._before_action()
        if self._refused():
            return
        t = self.ensure_trainer()
        if t is None or t.status == "failed":
            return
        if self.state != "paused" or self._target <= t.epoch:
            self._target = t.epoch + t.epochs
        if self._target <= t.epoch:
            self.message = "Nothing to do: the number of epochs is 0"
            self.frame.emit()
            return
        self._begin()
        self._open_command()
        t.status = "running"
        self._set_state("running")
        self._restart_clock()
        self._slice.start()
        self._frame.start()

    def pause(self):
        if self.state != "running":
            return
        self._halt("paused")

    def stop(self):
        if self.state not in ("running", "paused"):
            return
        self._halt("stopped")
        self._target = self.trainer.epoch if self.trainer else 0

    def step_batch(self):
        """One optimizer step on the next batch; the run is left paused."""
        self._step(lambda t: t.step_batch(), "Step one batch")

    def step_epoch(self):
        self._step(lambda t: t.run_epoch(), "Step one epoch")

    def reset_parameters(self, seed: int = 0):
        """Re-initialise the parameters (``initial_values``) as one undo step; a new run starts."""
        self._before_action()
        if self.state == "running":
            self._halt("paused")
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

    # --- running ------------------------------------------------------------------------
    def restart_same_start(self):
        """Train again from the parameters and the shuffling seed the last run started from."""
        self._before_action()
        if self.state == "running":
            self._halt("paused")
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

    def show_values(self, values: dict):
        """Write parameter values into the graph without an undo step, the Trainer staying current
        (a replay shows an epoch's values; live values while training)."""
        self._write(values)

    @property
    def writing(self) -> bool:
        """Whether the graph event under way is the runner's own write."""
        return self._writing

    def _step(self, action, text: str):
        self._before_action()
        if self.state == "running":
            self._halt("paused")
        if self._refused():
            return
        t = self.ensure_trainer()
        if t is None or t.status == "failed":
            return
        self._begin()
        action(t)
        self._rate.clear()
        self._after_epochs()
        if self.state != "failed":
            self._commit(text=text)
            self._set_state("paused")
        self.frame.emit()

    def _open_command(self):
        g = self.document.graph
        cmd = TrainRunCommand(g, self._start_values, "Train (running)", self._stop_for_undo)
        self._writing = True
        try:
            refused = self.document.push(cmd)
        finally:
            self._writing = False
        self._signature = self._graph_signature()
        self._command = None if refused else cmd
        self._last_written = None

    def _stop_for_undo(self, cmd: TrainRunCommand):
        """Ctrl+Z reached the running Train's step: stop the run; redo gives back where it stopped."""
        cmd.stop_run = None
        if cmd is not self._command:
            return
        self._slice.stop()
        self._frame.stop()
        self._worker.collect()
        t = self.trainer
        if t is not None:
            cmd.new = trained_values(t)
            n = t.epoch - self._start_epoch
            cmd.setText(f"Train {n} epoch{'s' if n != 1 else ''}")
        self._command, self._start_values, self.trainer = None, None, None
        self.message = "Training stopped: undone"
        self._set_state("stopped")
        self.trainer_changed.emit()
        self.frame.emit()

    def _begin(self):
        t = self.trainer
        if self._start_values is None:
            self._start_values = parameter_values(self.document.graph, t.param_ids)
            self._start_epoch = t.epoch
        self._rate.append((time.perf_counter(), t.epoch))

    def _run_slice(self):
        t = self.trainer
        if self._worker.in_flight:  # a slice on the worker thread (training_worker.py)
            if not self._worker.done():
                self._slice.setInterval(POLL_MS)  # a change of speed meanwhile set it to 0
                return
            self._worker.collect()
            self._seen = trained_values(t)
            self._end_slice(t)
            if self.state != "running":
                return
            drawn = time.perf_counter()
            self._emit_frame()  # between slices: the only moment a frame may read the Trainer
            self._outside += time.perf_counter() - drawn
        now = time.perf_counter()
        if self._slice_end is not None and not self.offloading:
            self._outside += now - self._slice_end
        deadline = now + SLICE_MS / 1000
        t.box_grads = bool(self.wants_box_grads())
        limit = self._paced_limit(now)
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
            t.step_batch()
            n += 1
            self._new = True
            if t.status == "failed":
                break
            t.status = "running"  # step_batch leaves a run "paused" between steps
            if time.perf_counter() >= deadline:
                break
        if n:
            self._worker.step_seconds = (time.perf_counter() - start) / n

    def _end_slice(self, t: Trainer):
        self._slice_end = time.perf_counter()
        self._rate.append((self._slice_end, t.epoch))
        self._after_epochs()
        if self.state == "running" and t.epoch >= self._target:
            self._halt("done")
        elif self.state == "running" and self.speed is not None:
            self._slice.setInterval(self._wait_ms(t.epoch))

    def _after_epochs(self):
        t = self.trainer
        if len(self._rate) >= 2:
            (t0, e0), (t1, e1) = self._rate[0], self._rate[-1]
            if t1 > t0:
                self.epochs_per_second = (e1 - e0) / (t1 - t0)
        if t.status == "failed":
            self._slice.stop()
            self._frame.stop()
            self._commit(text="Train (stopped on an error)")
            err = t.error
            if isinstance(err, DivergenceError):  # the diverging epoch itself ran to its end
                text = f"Training stopped after epoch {t.epoch}: {err}"
            else:
                what = "a non-finite value" if isinstance(err, NonFiniteError) else "an error"
                text = f"Training stopped at epoch {t.epoch + 1} on {what}: {err}"
            self._report(text, list(err.nodes if err else []))
            self._set_state("failed")
            self.frame.emit()

    def _halt(self, state: str):
        self._slice.stop()
        self._frame.stop()
        if self._worker.in_flight:  # the slice under way ends first (at most one step)
            self._worker.collect()
            self._after_epochs()
            if self.state == "failed":
                return
        t = self.trainer
        if t is not None and t.status == "running":
            t.status = "paused" if state == "paused" else state
        self._commit()
        self._set_state(state)
        self.frame.emit()

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

    def _write(self, values: dict):
        self._last_written = dict(values)
        self._writing = True
        try:
            self.document.graph.set_values(values)
        finally:
            self._writing = False
        self._signature = self._graph_signature()

    def _commit(self, text: str | None = None, only_if_untouched: bool = False):
        """One undo step from the values before the run to the trained ones."""
        self._worker.collect()
        t, old = self.trainer, self._start_values
        cmd, self._command = self._command, None
        self._start_values = None
        if t is None or old is None:
            return
        new = trained_values(t)
        g = self.document.graph
        if cmd is not None:
            self._close_command(cmd, t, old, new, text, only_if_untouched)
            return
        if only_if_untouched:
            live = parameter_values(g, [p for p in t.param_ids if p in g])
            if any(p not in g for p in t.param_ids) or any(live[p] != old.get(p) and live[p] != new[p] for p in live):
                return
        if new == old:
            return
        n = t.epoch - self._start_epoch
        text = text or f"Train {n} epoch{'s' if n != 1 else ''}"
        self._writing = True
        try:
            refused = self.document.push(SetValuesCommand(g, old, new, text))
        finally:
            self._writing = False
        self._signature = self._graph_signature()
        if refused:
            self._report(refused, [])

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
    def _close_command(self, cmd: TrainRunCommand, t: Trainer, old: dict, new: dict, text, only_if_untouched):
        """The run ended: its step (pushed at the start) now holds the values it ended with."""
        cmd.stop_run = None
        if not isValid(cmd):  # the undo stack was cleared (New, Open): nothing to record
            return
        if only_if_untouched:
            # Another change stopped the run: the step ends at what the graph showed before it.
            new = self._last_written or old
        else:
            self._write(new)
        cmd.new = dict(new)
        n = t.epoch - self._start_epoch
        cmd.setText(text or f"Train {n} epoch{'s' if n != 1 else ''}")
        self._signature = self._graph_signature()

    def _report(self, message: str, nodes: list):
        self.message = message
        self.failed.emit(message, nodes)

    def _set_state(self, state: str):
        if state == "running":
            self.message = ""
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)

    @property
    def target(self) -> int:
        return self._target

    def shutdown(self):
        self._slice.stop()
        self._frame.stop()
        self._worker.shutdown()
        self._unsubscribe()
