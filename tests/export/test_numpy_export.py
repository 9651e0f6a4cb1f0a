"""The numpy export, run in a subprocess: the same values, gradients and trained cost as
the app (SPEC §7: to 1e-9), numpy and the standard library only, deterministic text."""
from __future__ import annotations

import ast
import subprocess
import sys

import numpy as np
import pytest

from graphcore import datasets
from graphcore.export import to_numpy
from graphcore.export.parts import data_section

from tests.export.export_helpers import assert_first_pass_matches, assert_training_matches, run_scripts
from graphcore.graph import Graph
from graphcore.training import Trainer
from tests.export.graphs import TRAINING, examples, logistic, random_trainable

TOL = 1e-9
EPOCHS = 100  # the lessons train for up to 1,200 epochs; 100 show the same agreement in a tenth of the time


@pytest.mark.slow
def test_examples_reproduce_the_engine_and_the_trainer(tmp_path):
    graphs = examples()
    assert graphs, "the lessons in assets/examples are missing"
    results = run_scripts([to_numpy(g) for g in graphs], tmp_path, epochs=EPOCHS)
    for g, r in zip(graphs, results):
        assert "error" not in r, (g.meta["name"], r)
        assert_first_pass_matches(g, r, TOL)
        if g.meta.get("loss") and g.parameters():  # J = 3(a + bc) has nothing to train
            assert_training_matches(g, r, TOL, epochs=EPOCHS)


def test_every_optimizer_and_batching_reproduces_the_trainer(tmp_path):
    graphs = [logistic(opt, bs, extra) for opt, bs, extra in TRAINING]
    results = run_scripts([to_numpy(g) for g in graphs], tmp_path)
    for g, r, case in zip(graphs, results, TRAINING):
        assert "error" not in r, (case, r)
        assert_first_pass_matches(g, r, TOL)
        assert_training_matches(g, r, TOL)


def test_random_graphs_over_the_whole_catalogue(tmp_path):
    graphs = [random_trainable(n, seed, with_data=seed % 3 != 0)
              for seed, n in enumerate([40, 60, 80, 120, 160, 200, 90])]
    ops = {g.op(n) for g in graphs for n in g.nodes()}
    assert {"softmax", "cross_entropy", "max", "pow", "leaky_relu", "mean", "bce"} <= ops
    results = run_scripts([to_numpy(g) for g in graphs], tmp_path)
    compared = 0
    for g, r in zip(graphs, results):
        if not g.parameters():  # nothing to train: the script still runs its forward and backward
            assert "error" not in r, r
            assert_first_pass_matches(g, r, TOL)
            continue
        ref = Trainer(g).train()
        if ref["status"] == "failed":  # training went non-finite: the script stops at the same box
            assert "error" in r and f"'{ref_box(g)}'" in r["error"], (ref["error"], r)
            continue
        assert "error" not in r, r
        assert_first_pass_matches(g, r, TOL)
        assert_training_matches(g, r, TOL)
        compared += 1
    assert compared >= 5


def ref_box(graph) -> str:
    t = Trainer(graph)
    t.train()
    return t.error.nodes[0]


