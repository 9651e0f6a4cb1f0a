"""Optimizer steps on a worker thread when one step is too long for the window's thread
(issue #20 item 6).

A full-batch step over a million points takes a third of a second or more: run on the
GUI thread it would hold every click that long. Then the runner hands each slice of steps
to one worker thread and polls for its end every POLL_MS; numpy releases the GIL inside
its array loops, so the window keeps answering meanwhile. While a slice is in flight
nothing else touches the Trainer: the runner draws its frames between slices, and Pause,
Stop, an undo or a change of settings first wait for the slice (at most one step) to end.
Small steps stay on the GUI thread, where a click waits at most one slice (SLICE_MS):
handing them over would cost more than they do.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

OFFLOAD_ROWS = 20_000  # a batch this large goes to the worker from its first step
POLL_MS = 5


class StepWorker:
    def __init__(self):
        self._pool: ThreadPoolExecutor | None = None
        self._future: Future | None = None
        self.step_seconds = 0.0  # a step's time on the GUI thread, as last measured

    def wanted(self, trainer, slice_seconds: float) -> bool:
        """Whether the next slice goes to the worker: a big batch, or steps measured too long."""
        rows = trainer.n_train or 0
        if trainer.batch_size is not None:
            rows = min(rows, trainer.batch_size)
        return rows >= OFFLOAD_ROWS or self.step_seconds > slice_seconds

    @property
    def in_flight(self) -> bool:
        return self._future is not None

    def done(self) -> bool:
        return self._future is None or self._future.done()

    def submit(self, work):
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="training")
        self._future = self._pool.submit(work)

    def collect(self):
        """Wait for the slice in flight, if any (an error in it is raised here, on the GUI thread)."""
        future, self._future = self._future, None
        if future is not None:
            future.result()

    def shutdown(self):
        self.collect()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


class OffloadedSlices:
    """Mixed into TrainingRunner: what the window may read while a slice is on the worker."""

    @property
    def slice_in_flight(self) -> bool:
        """A slice of steps is under way on the worker thread: the Trainer is not to be read."""
        return self._worker.in_flight

    def live_params(self) -> dict | None:
        """The run's parameters as the window may read them now: while a slice is on the
        worker thread, those after the last slice (the Trainer's are being written)."""
        t = self.trainer
        if t is None:
            return None
        if self._worker.in_flight and self._seen:
            return dict(self._seen)
        return {p: float(v) for p, v in zip(t.param_ids, t.params, strict=True)}
