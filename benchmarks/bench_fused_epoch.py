"""One full-batch SGD epoch, side by side in one run (issue #18 items 1–4):

    python benchmarks/bench_fused_epoch.py          # prints the tables, writes §12 of benchmarks/RESULTS.md
    python benchmarks/bench_fused_epoch.py --quick  # m = 100 and 1,000 only, fewer rounds, writes nothing
    python benchmarks/bench_fused_epoch.py --repeat 3  # each figure the median of 3 whole runs

Networks from scalar boxes (graphcore.builder.mlp): 2 → 10 relu → 1 sigmoid with bce on xor,
and 2 → 16 relu → 3 with softmax and cross-entropy on spiral3; m = 100, 1,000, 10,000.
Contenders, timed in interleaved rounds (medians of this process's CPU time per call: on a
machine shared with other jobs a call's wall time is mostly waiting): the Trainer's epoch (fused, and unfused
with GRAPHCORE_FUSE's switch, Plan.fuse), hand-written numpy with matrices and PyTorch eager
with nn.Linear (benchmarks/matrix_baselines.py), PyTorch eager box by box
(benchmarks/torch_eager.py), the numpy export's own ``train`` for one epoch; and the epoch
through ``graphcore train`` in a fresh process, its start-up cancelled by timing two epoch
counts (the difference over the difference of epochs; the best of three each), in CPU
time of the child process (its wall time on a loaded machine is mostly waiting).
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import torch_eager  # noqa: E402
from benchmarks.matrix_baselines import NumpyMatrixMLP, TorchLinearMLP  # noqa: E402
from benchmarks.timing import interleaved, load_average  # noqa: E402
from graphcore import builder, datasets, fileformat  # noqa: E402
from graphcore.training import Trainer  # noqa: E402

LR = 0.1
NETWORKS = {  # name -> (hidden units, classes or None, data set)
    "2→10→1 relu/sigmoid, bce (xor)": (10, None, "xor"),
    "2→16→3 relu, softmax + cross-entropy (spiral3)": (16, 3, "spiral3"),
}
CLI_EPOCHS = {100: (5, 4005), 1000: (5, 2005), 10000: (5, 405)}  # a few seconds of training: start-up varies by ±1 s
STREAK_S = 0.002  # a timed sample: ~2 ms of consecutive epochs (a training run's loop), --streak-ms
SECTION = "## 12. Training epoch at the speed of matrices (#18)"


def network(hidden: int, classes, gen: str, m: int):
    loss = "cross_entropy" if classes else "bce"
    return builder.mlp(["x1", "x2"], [hidden], "relu", loss, classes=classes or 3,
                       dataset={"generator": gen, "n": m, "seed": 0, "noise": 0.0, "test_fraction": 0.0},
                       training={"optimizer": "sgd", "lr": LR, "epochs": 1, "batch_size": None, "seed": 0})


def _torch_boxes(plan, data, theta):
    """PyTorch eager box by box on the boxes the cost depends on (the softmax output is not)."""
    F = torch_eager.torch.nn.functional
    torch_eager._OPS.setdefault("cross_entropy", lambda *a: F.cross_entropy(
        torch_eager.torch.stack(a[:-1], 1), a[-1].long(), reduction="none"))
    torch_eager._OPS.setdefault("softmax", lambda *a: None)
    te = torch_eager.TorchEager(plan, data, theta)
    te.steps = [(fn, s.ins, s.outs[0]) for (fn, _, _), s in zip(te.steps, plan.steps, strict=True) if s.on_loss_path]
    return te


def _exported_epoch(graph, data):
    from graphcore.export.numpy_script import to_numpy
    ns: dict = {"__name__": "exported_numpy_script"}
    exec(compile(to_numpy(graph), "<exported numpy script>", "exec"), ns)  # noqa: S102 — our own export
    theta = np.array([graph.value(p) for p in ns["PARAM_IDS"]], dtype=float)
    return lambda: ns["train"](theta, data, 1)


def contenders(hidden, classes, gen, m, notes: list) -> dict:
    g = network(hidden, classes, gen, m)
    ds = datasets.for_graph(g)
    data = ds.train()
    out = {}
    fused = Trainer(g, ds, track=(), stop_on_divergence=False)
    out["Trainer.run_epoch (fused), track=()"] = fused.run_epoch
    cli_like = Trainer(network(hidden, classes, gen, m), ds, track=("accuracy", "test"), stop_on_divergence=False)
    out["Trainer.run_epoch (fused), track as graphcore train"] = cli_like.run_epoch
    unfused = Trainer(network(hidden, classes, gen, m), ds, track=(), stop_on_divergence=False)
    unfused.plan.fuse = False
    out["Trainer.run_epoch (unfused), track=()"] = unfused.run_epoch
    out["Trainer.run_epoch (fused), everything tracked (the window today)"] = \
        Trainer(network(hidden, classes, gen, m), ds, stop_on_divergence=False).run_epoch
    out["hand-written numpy, matrices"] = NumpyMatrixMLP(data, hidden, classes, LR).step
    try:
        out["PyTorch eager, nn.Linear (float64, 1 thread)"] = TorchLinearMLP(data, hidden, classes, LR).step
        te = _torch_boxes(fused.plan, data, fused.params.copy())
        out["PyTorch eager, box by box"] = lambda: te.step(LR)
    except ImportError as exc:
        notes.append(f"PyTorch: skipped ({exc})")
    out["numpy export, train() for one epoch"] = _exported_epoch(g, data)
    return out


def _child_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes: on a machine shared with
    other jobs a child's wall time is mostly waiting for a core, its CPU time is its work."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cli_epoch(hidden, classes, gen, m) -> float:
    """CPU seconds per epoch of ``graphcore train`` (start-up cancelled by two epoch counts)."""
    g = network(hidden, classes, gen, m)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "net.graph.json")
        fileformat.save(g, path)
        best = {}
        for epochs in CLI_EPOCHS[m]:
            times = []
            for _ in range(3):
                t0 = _child_cpu()
                done = subprocess.run([sys.executable, "-m", "graphcore", "train", path, "--epochs", str(epochs),
                                       "--no-divergence-stop"], env=env, capture_output=True, text=True)
                times.append(_child_cpu() - t0)
                if done.returncode:
                    raise RuntimeError(f"graphcore train failed: {done.stderr.strip()[-300:]}")
            best[epochs] = min(times)
    e1, e2 = CLI_EPOCHS[m]
    return (best[e2] - best[e1]) / (e2 - e1)


def run(ms, rounds: int, budget_s: float, with_cli: bool = True, log=print, streak_s: float | None = STREAK_S) -> dict:
    results = {}
    for name, (hidden, classes, gen) in NETWORKS.items():
        rows: dict[str, dict] = {}
        notes: list[str] = []
        for m in ms:
            med = interleaved(contenders(hidden, classes, gen, m, notes), rounds=rounds, budget_s=budget_s,
                              clock=time.process_time, streak_s=streak_s)
            if with_cli:
                try:
                    med = {"graphcore train, per epoch (CPU time)": cli_epoch(hidden, classes, gen, m)} | med
                except RuntimeError as exc:
                    notes.append(f"m={m}: {exc}")
            for k, v in med.items():
                rows.setdefault(k, {})[m] = v
            log(f"{name}, m={m}: " + ", ".join(f"{k} {v * 1e6:.0f} µs" for k, v in med.items()))
        results[name] = (rows, sorted(set(notes)))
    return results


def _us(v):
    return "—" if v is None else f"{v * 1e6:,.0f}"


def table(results: dict, ms) -> list[str]:
    out = []
    head = "| contender | " + " | ".join(f"m = {m:,}" for m in ms) + " |"
    for name, (rows, notes) in results.items():
        out += [f"### {name}", "", "Median CPU µs per epoch (one full-batch SGD step, lr 0.1).", "", head,
                "|---|" + "---:|" * len(ms)]
        out += [f"| {k} | " + " | ".join(_us(r.get(m)) for m in ms) + " |" for k, r in rows.items()]
        fused, hand = rows["Trainer.run_epoch (fused), track=()"], rows["hand-written numpy, matrices"]
        torch_ = rows.get("PyTorch eager, nn.Linear (float64, 1 thread)", {})
        cli = rows.get("graphcore train, per epoch (CPU time)", {})
        out += ["", "| ratio | " + " | ".join(f"m = {m:,}" for m in ms) + " |", "|---|" + "---:|" * len(ms)]
        out.append("| fused epoch ÷ numpy matrices | " + " | ".join(f"{fused[m] / hand[m]:.2f}" for m in ms) + " |")
        if torch_:
            out.append("| fused epoch ÷ PyTorch nn.Linear | "
                       + " | ".join(f"{fused[m] / torch_[m]:.2f}" for m in ms) + " |")
        if cli:
            out.append("| graphcore train epoch ÷ numpy matrices | "
                       + " | ".join(f"{cli[m] / hand[m]:.2f}" for m in ms) + " |")
        unf = rows["Trainer.run_epoch (unfused), track=()"]
        out.append("| unfused ÷ fused epoch | " + " | ".join(f"{unf[m] / fused[m]:.2f}" for m in ms) + " |")
        out += [""] + _targets(fused, hand, torch_, ms) + [f"- {n}" for n in notes] + [""]
    return out


def _targets(fused, hand, torch_, ms) -> list[str]:
    def verdict(ok):
        return "✅ met" if ok else "❌ not met"
    out = []
    if 1000 in ms:
        r = fused[1000] / hand[1000]
        out.append(f"- m = 1,000: epoch ≤ 1.5 × numpy matrices: {r:.2f} — {verdict(r <= 1.5)}")
        if torch_:
            r = fused[1000] / torch_[1000]
            out.append(f"- m = 1,000: epoch ≤ 0.5 × PyTorch nn.Linear: {r:.2f} — {verdict(r <= 0.5)}")
    if 10000 in ms:
        r = fused[10000] / hand[10000]
        out.append(f"- m = 10,000: epoch ≤ 1.2 × numpy matrices: {r:.2f} — {verdict(r <= 1.2)}")
    return out


def write_section(lines: list[str], path: Path):
    text = path.read_text(encoding="utf-8")
    start = text.find(SECTION)
    if start >= 0:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + (text[end + 1:] if end >= 0 else "")
    path.write_text(text.rstrip("\n") + "\n\n" + "\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")


def median_of(runs: list[dict]) -> dict:
    """Each figure's median over whole runs of the benchmark (a loaded machine varies from run to run)."""
    out = {}
    for name in runs[0]:
        rows: dict[str, dict] = {}
        for k in runs[0][name][0]:
            for m in runs[0][name][0][k]:
                vals = [r[name][0].get(k, {}).get(m) for r in runs]
                vals = [v for v in vals if v is not None]
                if vals:
                    rows.setdefault(k, {})[m] = float(np.median(vals))
        out[name] = (rows, sorted({n for r in runs for n in r[name][1]}))
    return out


