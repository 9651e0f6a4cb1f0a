"""Case 4: opening and laying out 1,000 and 5,000 boxes in the window (Qt offscreen).

The measurement is the GUI's own benchmark, ``benchmarks/bench_open_layout.py`` (random
graph files without positions: File → Open loads, lays out, builds the scene; then the
first paint). It runs in a subprocess, so Qt never shares a process with the other cases,
with settings and autosave in a temporary directory."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def run(sizes=(1000, 5000), log=print) -> dict:
    if not os.path.exists(os.path.join(ROOT, "benchmarks", "bench_open_layout.py")):
        return {"error": "benchmarks/bench_open_layout.py (the window's benchmark) is not there"}
    code = f"from benchmarks.bench_open_layout import main; print(main({tuple(sizes)!r}))"
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BACKPROP_STUDIO_DATA_DIR=tmp)
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                              timeout=900)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"the window could not be measured: {tail}"}
    table = [ln for ln in proc.stdout.splitlines() if ln.startswith("|")]
    rows = {}
    for ln in table[2:]:
        cells = [c.strip().replace(",", "") for c in ln.strip("|").split("|")]
        rows[int(cells[0])] = {"open": float(cells[3]) / 1e3, "paint": float(cells[4]) / 1e3}
    for n, r in rows.items():
        log(f"  case 4, {n} boxes: open + layout {r['open'] * 1e3:.0f} ms, first paint {r['paint'] * 1e3:.0f} ms")
    return {"rows": rows, "table": table}
