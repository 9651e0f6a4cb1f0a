"""The loss landscape's grid, computed off the window's thread, in a worker process (#14 item 3).

Why a process and not a thread: a thread shares the GIL with the window, and on a busy
machine the OS often pauses the worker while it holds it; every call a click's handler
makes into Qt then waits for the worker's next turn. Measured on the xor lesson with a
QThread, a click during a grid took a median 99 ms against 13 ms with no grid under way
(benchmarks/RESULTS.md §7); a process leaves the window's thread alone.

One process serves every window (started on the first request; it ends when the program's
end of its socket closes, with the program). Requests and answers are pickled over the socket; the
window's thread reads an answer when a QSocketNotifier says the pipe is readable, so it
never blocks waiting. ``GridWorker`` sends one request at a time per panel: one asked while
another is under way waits, and a newer one replaces it (only the latest matters). Every
answer carries its request's serial number, so the panel drops a late answer to an old
question. If the process dies, the questions it held fail with one line and the next request
starts a new process.
"""
from __future__ import annotations

import atexit
import itertools
import os
import queue
import socket
import subprocess
import sys
import threading
import weakref
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from pathlib import Path

from PySide6.QtCore import QDeadlineTimer, QObject, QSocketNotifier, Signal
from shiboken6 import isValid

from .landscape_jobs import GridRequest

DIED = "the landscape's worker process ended unexpectedly: press Redraw to start it again"


class _Server(QObject):
    """The worker process and the window's end of its socket."""

    def __init__(self):
        super().__init__()
        # A plain child (python -m), not multiprocessing's spawn: spawn imports the parent's
        # main module again, which a script without a __main__ guard would run a second time.
        ours, theirs = socket.socketpair()
        root = str(Path(__file__).resolve().parents[2])  # where the gui package lives
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
        self.proc = subprocess.Popen([sys.executable, "-m", "gui.panels.landscape_jobs", str(theirs.fileno())],
                                     pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, env=env)
        theirs.close()
        self.conn = Connection(ours.detach())
        self.alive = True
        self.waiting: dict[int, weakref.ref] = {}
        self._tickets = itertools.count(1)
        self.notifier = QSocketNotifier(self.conn.fileno(), QSocketNotifier.Read, self)
        self.notifier.activated.connect(self.read)
        # Requests are written by a thread: a large one (a big graph and its data) fills the
        # socket, and the window would wait until the process — still starting — reads it.
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=_write_all, args=(self.conn, self._outbox), daemon=True).start()

    def send(self, worker, request: GridRequest):
        ticket = next(self._tickets)
        self.waiting[ticket] = weakref.ref(worker)
        self._outbox.put(bytes(ForkingPickler.dumps((ticket, request))))  # as Connection.send pickles

    def read(self, *_):
        """Hand every answer that has arrived to the panel that asked."""
        try:
            while self.alive and self.conn.poll():
                ticket, ok, payload = self.conn.recv()
                ref = self.waiting.pop(ticket, None)
                worker = ref() if ref is not None else None
                if worker is not None and isValid(worker):  # its window may have closed meanwhile
                    worker.receive(ok, payload)
        except (EOFError, OSError):
            self._died()

    def _died(self):
        self.alive = False
        self.notifier.setEnabled(False)
        self.close()
        waiting, self.waiting = self.waiting, {}
        for ref in waiting.values():
            worker = ref()
            if worker is not None and isValid(worker):
                worker.receive(False, DIED)


    def close(self):
        """Close our end: the process reads end-of-file and ends; reap it."""
        self._outbox.put(None)  # the writer thread ends
        self.conn.close()
        try:
            self.proc.wait(2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(2)


def _write_all(conn: Connection, outbox: queue.SimpleQueue):
    """The writer thread: each pickled request in turn, until None or the socket refuses (the
    process is gone; the window's reader then sees end-of-file and fails what it held)."""
    while (blob := outbox.get()) is not None:
        try:
            conn.send_bytes(blob)
        except (OSError, ValueError):
            return


_server: _Server | None = None


@atexit.register
def _close_server():
    if _server is not None and _server.alive:
        _server.alive = False
        _server.close()


def server() -> _Server:
    global _server
    if _server is None or not _server.alive:
        _server = _Server()
    return _server


class GridWorker(QObject):
    ready = Signal(int, object)  # serial, Landscape
    failed = Signal(int, str)  # serial, message

    def __init__(self, parent=None):
        super().__init__(parent)
        self._asked: GridRequest | None = None
        self._pending: GridRequest | None = None

    @property
    def busy(self) -> bool:
        return self._asked is not None

    def submit(self, request: GridRequest):
        if self._asked is not None:
            self._pending = request  # the newest question replaces any waiting one
            return
        self._asked = request
        server().send(self, request)

    def receive(self, ok: bool, payload):
        asked, self._asked = self._asked, None
        if asked is not None:
            if ok:
                self.ready.emit(asked.serial, payload)
            else:
                self.failed.emit(asked.serial, payload)
        pending, self._pending = self._pending, None
        if pending is not None:
            self.submit(pending)

    def wait(self, ms: int = 30_000) -> bool:
        """Block until this panel's grids are answered — for tests, benchmarks and closing."""
        deadline = QDeadlineTimer(ms)
        while self._asked is not None:
            s = server()
            if not s.conn.poll(max(0.0, deadline.remainingTime() / 1000)):
                return False
            s.read()
        return True
