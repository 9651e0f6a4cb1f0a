"""The loss landscape's grid, computed off the window's thread (issue #14 item 3).

A ``GridRequest`` is frozen when it is made: a copy of the graph (``Graph.copy``), the
training columns and the trajectory are the worker's own, so the learner may go on
editing, training or clicking while the grid is computed. ``compute`` is the one code path
(the tests call it directly; the window through ``GridWorker``): graphcore.landscape's
``parameter_grid`` or ``path_grid`` on that copy.

``GridWorker`` runs one request at a time in a QThread; a request made while one is under
way waits, and a newer one replaces it (only the latest matters). Every result carries the
serial number of its request, so a late answer to an old question is dropped by the panel.
Why a thread helps although numpy holds the GIL between calls: each ``Plan.run`` on 4,096
columns spends most of its time inside numpy kernels that release it, and Python hands the
GIL back to the window's thread every few milliseconds otherwise (benchmarks/bench_landscape_window.py).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal

from graphcore import landscape
from graphcore.errors import GraphError

MODES = ("pair", "path")


@dataclass(frozen=True)
class GridRequest:
    """What to draw: ``mode`` "pair" (parameters ``p1``, ``p2`` ± ``span`` around their values
    in ``graph``) or "path" (the plane of ``trajectory``'s two main directions)."""

    serial: int
    graph: object  # a graphcore Graph the worker owns (a copy)
    data: dict | None
    mode: str
    p1: str | None = None
    p2: str | None = None
    span: float | None = None
    trajectory: np.ndarray | None = None
    resolution: int = landscape.RESOLUTION


def freeze(serial: int, graph, data, mode: str, **kw) -> GridRequest:
    """A request holding its own copy of everything it reads (made on the window's thread)."""
    if mode not in MODES:
        raise ValueError(f"unknown landscape mode {mode!r}")
    data = None if data is None else {c: np.array(v, dtype=float) for c, v in data.items()}
    traj = kw.pop("trajectory", None)
    traj = None if traj is None else np.array(traj, dtype=float)
    return GridRequest(serial, graph.copy(), data, mode, trajectory=traj, **kw)


def compute(req: GridRequest) -> landscape.Landscape:
    """The grid the request asks for; a refusal raises GraphError with a one-line message."""
    if req.mode == "pair":
        return landscape.parameter_grid(req.graph, req.p1, req.p2, span=req.span, resolution=req.resolution,
                                        data=req.data)
    if req.trajectory is None or len(req.trajectory) < 2:
        raise GraphError("train first: the path's main directions need a training path of at least two epochs")
    return landscape.path_grid(req.graph, req.trajectory, span=req.span, resolution=req.resolution, data=req.data)


class _GridThread(QThread):
    def __init__(self, request: GridRequest):
        super().__init__()
        self.request = request
        self.result = None
        self.error = ""

    def run(self):
        try:
            self.result = compute(self.request)
        except GraphError as exc:
            self.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - a grid must never take the window down
            self.error = f"cannot draw the landscape: {exc}"


_RUNNING: set = set()  # threads under way, kept alive until they end (a window may close first)

# While a worker thread runs, the window's thread must get the GIL back quickly: Python
# lets a thread keep it for the switch interval (5 ms) each time the other asks, and a
# click's handler asks at every call into Qt. A shorter interval while workers run cuts
# the wait for a click (benchmarks/bench_landscape_window.py); the default comes back after.
FAST_SWITCH_S = 0.0005
_switch = {"threads": 0, "default": None}


def quick_gil(on: bool):
    """Count a worker thread in (True) or out (False) of the shorter switch interval."""
    if on:
        if _switch["threads"] == 0:
            _switch["default"] = sys.getswitchinterval()
            sys.setswitchinterval(min(FAST_SWITCH_S, _switch["default"]))
        _switch["threads"] += 1
    elif _switch["threads"] > 0:
        _switch["threads"] -= 1
        if _switch["threads"] == 0:
            sys.setswitchinterval(_switch["default"])


def _wait_all():
    for thread in list(_RUNNING):
        thread.wait()


class GridWorker(QObject):
    ready = Signal(int, object)  # serial, Landscape
    failed = Signal(int, str)  # serial, message

    def __init__(self, parent=None):
        super().__init__(parent)
        self._thread: _GridThread | None = None
        self._pending: GridRequest | None = None
        app = QCoreApplication.instance()
        if app is not None and not getattr(app, "_landscape_waits", False):
            app._landscape_waits = True
            app.aboutToQuit.connect(_wait_all)

    @property
    def busy(self) -> bool:
        return self._thread is not None

    def submit(self, request: GridRequest):
        if self._thread is not None:
            self._pending = request  # the newest question replaces any waiting one
            return
        self._start(request)

    def _start(self, request: GridRequest):
        thread = _GridThread(request)
        _RUNNING.add(thread)
        # a bound method of this QObject: delivered on the window's thread (a lambda would run
        # on the worker's own)
        thread.finished.connect(self._on_finished)
        self._thread = thread
        quick_gil(True)
        thread.start()

    def _on_finished(self):
        if self._thread is not None and self.sender() is self._thread:  # not one wait() already took
            self._finished(self._thread)

    def _finished(self, thread: _GridThread):
        thread.wait()  # finished is emitted just before the thread ends: let it end before it is dropped
        _RUNNING.discard(thread)
        quick_gil(False)
        self._thread = None
        if thread.error:
            self.failed.emit(thread.request.serial, thread.error)
        else:
            self.ready.emit(thread.request.serial, thread.result)
        pending, self._pending = self._pending, None
        if pending is not None:
            self._start(pending)

    def wait(self, ms: int = 30_000) -> bool:
        """Block until the grid under way (and any waiting one) is done — for tests and closing."""
        from PySide6.QtCore import QDeadlineTimer
        deadline = QDeadlineTimer(ms)
        while self._thread is not None:
            thread = self._thread
            if not thread.wait(deadline):
                return False
            QCoreApplication.sendPostedEvents()
            if self._thread is thread:  # finished's queued delivery has not run yet
                self._finished(thread)
        return True
