"""Crash recovery: the real window, killed with SIGKILL after edits, brings back every
edit up to the last autosave when started again; saving removes the recovery file.

Both runs are child processes on a fresh HOME and XDG folders (offscreen Qt), driven by
``recovery_driver.py`` from outside the program."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from graphcore import fileformat
from tests.reliability.recovery_helpers import DRIVER, child_env, read_messages


@pytest.mark.slow
def test_sigkill_after_edits_then_recover_everything_autosaved(tmp_path):
    home = tmp_path / "home"
    env = child_env(home)
    editing = subprocess.Popen([sys.executable, str(DRIVER), "edit"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, cwd=tmp_path)
    try:
        messages = read_messages(editing, "done")
    finally:
        editing.send_signal(signal.SIGKILL)  # no chance to clean up, as in a real crash
        editing.wait(timeout=10)
    started = next(m for m in messages if m["kind"] == "started")
    assert Path(started["data_dir"]).is_relative_to(home)  # the user's data folder, here a fresh HOME
    saves = [m for m in messages if m["kind"] == "autosaved"]
    assert len(saves) == 3
    last = saves[-1]
    assert last["text"] == last["graph"]  # the autosave holds the graph as it was at that moment
    graph = fileformat.loads(last["text"])
    # Every round of edits is in the last autosave.
    assert set(graph.nodes()) == {"parameter", "parameter1", "mul", "sigmoid"}
    assert graph.value("parameter") == 2.5 and graph.value("parameter1") == -1.25
    assert graph.label("parameter") == "w₁ (weight)" and graph.meta["loss"] == "sigmoid"
    assert graph.layout["mul"] == (240.0, 80.0) and graph.meta["name"] == "my lesson"
    assert len(graph.edges()) == 3

    saved_to = tmp_path / "rescued.graph.json"
    recovering = subprocess.run([sys.executable, str(DRIVER), "recover", str(saved_to)], capture_output=True,
                                text=True, env=env, cwd=tmp_path, timeout=120)
    assert "Traceback" not in recovering.stderr, recovering.stderr
    out = [json.loads(line) for line in recovering.stdout.splitlines() if line.startswith("{")]
    recovered, saved = out[0], out[1]
    assert recovered["kind"] == "recovered" and len(recovered["asked"]) == 1  # the learner was asked once
    assert recovered["graph"] == last["graph"]  # exactly the autosaved graph is back
    assert recovered["dirty"] and recovered["recovery_exists"]  # recovered work is not saved yet
    assert saved == {"kind": "saved", "ok": True, "recovery_exists": False, "dirty": False}
    assert fileformat.dumps(fileformat.load(saved_to)) == last["graph"]
    assert recovering.returncode == 0
