"""Epochs per second the window sustains while training with live plots, against the
headless Trainer on the same graph (the xor network lesson, full batch, SGD with momentum).

    python benchmarks/bench_window_training.py     # prints a table, writes benchmarks/RESULTS_window_training.md

The window run presses Train and lets the event loop run until the epochs are done, with
the Plots dock shown: the decision boundary (100×100 grid), cost, gradient bars and
parameter plots redraw at up to 30 frames a second, and parameter values are written to
the canvas live. The headless run is ``Trainer.train`` on a copy of the same graph.
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

EXAMPLE = Path(__file__).resolve().parent.parent / "assets" / "examples" / "xor_network.graph.json"
RUNS = ((100, 2000), (1000, 1000))  # (points, epochs)


def xor_graph(n: int):
    from graphcore import fileformat, lessons
    g = fileformat.load(EXAMPLE) if EXAMPLE.exists() else lessons.xor_network()
    block = dict(g.meta["dataset"])
    block["n"] = n
    g.set_meta("dataset", block)
    return g


def headless(n: int, epochs: int) -> float:
    from graphcore.training import Trainer
    t = Trainer(xor_graph(n), epochs=epochs)
    start = time.perf_counter()
    t.train()
    assert t.epoch == epochs, t.error
    return epochs / (time.perf_counter() - start)


def windowed(app, n: int, epochs: int) -> tuple[float, int, float]:
    """(epochs/s, frames drawn, mean ms per frame) with the window training and plotting."""
    from gui.main_window import MainWindow
    win = MainWindow(offer_recovery=False, remember_settings=False)
    win.resize(1600, 1000)
    win.show()
    win.document.load_graph(xor_graph(n), None)
    tv = win.training
    win.plots_dock.show()
    win.plots_dock.raise_()
    tv.panel.epochs.setValue(epochs)
    for _ in range(5):
        app.processEvents()
    frames = []
    refresh = tv.refresh

    def timed_refresh():
        t0 = time.perf_counter()
        refresh()
        frames.append(time.perf_counter() - t0)
    tv.runner.frame.disconnect(refresh)
    tv.runner.frame.connect(timed_refresh)
    start = time.perf_counter()
    tv.panel.train_button.click()
    while tv.runner.state == "running":
        app.processEvents()
    elapsed = time.perf_counter() - start
    assert tv.runner.trainer.epoch == epochs, tv.runner.message
    win.document.undo_stack.setClean()
    win.close()
    win.deleteLater()
    app.processEvents()
    return epochs / elapsed, len(frames), 1e3 * sum(frames) / max(len(frames), 1)


def main() -> str:
    from gui.app import make_app
    app = make_app()
    rows = []
    for n, epochs in RUNS:
        h = headless(n, epochs)
        w, nframes, ms = windowed(app, n, epochs)
        rows.append((n, epochs, h, w, nframes, ms))
        print(f"n={n}: headless {h:,.0f} epochs/s, window {w:,.0f} epochs/s ({w / h:.0%}), "
              f"{nframes} frames, {ms:.1f} ms each", flush=True)
    lines = ["| points | epochs | headless Trainer (epochs/s) | window with live plots (epochs/s) | window / headless "
             "| plot frames | ms per frame |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {n:,} | {e:,} | {h:,.0f} | {w:,.0f} | {w / h:.2f} | {f:,} | {ms:.1f} |"
              for n, e, h, w, f, ms in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    table = main()
    print(table)
    out = Path(__file__).with_name("RESULTS_window_training.md")
    out.write_text(
        "# Training in the window vs headless\n\n"
        f"`python benchmarks/bench_window_training.py` (Qt offscreen, {sys.platform}, {os.cpu_count()} cores). "
        "The xor network lesson (2 → 10 relu → 1 sigmoid, 116 boxes, 41 parameters, full batch, SGD with momentum). "
        "The window runs the Trainer in 25 ms slices on the GUI thread and redraws every plot "
        "(100×100 decision boundary, cost and accuracy, per-box gradients, parameter history) at up to "
        "30 frames a second, writing parameter values to the canvas live.\n\n" + table + "\n",
        encoding="utf-8")
