"""Case 4: open a graph file of 1,000 and 5,000 boxes in the window (Qt offscreen) and lay it
out: load, auto-layout (the file has no positions), build the scene, fit the view, paint once.

Runs itself in a subprocess (``python -m benchmarks.case_open_layout N …``) so that Qt and
the window never share a process with the other cases; settings and autosave go to a
temporary directory."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time


def run(sizes=(1000, 5000), seed: int = 0, log=print) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BACKPROP_STUDIO_DATA_DIR=tmp)
        cmd = [sys.executable, "-m", "benchmarks.case_open_layout", str(seed), *map(str, sizes)]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env,
                              cwd=os.path.join(os.path.dirname(__file__), ".."), timeout=600)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"the window could not be measured: {tail}"}
    rows = {int(k): v for k, v in json.loads(proc.stdout.strip().splitlines()[-1]).items()}
    for n, r in rows.items():
        log(f"  case 4, {n} boxes: open + layout {r['open'] * 1e3:.0f} ms, first paint {r['paint'] * 1e3:.0f} ms")
    return {"rows": rows}


def _measure(seed: int, sizes: list[int]) -> dict:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from graphcore import fileformat
    from graphcore.randgraph import random_graph
    from gui.main_window import MainWindow

    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, os.environ["BACKPROP_STUDIO_DATA_DIR"])
    app = QApplication.instance() or QApplication([])
    win = MainWindow(offer_recovery=False)
    win.resize(1200, 800)
    win.show()
    app.processEvents()
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            graph, _ = random_graph(n, seed)  # no positions: opening lays it out
            graph.layout.clear()
            path = os.path.join(tmp, f"random_{n}.graph.json")
            fileformat.save(graph, path)
            t0 = time.perf_counter()
            ok = win.files.open(path, ask=False)
            app.processEvents()
            t1 = time.perf_counter()
            win.grab()  # one full paint of the window, scene included
            t2 = time.perf_counter()
            if not ok or len(win.scene.node_items) != len(graph):
                raise SystemExit(f"opening {n} boxes failed")
            out[n] = {"open": t1 - t0, "paint": t2 - t1}
            win.document.undo_stack.setClean()
    win.close()
    return out


if __name__ == "__main__":
    seed, *sizes = map(int, sys.argv[1:])
    print(json.dumps(_measure(seed, sizes)))
