"""Insert ▸ Network… in the window (Qt offscreen): from the dialog's Insert to the scene drawn,
for 2 → 10 → 1 (116 boxes) into an empty graph and beside the xor lesson, and a deeper one.
Each round inserts, processes the window's events (scene items, selection, fit), then undoes.
Wall time and this process's CPU time (on a shared machine the wall time includes waiting for a core).
Run: python benchmarks/bench_insert_network.py"""
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from graphcore import lessons  # noqa: E402
from graphcore.network import NetworkSpec, build_network  # noqa: E402
from gui.insert_dialogs import NetworkDialog, open_dialog  # noqa: E402
from gui.main_window import MainWindow  # noqa: E402

ROUNDS = 5


def timed_insert(win, hidden: str) -> tuple[float, float]:
    dialog = open_dialog(win, NetworkDialog)
    dialog.hidden.setText(hidden)
    QApplication.processEvents()
    t0, c0 = time.perf_counter(), time.process_time()
    dialog.insert()
    QApplication.processEvents()
    dt = time.perf_counter() - t0, time.process_time() - c0
    win.document.undo_stack.undo()
    QApplication.processEvents()
    return dt


def main():
    app = QApplication.instance() or QApplication(sys.argv)
    app.setOrganizationName("backprop-studio-bench")
    win = MainWindow(offer_recovery=False, remember_settings=False)
    win.resize(1400, 860)
    win.show()
    QApplication.processEvents()
    print("| network | into | boxes | wall ms (median) | CPU ms (median) | wall ms (max) |")
    print("|---|---|---:|---:|---:|---:|")
    for into in ("empty graph", "xor lesson"):
        if into == "xor lesson":
            win.files.open(str(lessons.path_of("xor_network")), ask=False)
        for hidden, shape in (("10", "2 → 10 → 1"), ("16, 16", "2 → 16 → 16 → 1")):
            times = [timed_insert(win, hidden) for _ in range(ROUNDS)]
            boxes = len(build_network(NetworkSpec(hidden=[int(h) for h in hidden.split(",")])))
            wall, cpu = [t[0] for t in times], [t[1] for t in times]
            print(f"| {shape} | {into} | {boxes} | {statistics.median(wall) * 1e3:.0f} | "
                  f"{statistics.median(cpu) * 1e3:.0f} | {max(wall) * 1e3:.0f} |", flush=True)
    win.document.undo_stack.setClean()
    win.close()


if __name__ == "__main__":
    main()
