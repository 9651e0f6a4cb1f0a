"""The loss landscape and the race in the window (#14 items 3, 4), offscreen: the 41 × 41 grid at
m = 100 on the xor network computed by the panel's worker thread (from the request to the
picture), how long a click on the plot waits while a grid is computed, and the race of the five
optimizers in the window against the same race headless.

The grid runs in a worker process (gui/panels/landscape_worker.py); for comparison the same
jobs also run on a QThread of the window's process, the design it replaced.
Click latency: a click is due at time T (a timer); it is answered when the panel has set the
two parameters (one undo step). Latency = answered − T: the event loop's delay (the worker
holds the GIL between numpy calls) plus the handler. Clicks land 20–400 ms into each grid.
Run: QT_QPA_PLATFORM=offscreen python benchmarks/bench_landscape_window.py"""
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QObject, QPoint, QPointF, Qt, QThread, QTimer, Signal  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

ROUNDS = 7
RACE = (["sgd", "momentum", "adagrad", "rmsprop", "adam"], [0.1, 0.1, 0.1, 0.01, 0.01], 200)


def wait_until(app, cond, timeout=60.0):
    loop, deadline = QEventLoop(), time.perf_counter() + timeout
    poll = QTimer(interval=2)
    poll.timeout.connect(lambda: (cond() or time.perf_counter() > deadline) and loop.quit())
    poll.start()
    if not cond():
        loop.exec()
    poll.stop()


def grid_times(app, panel):
    out = []
    for _ in range(ROUNDS):
        t0 = time.perf_counter()
        panel.recompute()
        wait_until(app, lambda: panel.settled and panel.landscape is not None)
        out.append(time.perf_counter() - t0)
    return out


def one_click(app, panel, doc, x, y, delay_ms, computing):
    """(event loop delay, handler) in ms of one click due ``delay_ms`` after a grid is asked for."""
    pw = panel.plot.pw
    at = pw.mapFromScene(pw.getViewBox().mapViewToScene(QPointF(x, y)))
    steps = doc.undo_stack.index()
    times = {}

    def click():
        times["fired"] = time.perf_counter()
        QTest.mouseClick(pw.viewport(), Qt.LeftButton, Qt.NoModifier, QPoint(at.x(), at.y()))
        if doc.undo_stack.index() == steps + 1:
            times["answered"] = time.perf_counter()
    if computing:
        panel.recompute()  # the grid under way while the click comes
    times["due"] = time.perf_counter() + delay_ms / 1000
    QTimer.singleShot(delay_ms, click)
    wait_until(app, lambda: "answered" in times and not panel.worker.busy, timeout=10)
    doc.undo_stack.undo()
    return (times["fired"] - times["due"]) * 1000, (times["answered"] - times["fired"]) * 1000


def click_latencies(app, panel, doc, computing=True):
    ls = panel.landscape
    parts = []
    for k in range(ROUNDS):
        parts.append(one_click(app, panel, doc, float(ls.xs[5 + k]), float(ls.ys[30 - k]), 20 + 60 * k, computing))
        panel.landscape = ls  # click on the same grid each round
    print("(event loop delay, handler) ms: " + ", ".join(f"({a:.0f}, {b:.0f})" for a, b in parts))
    return [a + b for a, b in parts]


class ThreadWorker(QObject):
    """For comparison only: the same jobs on a QThread of this process (the design replaced)."""

    ready = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self):
        super().__init__()
        self.thread = None

    @property
    def busy(self):
        return self.thread is not None

    def submit(self, request):
        from gui.panels.landscape_jobs import answer

        class Job(QThread):
            def run(self):
                self.result = answer(request)
        self.thread = Job()
        self.thread.finished.connect(self._done)
        self.thread.start()

    def _done(self):
        t, self.thread = self.thread, None
        t.wait()
        ok, payload = t.result
        (self.ready if ok else self.failed).emit(self.serial(), payload)

    def serial(self):
        return self.panel._serial


def with_thread_worker(panel):
    w = ThreadWorker()
    w.panel = panel
    w.ready.connect(panel._on_ready)
    w.failed.connect(panel._on_failed)
    old, panel.worker = panel.worker, w
    return old


def race_times(app, win):
    from graphcore import fileformat
    from gui.panels.race_worker import freeze, run_race
    names, lrs, epochs = RACE
    t0 = time.perf_counter()
    view = run_race(freeze(fileformat.loads(fileformat.dumps(win.document.graph)), win.document.dataset(),
                           names, lrs, epochs))
    headless = time.perf_counter() - t0
    print("headless race, epochs run:", [len(r.costs) for r in view.racers])
    race = win.race
    for n, box in race.enabled.items():
        box.setChecked(True)
        race.lrs[n].setValue(lrs[names.index(n)])
    race.epochs.setValue(epochs)
    race.start.setCurrentIndex(0)
    t0 = time.perf_counter()
    race.run()
    wait_until(app, lambda: race.thread is None)
    window = time.perf_counter() - t0
    print("window race, epochs run:", [len(r.costs) for r in race.view.racers], race.message)
    return headless, window


def main():
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from graphcore import lessons
    from gui.main_window import MainWindow
    win = MainWindow(offer_recovery=False, remember_settings=False)
    win.resize(1400, 860)
    win.show()
    win.files.open(lessons.path_of("xor_network"), ask=False)
    win.landscape_dock.raise_()
    panel = win.landscape
    wait_until(app, lambda: panel.landscape is not None)
    g = grid_times(app, panel)
    c = click_latencies(app, panel, win.document)
    idle = click_latencies(app, panel, win.document, computing=False)
    process_worker = with_thread_worker(panel)
    gt = grid_times(app, panel)
    ct = click_latencies(app, panel, win.document)
    panel.worker = process_worker
    print(f"load average {os.getloadavg()[0]:.1f}; xor network, 41 × 41 grid, m = 100, {ROUNDS} rounds")
    print(f"grid in the window (request → picture): median {statistics.median(g):.3f} s, "
          f"max {max(g):.3f} s — target < 1 s")
    print(f"click while a grid is computed, answered after: median {statistics.median(c):.1f} ms, "
          f"max {max(c):.1f} ms — target < 50 ms; all: {', '.join(f'{v:.0f}' for v in c)}")
    print(f"the same with the grid on a QThread instead (the design replaced): grid median "
          f"{statistics.median(gt):.3f} s; click median {statistics.median(ct):.1f} ms, max {max(ct):.1f} ms")
    print(f"the same clicks with no grid under way (the machine's own delay): median {statistics.median(idle):.1f} ms, "
          f"max {max(idle):.1f} ms")
    win.race_dock.raise_()
    headless, window = race_times(app, win)
    names, lrs, epochs = RACE
    print(f"race of {len(names)} optimizers × {epochs} epochs: headless {headless:.2f} s, in the window "
          f"(worker thread, cost curves live) {window:.2f} s, ratio {headless / window:.2f}")
    win.document.undo_stack.setClean()
    win.close()


if __name__ == "__main__":
    main()
