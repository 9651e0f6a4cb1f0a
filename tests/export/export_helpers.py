"""Run exported scripts in ONE fresh Python process (startup, and torch's import, add up)
and compare their numbers with the app's engine and Trainer."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from graphcore import datasets
from graphcore.engine import compile_graph
from graphcore.training import Trainer

# Each script is run as its own module, then its main(["--json"]) with stdout captured;
# an exception becomes {"error": ...} so one bad script does not hide the others.
DRIVER = r'''
import contextlib, io, json, runpy, sys
out = []
args = json.loads(sys.argv[1])  # one argument list for every script, or one per script
for i, path in enumerate(sys.argv[2:]):
    script_args = args[i] if args and isinstance(args[0], list) else args
    buf = io.StringIO()
    try:
        ns = runpy.run_path(path, run_name="exported")
        with contextlib.redirect_stdout(buf):
            ns["main"](script_args)
        out.append(json.loads(buf.getvalue()))
    except Exception as exc:
        out.append({"error": f"{type(exc).__name__}: {exc}"})
print(json.dumps(out))
'''


def run_scripts(texts: list[str], tmp_path: Path, timeout: float = 120, epochs: int | None = None,
                each: list[int | None] | None = None) -> list[dict]:
    """Each script's ``main(["--json"])`` (with ``--epochs`` when given, or ``each[i]`` for the
    i-th script), in one subprocess (torch's import costs seconds). No script may print a warning."""
    paths = []
    for i, text in enumerate(texts):
        p = tmp_path / f"exported_{i}.py"
        p.write_text(text, encoding="utf-8")
        paths.append(str(p))

    def script_args(n):
        return ["--json"] + ([] if n is None else ["--epochs", str(n)])
    args = [script_args(n) for n in each] if each is not None else script_args(epochs)
    proc = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(args), *paths], capture_output=True, text=True,
                          timeout=timeout, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


def train_data(graph):
    ds = datasets.for_graph(graph)
    return None if ds is None else ds.train()


def assert_first_pass_matches(graph, result: dict, tol: float, all_grads: bool = True):
    """The script's first forward/backward equals the engine's: every value, every gradient."""
    ev = compile_graph(graph).run(train_data(graph))
    first = result["first"]
    assert set(first["values"]) == set(ev.values_dict())
    for key, v in ev.values_dict().items():
        np.testing.assert_allclose(first["values"][key], v, rtol=tol, atol=tol, err_msg=key)
    if ev.cost is None:
        return
    assert abs(first["cost"] - ev.cost) <= tol * max(1.0, abs(ev.cost))
    grads = ev.grads_dict()
    for key, g in grads.items():
        if key in first["grads"]:
            np.testing.assert_allclose(first["grads"][key], g, rtol=tol, atol=tol, err_msg=key)
        else:  # a Variable the cost does not depend on (or, in torch, data that needs no grad)
            assert not all_grads or not np.any(g), key
    for pid in compile_graph(graph).param_ids:
        assert pid in first["grads"] or not np.any(grads[pid]), pid


def assert_training_matches(graph, result: dict, tol: float, epochs: int | None = None):
    """Final cost, accuracy, parameters and every epoch's cost equal graphcore's Trainer."""
    ref = Trainer(graph, epochs=epochs).train()
    assert ref["status"] == "done", ref["error"]
    assert abs(result["cost"] - ref["cost"]) <= tol * max(1.0, abs(ref["cost"]))
    assert result["epochs"] == ref["epochs"]
    for p, v in ref["parameters"].items():
        assert abs(result["parameters"][p] - v) <= tol * max(1.0, abs(v)), p
    assert len(result["history"]) == len(ref["history"])
    for mine, theirs in zip(result["history"], ref["history"]):
        assert abs(mine["cost"] - theirs["cost"]) <= tol * max(1.0, abs(theirs["cost"]))
    if ref["accuracy"] is not None:
        assert result["accuracy"] == ref["accuracy"]
    if "test_cost" in ref:
        assert abs(result["test_cost"] - ref["test_cost"]) <= tol * max(1.0, abs(ref["test_cost"]))
