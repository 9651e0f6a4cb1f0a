"""How long a click waits while the window trains on a million points (issue #20 item 6).

    python benchmarks/bench_click_latency.py [N] [--no-worker]    # N training points, default 1,000,000

``--no-worker`` keeps every step on the GUI thread (as before the worker), for comparison.

The xor network lesson with N generated points, full batch, speed "max", the Plots dock
shown. Once the run is under way, a scripted harness posts an event to the window's event
queue every 50 ms for 8 s, as a click would be queued, and records how long each waited
before the window handled it. The figure is that wait (median, 90th percentile, largest):
the time from a click to the window starting to answer it. Reported, never asserted.
"""
from __future__ import annotations

import collections
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("BACKPROP_STUDIO_DATA_DIR", tempfile.mkdtemp(prefix="bench-data-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.bench_window_training import xor_graph  # noqa: E402

PROBE_EVERY_S, PROBE_FOR_S = 0.05, 8.0


class Probe(QObject):
    """Receives the posted events (in the order they were posted) and records each one's wait."""

    def __init__(self):
        super().__init__()
        self.waits: list[float] = []
        self.posted: collections.deque = collections.deque()

    def post(self):
        self.posted.append(time.perf_counter())
        QApplication.postEvent(self, QEvent(QEvent.User))

    def event(self, ev):
        if ev.type() == QEvent.User:
            self.waits.append(time.perf_counter() - self.posted.popleft())
            return True
        return super().event(ev)


def run_until(done):
    """The window's own event loop (it sleeps when idle and lets go of Python's lock, as
    app.exec() does: a busy processEvents() loop would hold the lock and starve the worker)."""
    loop = QEventLoop()
    check = QTimer(interval=20)
    check.timeout.connect(lambda: loop.quit() if done() else None)
    check.start()
    loop.exec()
    check.stop()


def measure(n: int) -> dict:
    from gui.app import make_app
    from gui.main_window import MainWindow
    app = make_app()
    win = MainWindow(offer_recovery=False, remember_settings=False)
    win.resize(1600, 1000)
    win.show()
    t0 = time.perf_counter()
    win.document.load_graph(xor_graph(n), None)
    tv = win.training
    win.plots_dock.show()
    tv.panel.epochs.setValue(100_000)
    speed = getattr(tv.panel, "speed", None)
    if speed is not None:
        speed.setCurrentIndex(speed.findData(None))
    for _ in range(5):
        app.processEvents()
    opened = time.perf_counter() - t0
    tv.panel.train_button.click()
    run_until(lambda: tv.runner.trainer is not None and tv.runner.trainer.epoch >= 1)  # the first epoch done
    start_epoch = tv.runner.trainer.epoch
    probe = Probe()
    # The clicks come from another thread, as the X server's would, every 50 ms whatever the
    # window is doing; postEvent is thread-safe. A click posted during a long turn waits for it.
    poster = threading.Thread(target=lambda: [(probe.post(), time.sleep(PROBE_EVERY_S))
                                              for _ in range(int(PROBE_FOR_S / PROBE_EVERY_S))])
    poster.start()
    run_until(lambda: not poster.is_alive() and not probe.posted)
    epochs = tv.runner.trainer.epoch - start_epoch
    tv.runner.pause()
    win.document.undo_stack.setClean()
    win.close()
    waits = sorted(1e3 * w for w in probe.waits)
    pick = lambda q: waits[min(len(waits) - 1, int(q * len(waits)))]  # noqa: E731
    return {"n": n, "open_s": opened, "clicks": len(waits), "median_ms": pick(0.5), "p90_ms": pick(0.9),
            "max_ms": waits[-1], "epochs": epochs, "seconds": PROBE_FOR_S}


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if "--no-worker" in sys.argv:
        from gui.training.worker import StepWorker
        StepWorker.wanted = lambda self, trainer, slice_seconds: False
    r = measure(int(args[0]) if args else 1_000_000)
    where = "GUI thread only" if "--no-worker" in sys.argv else "worker thread for long steps"
    print(f"{where}, n={r['n']:,}: {r['clicks']} scripted clicks while training; wait median {r['median_ms']:.0f} ms, "
          f"90th percentile {r['p90_ms']:.0f} ms, largest {r['max_ms']:.0f} ms; "
          f"{r['epochs']} epochs in {r['seconds']:.0f} s; opening took {r['open_s']:.1f} s")
