"""The ``graphcore`` command on bad files: exit 2, exactly one line on stderr, no traceback.

In-process for many fuzzed files (fast), and as a real subprocess for a fixed sample."""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.reliability.reliability_docs import (FORMAT, DataChooser, RandomChooser, as_bytes, assert_one_line, lessons,
                                                mutate, odd_but_legal, render)

from graphcore import cli

# A catch-all in cli.main turns stray Python errors into "ValueError: ..." lines; a fuzzed
# file must be refused by a specific check before that, so such lines count as failures.
GENERIC = re.compile(r"^graphcore: error: \w+(Error|Exception): ")


def run_cli(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli.main(argv)
    return rc, out.getvalue(), err.getvalue()


def assert_clean_refusal(rc: int, err: str):
    assert rc in (0, 2), (rc, err)
    if rc == 2:
        assert err.endswith("\n") and err.count("\n") == 1, repr(err)
        assert err.startswith("graphcore: error: "), repr(err)
        assert not GENERIC.match(err), repr(err)
        assert_one_line(err.rstrip("\n"), limit=700)
    else:
        assert err == "", repr(err)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_eval_and_steps_on_fuzzed_files_exit_cleanly(data):
    ch = DataChooser(data, st.sampled_from([0, -1, 10**400, "x", None, [], {}, 1e308]))
    doc = data.draw(st.sampled_from(lessons()))
    if data.draw(st.booleans()):
        doc = odd_but_legal(doc, ch, ch.integer(1, 4))
    else:
        doc = mutate(doc, ch, ch.integer(1, 3))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "fuzzed.graph.json")
        with open(path, "wb") as fh:
            fh.write(as_bytes(render(doc, ch)))
        for verb in (["eval", path], ["eval", path, "--json"], ["steps", path, "--json"]):
            rc, out, err = run_cli(verb)
            assert_clean_refusal(rc, err)
            if rc == 0 and "--json" in verb:
                json.loads(out)  # strict JSON: no NaN slipped through


def graphcore_command() -> list[str]:
    exe = shutil.which("graphcore")
    return [exe] if exe else [sys.executable, "-m", "graphcore"]


def test_the_real_command_refuses_a_sample_of_bad_files(tmp_path):
    """Eight fixed fuzzed files (and two odd paths) through the installed command, side by side."""
    paths = []
    for seed in range(8):
        ch = RandomChooser(seed)
        doc = mutate(ch.choice(lessons()), ch, ch.integer(1, 3))
        path = tmp_path / f"bad{seed}.graph.json"
        path.write_bytes(as_bytes(render(doc, ch)))
        paths.append(path)
    paths.append(tmp_path / "missing.graph.json")
    (tmp_path / "deep.graph.json").write_text("[" * 100_000)
    paths.append(tmp_path / "deep.graph.json")
    procs = [subprocess.Popen(graphcore_command() + ["eval", str(p)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, encoding="utf-8", errors="backslashreplace") for p in paths]
    codes = []
    for p, proc in zip(paths, procs, strict=True):
        out, err = proc.communicate(timeout=60)
        assert "Traceback" not in err, (p.name, err)
        assert_clean_refusal(proc.returncode, err)
        codes.append(proc.returncode)
    assert codes.count(2) >= len(paths) // 2  # the sample is mostly broken files


def _chain(start: float, ops: list[str], loss: str | None = None, extra_nodes=(), extra_edges=()):
    nodes = [{"id": "c", "op": "constant", "value": start}] + [{"id": f"e{i}", "op": op} for i, op in enumerate(ops)]
    edges = [{"src": "c" if i == 0 else f"e{i - 1}", "dst": f"e{i}", "port": 0} for i in range(len(ops))]
    doc = {"format": FORMAT, "version": 1, "nodes": nodes + list(extra_nodes), "edges": edges + list(extra_edges)}
    if loss:
        doc["loss"] = loss
    return doc


def test_eval_names_the_first_box_that_went_non_finite(tmp_path):
    # e0 = exp(1000) is already inf; e1 and e2 only pass it on. The line must name e0.
    path = tmp_path / "overflow.graph.json"
    path.write_text(json.dumps(_chain(1000.0, ["exp", "exp", "sin"], loss="e2")))
    rc, out, err = run_cli(["eval", str(path)])
    assert rc == 2 and "'e0'" in err and "'e1'" not in err and "'e2'" not in err, err
    assert_clean_refusal(rc, err)


def test_eval_names_the_box_whose_gradient_went_non_finite(tmp_path):
    # Forward is finite (0 ** 0.5 = 0) but the local derivative 0.5 · 0 ** -0.5 is inf.
    doc = _chain(0.0, ["sin"], loss="J",
                 extra_nodes=[{"id": "r", "op": "pow", "attrs": {"exponent": 0.5}}, {"id": "J", "op": "mean"}],
                 extra_edges=[{"src": "e0", "dst": "r", "port": 0}, {"src": "r", "dst": "J", "port": 0}])
    path = tmp_path / "root.graph.json"
    path.write_text(json.dumps(doc))
    rc, out, err = run_cli(["eval", str(path)])
    assert rc == 2 and "'r'" in err and "backward" in err, err
    assert_clean_refusal(rc, err)


def test_train_names_the_first_box_that_went_non_finite(tmp_path):
    # w·x with a huge learning rate: the squared error overflows after a few steps.
    doc = {"format": FORMAT, "version": 1, "nodes": [
        {"id": "x", "op": "input", "column": "x1"}, {"id": "y", "op": "input", "column": "y"},
        {"id": "w", "op": "parameter", "value": 1.0}, {"id": "wx", "op": "mul"},
        {"id": "L", "op": "squared_error"}],
        "edges": [{"src": "x", "dst": "wx", "port": 0}, {"src": "w", "dst": "wx", "port": 1},
                  {"src": "wx", "dst": "L", "port": 0}, {"src": "y", "dst": "L", "port": 1}],
        "loss": "L", "dataset": {"generator": "simple", "n": 20, "seed": 0},
        "training": {"optimizer": "sgd", "lr": 1e200, "epochs": 50}}  # (wx)² overflows in epoch 2
    path = tmp_path / "diverge.graph.json"
    path.write_text(json.dumps(doc))
    rc, out, err = run_cli(["train", str(path)])
    assert rc == 2, (rc, err)
    assert_clean_refusal(rc, err)
    assert re.search(r"'(wx|L)'", err), err
    assert "non-finite" in err or "inf" in err or "nan" in err, err
