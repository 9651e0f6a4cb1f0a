"""What the inspector's neuron picture costs training in the window: epochs per second of the
grouped xor network (2 → 10 relu → 1, 116 boxes, full batch, momentum) with a neuron selected
(its heatmap redrawn at up to 10 Hz from the live parameters) and with nothing selected,
alternating runs; and the milliseconds one picture takes. Qt offscreen; reported, never asserted.
Run: python benchmarks/bench_neuron_heatmap.py"""
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("BACKPROP_STUDIO_DATA_DIR", tempfile.mkdtemp(prefix="bench-data-"))

EPOCHS, ROUNDS = 300, 3
XOR = {"generator": "xor", "n": 100, "seed": 0, "noise": 0.0, "test_fraction": 0.0}


def run(app, win, selected: bool) -> tuple[float, int]:
    """(epochs/s, pictures drawn) for one run from the same start."""
    from graphcore.builder import mlp
    win.document.load_graph(mlp(["x1", "x2"], [10], "relu", "bce", seed=0, name="xor", groups=True, dataset=XOR,
                                training={"optimizer": "momentum", "lr": 0.1, "epochs": EPOCHS,
                                          "batch_size": None, "seed": 0}), None)
    win.select_nodes(["w1_3_1"] if selected else [])
    view, drawn = win.neuron_heatmap_view, []
    original = view.widget.show_map

    def counting(m, graph):
        drawn.append(1)
        original(m, graph)
    view.widget.show_map = counting
    for _ in range(5):
        app.processEvents()
    drawn.clear()
    start = time.perf_counter()
    win.training.runner.train()
    while win.training.runner.state == "running":
        app.processEvents()
    elapsed = time.perf_counter() - start
    view.widget.show_map = original
    win.document.undo_stack.setClean()
    return EPOCHS / elapsed, len(drawn)


def main():
    from graphcore import datasets
    from graphcore.builder import mlp
    from graphcore.neuron_map import neuron_map
    from gui.app import make_app
    from gui.main_window import MainWindow
    app = make_app()
    win = MainWindow(offer_recovery=False, remember_settings=False)
    win.resize(1400, 860)
    win.show()
    on, off, pictures = [], [], []
    for _ in range(ROUNDS):
        for selected, out in ((True, on), (False, off)):
            eps, n = run(app, win, selected)
            out.append(eps)
            if selected:
                pictures.append(n)
    g = mlp(["x1", "x2"], [10], "relu", "bce", groups=True, dataset=XOR)
    cols = datasets.for_graph(g).columns
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        neuron_map(g, "neuron 1.3", None, cols)
        times.append(time.perf_counter() - t0)
    print(f"epochs/s with a neuron's picture: {statistics.median(on):.0f}, without: {statistics.median(off):.0f} "
          f"(ratio {statistics.median(on) / statistics.median(off):.2f}); pictures per run: {pictures}; "
          f"one picture (32×32): {statistics.median(times) * 1e3:.1f} ms", flush=True)
    win.close()


if __name__ == "__main__":
    sys.exit(main())
