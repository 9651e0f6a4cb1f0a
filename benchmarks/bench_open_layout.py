"""Time opening and laying out graphs of 100, 1,000 and 5,000 boxes in the window (Qt offscreen).

    python benchmarks/bench_open_layout.py            # prints a table, writes benchmarks/RESULTS_open_layout.md

Each graph is a seeded random graph (graphcore.randgraph) saved without positions, so
opening it runs the auto-layout. Measured: graphcore.layout alone; File → Open (load,
validate, lay out, build the scene in one reset, and evaluate — from 2,000 boxes the evaluation
follows the first paint, its own column); the first paint of the window.
Timings are reported, never asserted.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("BACKPROP_STUDIO_DATA_DIR", tempfile.mkdtemp(prefix="bench-data-"))

SIZES = (100, 1000, 5000)


def main(sizes=SIZES) -> str:
    from graphcore import fileformat
    from graphcore.layout import compute_layout
    from graphcore.randgraph import random_graph
    from gui.app import make_app
    from gui.main_window import MainWindow

    app = make_app()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            g, _ = random_graph(n, 0)
            g.layout.clear()
            path = Path(tmp) / f"random{n}.graph.json"
            fileformat.save(g, path)
            loaded = fileformat.load(path)
            t = time.perf_counter()
            compute_layout(loaded)
            t_layout = time.perf_counter() - t
            win = MainWindow(offer_recovery=False, remember_settings=False)
            win.resize(1400, 860)
            win.show()
            app.processEvents()
            t0 = time.perf_counter()
            ok = win.files.open(str(path), ask=False)
            t1 = time.perf_counter()
            win.grab()
            t2 = time.perf_counter()
            if win.document._timer.isActive():  # a big graph is evaluated after the first paint
                win.document.evaluate_now()
                app.processEvents()
            t3 = time.perf_counter()
            assert ok and len(win.scene.node_items) == len(g) and win.document.evaluation is not None
            rows.append((len(g), len(g.edges()), t_layout, t1 - t0, t2 - t1, t3 - t2))
            win.document.undo_stack.setClean()
            win.close()
            win.deleteLater()
            app.processEvents()
    lines = ["| boxes | arrows | layout alone (ms) | open + layout + scene (ms) | first paint (ms) "
             "| then evaluation (ms) | all (ms) |", "|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {n:,} | {e:,} | {a * 1e3:.0f} | {b * 1e3:.0f} | {c * 1e3:.0f} | {d * 1e3:.0f} "
              f"| {(b + c + d) * 1e3:.0f} |" for n, e, a, b, c, d in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    table = main()
    print(table)
    out = Path(__file__).with_name("RESULTS_open_layout.md")
    out.write_text("# Opening and laying out big graphs in the window\n\n"
                   "`python benchmarks/bench_open_layout.py` (Qt offscreen, " + sys.platform + ", "
                   f"{os.cpu_count()} cores)\n\n" + table + "\n", encoding="utf-8")
