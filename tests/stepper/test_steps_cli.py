"""`graphcore steps GRAPH [--sample i] [--json]` (SPEC §6)."""
import json
import os

import numpy as np
import pytest

from graphcore import datasets, fileformat
from graphcore.cli import main
from graphcore.engine import compile_graph
from tests.stepper.stepper_graphs import LR_LESSON, fanout_graph, logistic_graph, ng_lesson
from tests.cli.cli_runner import run_graphcore


@pytest.fixture
def lr_path(tmp_path):
    """The logistic-regression lesson when it exists, else an equivalent graph written here."""
    if os.path.exists(LR_LESSON):
        return LR_LESSON
    path = tmp_path / "lr.graph.json"
    fileformat.save(logistic_graph(), path)
    return str(path)


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_for_one_sample_matches_the_engine_on_that_sample(capsys, lr_path):
    graph = fileformat.load(lr_path)
    data = datasets.for_graph(graph).train()
    m = len(next(iter(data.values())))
    i = min(7, m - 1)
    code, out, err = _run(capsys, "steps", lr_path, "--sample", str(i), "--json")
    assert code == 0, err
    doc = json.loads(out)
    # the engine, independently, on sample i alone
    ev = compile_graph(graph).run({k: np.asarray(v)[i:i + 1] for k, v in data.items()})
    steps = doc["steps"]
    assert doc["cost"] == pytest.approx(ev.cost)
    assert {s["phase"] for s in steps} == {"forward", "backward"}
    for s in steps:
        if s["phase"] == "forward":
            assert s["output"] == pytest.approx(float(np.ravel(ev.value(s["output_keys"][0]))[0]))
        elif s["downstream"]:
            for port in range(len(s["input_keys"])):
                # what this box sends back to each input: local × upstream, per port
                assert s["downstream"][str(port)] == pytest.approx(s["local"][str(port)] * s["upstream"])
        else:  # a source: the gradient that arrived is the engine's dJ/dθ for this sample
            assert s["upstream"] == pytest.approx(float(np.sum(ev.grad(s["node"]))))
    params = [s["node"] for s in steps if s["phase"] == "backward" and s["op"] == "parameter"]
    assert sorted(params) == sorted(compile_graph(graph).param_ids)


def test_text_transcript_names_every_step_and_the_chain_rule(capsys, tmp_path):
    path = tmp_path / "ng.graph.json"
    fileformat.save(ng_lesson(), path)
    code, out, _ = _run(capsys, "steps", str(path))
    assert code == 0
    assert out.count("Step ") >= 14
    assert "dJ/dJ = 1" in out
    assert "downstream dJ/db = local × upstream = 2 × 3 = 6" in out
    assert "downstream dJ/dc = local × upstream = 3 × 3 = 9" in out
    assert "cost J = 33" in out


def test_fan_out_in_the_transcript(capsys, tmp_path):
    path = tmp_path / "fan.graph.json"
    fileformat.save(fanout_graph(), path)
    code, out, _ = _run(capsys, "steps", str(path))
    assert code == 0
    line = next(ln for ln in out.splitlines() if "dJ/dx =" in ln and "+" in ln)
    assert "3 (from f)" in line and "4 (from g)" in line and line.endswith("= 7")


@pytest.mark.parametrize("argv, needle", [
    (["--sample", "999"], "out of range"),
    (["--sample", "-1"], "out of range"),
    (["--sample", "x"], "invalid int"),
])
def test_bad_flags_exit_2_with_one_line(capsys, lr_path, argv, needle):
    code, out, err = _run(capsys, "steps", lr_path, *argv)
    assert code == 2
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_file_exit_2(capsys, tmp_path):
    code, _, err = _run(capsys, "steps", str(tmp_path / "nope.graph.json"))
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_runs_as_a_command(tmp_path):
    path = tmp_path / "ng.graph.json"
    fileformat.save(ng_lesson(), path)
    res = run_graphcore("steps", str(path), "--json", timeout=60)
    assert res.returncode == 0, res.stderr
    assert len(json.loads(res.stdout)["steps"]) == 14
