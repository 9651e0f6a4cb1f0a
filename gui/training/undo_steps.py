"""How a run reaches the graph and the undo stack (mixed into TrainingRunner).

The learner's graph is the truth: while training, parameter values are written into it
at the plot rate without an undo step (``_write``: the runner's own events are ignored,
``writing``); when the run pauses, stops or ends, one undo step records old → new values
("Train 120 epochs"). A Train's step is pushed when the run starts (``TrainRunCommand``),
so Ctrl+Z during the run stops it and restores exactly the values before it (redo: those
it stopped at), never the edit before it. A step or an epoch is recorded when it is done.
"""
from __future__ import annotations

import time

from shiboken6 import isValid

from .commands import SetValuesCommand, TrainRunCommand, parameter_values


def trained_values(t) -> dict[str, float]:
    """A Trainer's current parameters, box id → value."""
    return {p: float(v) for p, v in zip(t.param_ids, t.params, strict=True)}


def epochs_text(n: int) -> str:
    return f"Train {n} epoch{'s' if n != 1 else ''}"


class RunUndoSteps:
    """Uses the runner's ``document``, ``trainer``, ``_worker``, ``_signature`` and ``_report``."""

    def _init_undo_steps(self):
        self._start_values: dict | None = None  # the graph's values before the run (None: no run open)
        self._start_epoch = 0
        self._command: TrainRunCommand | None = None  # the running Train's undo step
        self._last_written: dict | None = None  # the values the graph shows for the run
        self._writing = False

    @property
    def writing(self) -> bool:
        """Whether the graph event under way is the runner's own write."""
        return self._writing

    def show_values(self, values: dict):
        """Write parameter values into the graph without an undo step, the Trainer staying current
        (a replay shows an epoch's values; live values while training)."""
        self._write(values)

    def _write(self, values: dict):
        self._last_written = dict(values)
        self._writing = True
        try:
            self.document.graph.set_values(values)
        finally:
            self._writing = False
        self._signature = self._graph_signature()

    def _push_own(self, command) -> str | None:
        """Push a command whose graph events are the runner's own (they must not stop the run)."""
        self._writing = True
        try:
            return self.document.push(command)
        finally:
            self._writing = False
            self._signature = self._graph_signature()

    def _begin(self):
        t = self.trainer
        if self._start_values is None:
            self._start_values = parameter_values(self.document.graph, t.param_ids)
            self._start_epoch = t.epoch
        self._rate.append((time.perf_counter(), t.epoch))

    def _open_command(self):
        cmd = TrainRunCommand(self.document.graph, self._start_values, "Train (running)", self._stop_for_undo)
        refused = self._push_own(cmd)
        self._command = None if refused else cmd
        self._last_written = None

    def _stop_for_undo(self, cmd: TrainRunCommand):
        """Ctrl+Z reached the running Train's step: stop the run; redo gives back where it stopped."""
        cmd.stop_run = None
        if cmd is not self._command:
            return
        self._stop_timers()
        self._worker.collect()
        t = self.trainer
        if t is not None:
            cmd.new = trained_values(t)
            cmd.setText(epochs_text(t.epoch - self._start_epoch))
        self._command, self._start_values = None, None
        self._drop_trainer("Training stopped: undone")

    def _commit(self, text: str | None = None, only_if_untouched: bool = False):
        """One undo step from the values before the run to the trained ones."""
        self._worker.collect()
        t, old = self.trainer, self._start_values
        cmd, self._command = self._command, None
        self._start_values = None
        if t is None or old is None:
            return
        new = trained_values(t)
        if cmd is not None:
            self._close_command(cmd, t, old, new, text, only_if_untouched)
            return
        g = self.document.graph
        if only_if_untouched:
            live = parameter_values(g, [p for p in t.param_ids if p in g])
            if any(p not in g for p in t.param_ids) or any(live[p] != old.get(p) and live[p] != new[p] for p in live):
                return
        if new == old:
            return
        text = text or epochs_text(t.epoch - self._start_epoch)
        refused = self._push_own(SetValuesCommand(g, old, new, text))
        if refused:
            self._report(refused, [])

    def _close_command(self, cmd: TrainRunCommand, t, old: dict, new: dict, text, only_if_untouched):
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
        cmd.setText(text or epochs_text(t.epoch - self._start_epoch))
        self._signature = self._graph_signature()
