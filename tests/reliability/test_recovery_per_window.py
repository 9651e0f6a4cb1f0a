"""Crash recovery per window (issue #19, case 3): two windows of the real program, each
with unsaved work, never take or delete each other's autosave, and when both are killed
both graphs can be recovered.

The windows are child processes on one fresh HOME (offscreen Qt), driven by
``recovery_driver.py`` as in test_crash_recovery."""
from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest
from tests.reliability.recovery_helpers import DRIVER, child_env, read_messages

from graphcore import fileformat


def start_editing(tmp_path, env, name="my lesson"):
    proc = subprocess.Popen([sys.executable, str(DRIVER), "edit", name], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=tmp_path)
    messages = read_messages(proc, "done")
    return proc, [m for m in messages if m["kind"] == "autosaved"][-1]


def recover(tmp_path, env, save_to) -> tuple[dict, dict]:
    p = subprocess.run([sys.executable, str(DRIVER), "recover", str(save_to)], capture_output=True, text=True,
                       env=env, cwd=tmp_path, timeout=120)
    assert "Traceback" not in p.stderr, p.stderr
    out = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
    return out[0], out[1]


def kill(proc):
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.mark.slow
def test_windows_never_take_each_others_autosave_and_both_killed_are_recoverable(tmp_path):
    """One scenario, six window processes (each start-up costs seconds): two windows edit; a
    third starts while both run and is offered nothing; both are killed; the next two starts
    recover one graph each, whole; a last start is offered nothing."""
    env = child_env(tmp_path / "home")
    first, last_first = start_editing(tmp_path, env, "first window")
    try:
        second, last_second = start_editing(tmp_path, env, "second window")
        try:
            recovered, saved = recover(tmp_path, env, tmp_path / "other.graph.json")  # starts, saves, closes
            assert recovered["asked"] == []  # the running windows' work is not "recovered" by another
            assert saved["ok"]
        finally:
            kill(second)
    finally:
        kill(first)
    got = []
    for i in range(2):
        recovered, saved = recover(tmp_path, env, tmp_path / f"rescued{i}.graph.json")
        assert len(recovered["asked"]) == 1 and saved["ok"]
        got.append(fileformat.dumps(fileformat.load(tmp_path / f"rescued{i}.graph.json")))
    assert sorted(got) == sorted([last_first["graph"], last_second["graph"]])  # each graph, whole
    assert {fileformat.loads(t).meta["name"] for t in got} == {"first window", "second window"}
    recovered, _ = recover(tmp_path, env, tmp_path / "nothing.graph.json")
    assert recovered["asked"] == []  # both were taken: nothing is offered twice