def _imports(text: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("__import__", "exec", "eval"):
            found.add(node.func.id)
    return found


@pytest.mark.parametrize("graph", examples() + [logistic("adam", 16), random_trainable(150, 7)],
                         ids=lambda g: g.meta["name"])
def test_the_script_imports_only_numpy_and_the_standard_library(graph):
    text = to_numpy(graph)
    mods = _imports(text)
    assert "numpy" in mods
    assert all(m == "numpy" or m in sys.stdlib_module_names for m in mods), mods


def test_same_graph_same_text_and_every_graph_line_is_tagged():
    g = logistic("momentum", 16)
    text = to_numpy(g)
    assert text == to_numpy(g.copy())
    inside = False
    for line in text.splitlines():
        if line.startswith(("def forward", "def backward")):
            inside = True
            continue
        if inside and not line.startswith("    "):
            inside = False
        code = line.strip()
        if inside and code and not code.startswith(('"""', "return", "check_finite")):
            assert "# [" in line, line


def test_backward_reads_as_the_chain_rule():
    g = Graph("fan-out")
    g.add_node("parameter", "x", value=1.5)
    g.add_node("parameter", "w", value=-0.5)
    g.add_node("mul", "sq")
    g.connect("x", "sq", 0)
    g.connect("x", "sq", 1)  # x*x: one Variable on two ports
    g.add_node("add", "out")
    g.connect("sq", "out", 0)
    g.connect("x", "out", 1)  # ...and a third use
    g.add_node("max", "m")
    g.connect("out", "m", 0)
    g.connect("w", "m", 1)
    g.set_meta("loss", "m")
    text = to_numpy(g)
    assert "mul gate: swaps" in text and "add gate: distributes" in text and "max gate: routes" in text
    # contributions in the order backprop meets them, then one visible sum (the copy gate)
    assert "d_x_from_out = 1.0 * d_out" in text and "d_x_from_sq_a = x * d_sq" in text
    assert "d_x = d_x_from_out + d_x_from_sq_a + d_x_from_sq_b  # [x] fan-out" in text
    per_sample = to_numpy(logistic())  # w1 is one number used for every sample: its gradient sums them
    assert "d_w1 = np.sum(x1 * d_m1)" in per_sample and "sum over the samples" in per_sample


@pytest.mark.parametrize("name", sorted(datasets.GENERATORS))
def test_generated_data_sets_are_the_apps(name):
    ds = datasets.generate(name, 37, seed=4, noise=0.05, test_fraction=0.25)
    code = "\n".join(data_section(ds))
    assert f"def _{name}" in code or name in code  # the generator's own code, not the points
    assert "TRAIN_DATA = {" not in code
    ns = {"np": np}
    exec(compile(code, "<data>", "exec"), ns)
    train, test = ns["make_data"]()
    for got, want in ((train, ds.train()), (test, ds.test())):
        assert got.keys() == want.keys()
        for k in want:
            assert np.array_equal(got[k], want[k]), k


def test_points_and_csv_are_written_out_exactly(tmp_path):
    pts = {"x1": [0.1, 1 / 3, 2e-17], "x2": [0.5, -0.0, 1e300], "y": [0.0, 1.0, 1.0]}
    ds = datasets.from_points(pts)
    ns = {"np": np}
    exec(compile("\n".join(data_section(ds)), "<data>", "exec"), ns)
    train, test = ns["make_data"]()
    assert test is None
    for k, v in pts.items():
        assert np.array_equal(train[k], np.asarray(v))
    csv = tmp_path / "pts.csv"
    csv.write_text("x1,x2,y\n0.25,0.75,1\n0.125,0.5,0\n")
    ds = datasets.from_block({"csv": str(csv)})
    ns = {"np": np}
    exec(compile("\n".join(data_section(ds)), "<data>", "exec"), ns)
    assert np.array_equal(ns["make_data"]()[0]["x1"], [0.25, 0.125])


def test_the_script_runs_as_a_program_and_prints_the_final_cost(tmp_path):
    from graphcore.training import Trainer
    g = logistic("adam", 16, epochs=10)
    path = tmp_path / "lr.py"
    path.write_text(to_numpy(g), encoding="utf-8")
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("final cost J = ")][0]
    cost = float(line.split("=")[1].split(",")[0])
    assert cost == pytest.approx(Trainer(g).train()["cost"], rel=1e-9)


def test_non_finite_values_name_the_box(tmp_path):
    g = Graph("log of a negative")
    g.add_node("parameter", "a", value=-1.0)
    g.add_node("log", "lg")
    g.connect("a", "lg", 0)
    g.set_meta("loss", "lg")
    (r,) = run_scripts([to_numpy(g)], tmp_path)
    assert "error" in r and "FloatingPointError" in r["error"] and "'lg'" in r["error"]
