"""Hostile CSV files: memory grows with the file (parsed into numpy arrays as it is read),
checks stay linear, and only plain decimal numbers are numbers."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
import pytest

from graphcore import datasets, limits
from graphcore.errors import DataError

MEASURE = """
import os, sys
from graphcore import datasets
from graphcore.errors import DataError

def status(key):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) * 1024 for line in fh if line.startswith(key))

with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")  # start the peak (VmHWM) afresh, after the imports
before = status("VmRSS:")
try:
    datasets.read_csv(sys.argv[1])
    outcome = "read"
except DataError as exc:
    outcome = str(exc)
print((status("VmHWM:") - before) / os.path.getsize(sys.argv[1]))
print(outcome)
"""


def _peak_ratio(path) -> tuple[float, str]:
    """(growth of the peak resident memory while reading / the file's size, outcome), in a fresh process."""
    proc = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    ratio, outcome = proc.stdout.splitlines()
    return float(ratio), outcome


def _write_points(path, n: int):
    """n rows of points: one block of 100,000 random rows written over and over (the reader's
    memory and time depend on the size, not on whether rows repeat; formatting 2 million
    rows in Python cost the suite seconds)."""
    rng = np.random.default_rng(0)
    block = min(n, 100_000)
    x1, x2 = rng.random(block), rng.random(block)
    rows = "".join(f"{a:.9f},{b:.9f},{int(a < 0.5)}\n" for a, b in zip(x1, x2, strict=True))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("x1,x2,y\n")
        for _ in range(n // block):
            fh.write(rows)


# --- item 3: memory ---------------------------------------------------------------------------
def test_reading_a_csv_peaks_within_three_times_the_file(tmp_path):
    path = tmp_path / "points.csv"
    _write_points(path, 600_000)  # about 15 MB (it peaked at 15× the file before)
    ratio, outcome = _peak_ratio(path)
    print(f"peak memory while reading {os.path.getsize(path) / 1e6:.0f} MB of points: {ratio:.2f}× the file")
    assert outcome == "read" and ratio <= 3


def test_blank_lines_cost_no_memory(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("x1,y\n" + "\n" * 6_000_000, encoding="utf-8")  # 6 MB of blank lines (they once cost 40×)
    ratio, outcome = _peak_ratio(path)
    print(f"peak memory on 6 MB of blank lines: {ratio:.2f}× the file")
    assert outcome == "blank.csv: no data rows under the header" and ratio <= 1


@pytest.mark.slow
def test_a_50_MB_csv_evaluates_under_a_1_GB_cap(tmp_path):
    path = tmp_path / "big.csv"
    _write_points(path, 2_000_000)  # 52 MB
    graph = {"format": "backprop-studio.graph", "version": 1,
             "nodes": [{"id": "x1", "op": "input"}, {"id": "w", "op": "parameter", "value": 0.5},
                       {"id": "m", "op": "mul"}, {"id": "s", "op": "sigmoid"}, {"id": "y", "op": "input"},
                       {"id": "L", "op": "bce"}, {"id": "J", "op": "mean"}],
             "edges": [{"src": "x1", "dst": "m", "port": 0}, {"src": "w", "dst": "m", "port": 1},
                       {"src": "m", "dst": "s", "port": 0}, {"src": "s", "dst": "L", "port": 0},
                       {"src": "y", "dst": "L", "port": 1}, {"src": "L", "dst": "J", "port": 0}],
             "loss": "J", "output": "s", "dataset": {"csv": "big.csv"}}
    (tmp_path / "big.graph.json").write_text(json.dumps(graph), encoding="utf-8")

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "graphcore", "eval", str(tmp_path / "big.graph.json")],
                          capture_output=True, text=True, timeout=900, preexec_fn=cap, env=dict(os.environ))
    print(f"graphcore eval on a {os.path.getsize(path) / 1e6:.0f} MB CSV under a 1 GB cap: "
          f"{time.perf_counter() - t0:.1f} s")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("cost J = ")


# --- item 4: linear checks --------------------------------------------------------------------
def _header_seconds(columns: int) -> float:
    text = ",".join(f"c{i}" for i in range(columns)) + "\n" + ",".join("1" for _ in range(columns)) + "\n"
    t0 = time.perf_counter()
    datasets.parse_csv(text, "wide.csv")
    return time.perf_counter() - t0


def test_the_duplicate_column_check_is_linear():
    """10× the columns costs about 10× (it was quadratic: 100k columns took 47 s)."""
    small = min(_header_seconds(1_000) for _ in range(3))
    large = min(_header_seconds(10_000) for _ in range(3))
    assert large < 30 * small


def test_too_many_columns_is_refused_naming_the_limit():
    text = ",".join(f"c{i}" for i in range(100_000)) + "\n"
    with pytest.raises(DataError, match=f"too many CSV columns .*the limit is {limits.MAX_CSV_COLUMNS:,}"):
        datasets.parse_csv(text, "wide.csv")


def test_a_repeated_column_is_still_named():
    with pytest.raises(DataError, match="column 'x1' appears twice"):
        datasets.parse_csv("x1,x2,x1\n1,2,3\n", "d.csv")


# --- item 7: only plain decimal numbers -------------------------------------------------------
@pytest.mark.parametrize("cell", ["1_000", "\u0661\u0662", "\u0663.5", "\uff11"])
def test_cells_python_would_read_as_numbers_are_refused(cell):
    with pytest.raises(DataError) as info:
        datasets.parse_csv(f"x1,y\n0.5,1\n{cell},0\n", "d.csv")
    assert "line 3, column 'x1'" in str(info.value) and "is not a number" in str(info.value)


def test_non_ascii_column_names_are_still_fine():
    ds = datasets.parse_csv("ünïcödé,y\n0.5,1\n", "d.csv")
    assert list(ds.columns) == ["ünïcödé", "y"] and ds.columns["ünïcödé"][0] == 0.5


def test_a_huge_cell_is_quoted_short():
    with pytest.raises(DataError) as info:
        datasets.parse_csv("x1,y\n" + "9" * 100_000 + ",0\n", "d.csv")
    assert "is not finite" in str(info.value) and len(str(info.value)) < 120