def main(argv=None):
    argv = list(argv if argv is not None else sys.argv[1:])
    quick = "--quick" in argv
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 1
    streak_s = float(argv[argv.index("--streak-ms") + 1]) / 1e3 if "--streak-ms" in argv else STREAK_S
    ms = (100, 1000) if quick else (100, 1000, 10000)
    runs, loads = [], []
    for _ in range(repeat):
        before = load_average()
        runs.append(run(ms, rounds=60 if quick else 300, budget_s=5 if quick else 25, with_cli=not quick,
                        streak_s=streak_s))
        loads.append(f"{before} / {load_average()}")
    command = "python benchmarks/bench_fused_epoch.py" + (f" --repeat {repeat}" if repeat > 1 else "") \
        + (f" --streak-ms {streak_s * 1e3:g}" if streak_s != STREAK_S else "")
    lines = [SECTION, "",
             f"`OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')} {command}` on "
             f"{time.strftime('%Y-%m-%d')} (not part of `python -m benchmarks`, which rewrites this file with "
             "§1–4 only: put this section back after such a run); "
             + (f"each figure the median of {repeat} whole runs; " if repeat > 1 else "")
             + (f"each timed sample a streak of consecutive calls of ~{streak_s * 1e3:g} ms, counted per call "
                "(the epochs of a training run follow one another); " if streak_s else
                "each timed sample one call, right after another contender's (cold caches); ")
             + "2 CPUs shared with other jobs, load average before / after each run: " + "; ".join(loads) + ".", ""]
    lines += table(median_of(runs), ms)
    print("\n".join(lines))
    if not quick:
        write_section(lines, Path(__file__).with_name("RESULTS.md"))


if __name__ == "__main__":
    main()
