"""Run every benchmark case and write benchmarks/RESULTS.md (medians and ratios).

    python -m benchmarks               all four cases (a few minutes)
    python -m benchmarks --quick       smaller sizes and fewer rounds (a smoke run)
    python -m benchmarks --cases 1,3   some cases only

Timings are reported, never asserted. Optional baselines (torch, micrograd: the ``bench``
extra) are skipped with a note when missing.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import os
import platform
import sys

import numpy as np

from . import case_boundary, case_open_layout, case_random_graphs, case_training_step
from .timing import load_average, ms

HERE = os.path.dirname(os.path.abspath(__file__))
COMMAND = "python -m benchmarks"


def _versions() -> str:
    parts = [f"Python {platform.python_version()}", f"numpy {np.__version__}"]
    for mod in ("torch", "micrograd", "networkx", "PySide6_Essentials"):
        try:
            parts.append(f"{mod} {importlib.metadata.version(mod)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{mod} (not installed)")
    return ", ".join(parts)


def _ok(flag: bool) -> str:
    return "✅ met" if flag else "❌ not met"


ALL = "engine, every dJ/dv: Plan.run + SGD"
PARAMS = "engine, params: Plan.run(grads=\"params\") + SGD"


def case1_md(r: dict) -> list[str]:
    ms_ = sorted({m for row in r["rows"].values() for m in row})
    out = ["## 1. One training step of the 2→10→1 relu/sigmoid network of scalar boxes",
           "",
           f"{r['n_boxes']} Function boxes ({r['n_nodes']} boxes with the inputs and {r['n_params']} parameters), "
           "xor data, full batch, SGD lr 0.1. Median milliseconds per step (forward + backward + update); "
           "micrograd per epoch (= one full-batch step), measured at m = "
           f"{r.get('micrograd_measured', (100, 0))[0]} and scaled linearly (it loops over samples).",
           "",
           "| contender | " + " | ".join(f"m = {m:,}" for m in ms_) + " |",
           "|---|" + "---:|" * len(ms_)]
    for name, row in r["rows"].items():
        out.append(f"| {name} | " + " | ".join(ms(row.get(m)) for m in ms_) + " |")
    # like for like: what each contender computes (parameter gradients only, or dJ/dv for every Variable)
    ratios = [("engine, every dJ/dv ÷ exported numpy script (every dJ/dv)", ALL, "exported numpy script", False),
              ("engine, params ÷ hand-written numpy (params)", PARAMS, "hand-written numpy", False),
              ("engine, params ÷ PyTorch eager (params)", PARAMS, "PyTorch eager (float64)", False),
              ("engine, every dJ/dv ÷ PyTorch eager, every dJ/dv", ALL, "PyTorch eager, dJ/dv for every Variable",
               False),
              ("micrograd ÷ engine, params (speed-up per epoch)", PARAMS, "micrograd, per sample (scaled)", True)]
    out += ["", "| ratio | " + " | ".join(f"m = {m:,}" for m in ms_) + " |", "|---|" + "---:|" * len(ms_)]
    for label, mine, other, inverse in ratios:
        eng, row = r["rows"].get(mine, {}), r["rows"].get(other)
        if not row:
            continue
        cells = []
        for m in ms_:
            if m in eng and m in row:
                v = row[m] / eng[m] if inverse else eng[m] / row[m]
                cells.append(f"{v:,.0f}×" if v >= 100 else f"{v:.2f}")
            else:
                cells.append("—")
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    if 1000 in r["rows"].get(PARAMS, {}):
        out += ["", "Targets at m = 1,000:", ""]
        for label, mine, other, target, inverse in (
                ("engine ≤ 1.25 × the exported straight-line numpy script (both give every dJ/dv)", ALL,
                 "exported numpy script", 1.25, False),
                ("engine ≤ 1/3 of PyTorch eager (both give the parameters' gradients)", PARAMS,
                 "PyTorch eager (float64)", 1 / 3, False),
                ("engine ≥ 100 × faster per epoch than micrograd", PARAMS, "micrograd, per sample (scaled)", 100,
                 True)):
            eng, row = r["rows"].get(mine, {}), r["rows"].get(other, {})
            if 1000 not in row or 1000 not in eng:
                out.append(f"- {label}: baseline missing")
                continue
            v = row[1000] / eng[1000] if inverse else eng[1000] / row[1000]
            met = v >= target if inverse else v <= target
            out.append(f"- {label}: {v:,.2f} — {_ok(met)}")
    out += [f"- note: {n}" for n in r["notes"]]
    out += ["",
            "Two engine rows: `Plan.run(grads=\"params\")` computes, as a training step needs, only the gradients "
            "on a path from a parameter to the cost (not dJ/dx1, dJ/dx2, dJ/dy) — like the hand-written numpy and "
            "PyTorch eager rows; `Plan.run()` gives dJ/dv for every Variable (the window shows them all), like the "
            "exported script and the row \"PyTorch eager, dJ/dv for every Variable\". Values and parameter gradients "
            "are the same bit for bit in both modes. `Trainer.step_batch` adds what the training panel shows "
            "(accuracy, history; per-box gradient sizes from a full run on each recorded epoch's last batch)."]
    return out


def case2_md(r: dict) -> list[str]:
    rows = r["rows"]
    out = ["## 2. Random graphs: compile time and step time",
           "",
           f"`graphcore.randgraph.random_graph(n, seed={r['seed']}, with_data=True, m={r['m']})` (every Function of "
           "the catalogue); forward + backward, median of repeated runs (the fast path's, then the reference "
           "loop's). Compile = `Plan` (topological order, "
           "slots) + the fast path's kernel (generate and compile the straight-line code), both made once per graph "
           "(median of three compilations).",
           "",
           "| boxes | plan ms | kernel ms | compile ms | compile µs/box | step ms | step µs/box | "
           "reference loop ms | speed-up |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for _, x in sorted(rows.items()):
        comp = x["plan"] + x["kernel"]
        out.append(f"| {x['boxes']:,} | {ms(x['plan'])} | {ms(x['kernel'])} | {ms(comp)} "
                   f"| {comp / x['boxes'] * 1e6:.1f} | {ms(x['step'])} | {x['step'] / x['boxes'] * 1e6:.2f} "
                   f"| {ms(x['reference'])} "
                   f"| {x['reference'] / x['step']:.1f}× |")
    big = rows.get(10000) or rows[max(rows)]
    if 10000 in rows:
        out += ["", "Targets at 10,000 boxes, m = 100:", "",
                f"- step < 100 ms: {ms(big['step'])} ms — {_ok(big['step'] < 0.1)}",
                f"- compile < 1 s: {ms(big['plan'] + big['kernel'])} ms — {_ok(big['plan'] + big['kernel'] < 1.0)}"]
    if len(rows) >= 3:
        ns = sorted(n for n in rows if n >= 100)
        grow = lambda key: np.polyfit(np.log([rows[n]["boxes"] for n in ns]),  # noqa: E731
                                      np.log([key(rows[n]) for n in ns]), 1)[0]
        out += [f"- growth (slope of log time against log boxes, 100 boxes and up; 1 = linear): "
                f"step {grow(lambda x: x['step']):.2f}, compile {grow(lambda x: x['plan'] + x['kernel']):.2f}, "
                f"reference loop {grow(lambda x: x['reference']):.2f}. Where the step grows a little faster than "
                "linear, the reference loop does too: the values and gradients of 10,000 boxes × 100 samples are "
                "16 MB, more than the CPU's caches hold."]
    return out


def case3_md(r: dict) -> list[str]:
    h, w = r["shape"]
    return ["## 3. Decision boundary", "",
            f"{w}×{h} grid ({w * h:,} points, one forward run through the boxes the output needs) for "
            f"{r['graph']} ({r['boxes']} boxes), `graphcore.boundary.decision_boundary`: median {ms(r['time'])} ms "
            f"— target < 20 ms {_ok(r['time'] < 0.02)}."]


def case4_md(r: dict) -> list[str]:
    out = ["## 4. Opening and laying out a graph in the window", ""]
    if "error" in r:
        return out + [f"- skipped: {r['error']}"]
    out += ["Random graph files with no positions, opened in the window (Qt offscreen) by "
            "`benchmarks/bench_open_layout.py` (the window's own benchmark): the layout alone; File → Open "
            "(load, validate, lay out, build the scene, evaluate); the first paint.", ""] + r["table"]
    if 1000 in r["rows"]:
        t = r["rows"][1000]["open"]
        out += ["", f"- 1,000 boxes open + layout < 2 s: {ms(t)} ms — {_ok(t < 2.0)}"]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes and fewer rounds (a smoke run)")
    ap.add_argument("--cases", default="1,2,3,4", help="which cases to run, e.g. 1,3")
    ap.add_argument("-o", "--output", help="where to write the results (default: RESULTS.md for a full run; "
                                          "a --quick or --cases run only prints them, so it never replaces "
                                          "the full figures)")
    args = ap.parse_args(argv)
    try:
        cases = {int(c) for c in args.cases.split(",") if c.strip()}
    except ValueError:
        print(f"error: --cases takes numbers 1-4 separated by commas, not {args.cases!r}", file=sys.stderr)
        return 2
    q = args.quick
    log = lambda s: print(s, flush=True)  # noqa: E731
    load_before = load_average()
    sections = []
    if 1 in cases:
        log("case 1: training step")
        sections.append(case1_md(case_training_step.run(ms=(100, 1000) if q else (100, 1000, 10000),
                                                        rounds=10 if q else 100, budget_s=3 if q else 25, log=log)))
    if 2 in cases:
        log("case 2: random graphs")
        sections.append(case2_md(case_random_graphs.run(sizes=(10, 100, 1000) if q else (10, 100, 1000, 10000),
                                                        budget_s=3 if q else 20, log=log)))
    if 3 in cases:
        log("case 3: decision boundary")
        sections.append(case3_md(case_boundary.run(rounds=10 if q else 100, log=log)))
    if 4 in cases:
        log("case 4: open and lay out in the window")
        sections.append(case4_md(case_open_layout.run(sizes=(200, 1000) if q else (1000, 5000), log=log)))
    head = ["# Benchmark results", "",
            f"Written by `{COMMAND}{' --quick' if q else ''}` on {datetime.date.today().isoformat()}: "
            f"{platform.machine()}, {os.cpu_count()} CPUs, {_versions()}. "
            f"Load average before / after: {load_before} / {load_average()} (other work on the machine slows "
            "every contender alike: they are timed in interleaved rounds).", ""]
    text = "\n".join(head + [line for s in sections for line in s + [""]])
    output = args.output
    if output is None and not q and cases == {1, 2, 3, 4}:
        output = os.path.join(HERE, "RESULTS.md")
    if output is None:
        log(text)
        log("(a partial run: RESULTS.md left as it was; -o FILE writes these figures)")
        return 0
    with open(output, "w", encoding="utf-8") as f:
        f.write(text)
    log(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
