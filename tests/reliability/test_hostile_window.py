"""The hostile-content suite, through the real entry point: the window (gui.app.main, in a
child process, offscreen, under a 2 GB address-space cap) opens files with HTML in box
labels and column names, huge class labels and huge cells, brings every panel forward,
selects every box, and quits cleanly. Before: an ``<img src="/dev/zero">`` label aborted
the window (std::bad_alloc), y = 100000 froze it building 100,000 classes.

A hang is a failure (the child is killed after HANG_SECONDS); the time each file takes is
printed (pytest -s), never asserted."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

DRIVER = Path(__file__).with_name("hostile_window_driver.py")
MEMORY_CAP = 2 << 30
HANG_SECONDS = 120
FORMAT = "backprop-studio.graph"


def _cap_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def open_in_window(path: Path, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               BACKPROP_STUDIO_DATA_DIR=str(home / "data"))
    return subprocess.run([sys.executable, str(DRIVER), str(path)], env=env, capture_output=True, text=True,
                          timeout=HANG_SECONDS, preexec_fn=_cap_memory)


def assert_toured(proc, name):
    errors = [line for line in proc.stderr.splitlines() if "propagateSizeHints" not in line]
    assert proc.returncode == 0, f"{name}: exit {proc.returncode}\n" + "\n".join(errors[-20:])
    assert "toured" in proc.stdout, name
    assert not any("Traceback" in line or "Something went wrong" in line for line in errors), errors
    print(f"{name}: {proc.stdout.strip()}")
    return errors


def _graph(path: Path, nodes, edges, **extra):
    path.write_text(json.dumps({"format": FORMAT, "version": 1, "nodes": nodes, "edges": edges, **extra}),
                    encoding="utf-8")
    return path


def _classifier(path: Path, loss_op: str, labels: dict, **node_extra):
    """x1 → mul(w) → sigmoid → loss(·, y) → mean, on inline points."""
    nodes = [{"id": "x1", "op": "input", **node_extra.get("x1", {})},
             {"id": "w", "op": "parameter", "value": 0.5, **node_extra.get("w", {})},
             {"id": "m", "op": "mul", **node_extra.get("m", {})}, {"id": "s", "op": "sigmoid"},
             {"id": "y", "op": "input", **node_extra.get("y", {})},
             {"id": "L", "op": loss_op, **node_extra.get("L", {})}, {"id": "J", "op": "mean"}]
    edges = [{"src": "x1", "dst": "m", "port": 0}, {"src": "w", "dst": "m", "port": 1},
             {"src": "m", "dst": "s", "port": 0}, {"src": "s", "dst": "L", "port": 0},
             {"src": "y", "dst": "L", "port": 1}, {"src": "L", "dst": "J", "port": 0}]
    return _graph(path, nodes, edges, loss="J", output="s", **labels)


@pytest.fixture
def home(tmp_path):
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def test_html_in_labels_and_column_names_is_shown_as_text(tmp_path, home):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    column = "<img src=/dev/zero>"
    (tmp_path / "data.csv").write_text(f"{column},x2,y\n0.1,0.2,0\n0.5,0.6,1\n0.9,0.1,1\n", encoding="utf-8")
    path = _classifier(tmp_path / "html.graph.json", "bce", {"dataset": {"csv": "data.csv"},
                                                               "name": '<img src="/dev/zero">'},
                       x1={"label": '<img src="/dev/zero">', "column": column},
                       w={"label": f'<img src="{fifo}">'}, m={"label": "<b>bold</b> &amp; <i>"},
                       y={"label": "<img src='/dev/zero'>"}, L={"label": "<table><tr><td>cost"})
    assert_toured(open_in_window(path, home), "HTML labels and columns")


@pytest.mark.parametrize("y", [100_000, 1e300])
def test_a_huge_whole_label_for_a_regression_opens_at_once(tmp_path, home, y):
    path = _classifier(tmp_path / "big_y.graph.json", "squared_error",
                       {"dataset": {"points": {"x1": [0.1, 0.5, 0.9], "y": [0, 1, y]}}})
    assert_toured(open_in_window(path, home), f"y = {y:g} (squared_error)")


def test_a_label_the_loss_cannot_take_is_refused_in_the_window(tmp_path, home):
    path = _classifier(tmp_path / "bce_y2.graph.json", "bce",
                       {"dataset": {"points": {"x1": [0.1, 0.5, 0.9], "y": [0, 1, 100_000]}}})
    proc = open_in_window(path, home)
    assert_toured(proc, "y = 100000 (bce)")
    assert "evaluation error: column 'y', row 3: label 100000 is not a class of the loss box 'L'" in proc.stdout


def test_huge_cells_and_a_huge_label_are_refused_in_one_short_line(tmp_path, home):
    (tmp_path / "cells.csv").write_text("x1,y\n" + "1" * 10_000_000 + ",0\n", encoding="utf-8")
    path = _classifier(tmp_path / "cells.graph.json", "squared_error", {"dataset": {"csv": "cells.csv"}})
    proc = open_in_window(path, home)
    assert_toured(proc, "a 10 MB cell")
    assert "evaluation error: cells.csv:" in proc.stdout  # the CSV's own refusal, also when asked again

    big = _classifier(tmp_path / "label.graph.json", "squared_error",
                      {"dataset": {"points": {"x1": [0.1], "y": [0]}}}, m={"label": "<b>" * 2_500_000})
    errors = assert_toured(open_in_window(big, home), "a 10 MB label")
    dialogs = [e for e in errors if e.startswith("dialog")]
    assert dialogs and "label is too long" in dialogs[0] and len(dialogs[0]) < 600
