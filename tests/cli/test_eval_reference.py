"""`graphcore eval --json` agrees with independent evaluators on random graphs that use every Function:

* PyTorch float64 autograd (values and gradients, rtol 1e-7) — skipped where torch is absent;
* exact forward-mode derivatives with hand-written local derivatives (no torch needed), so the
  property is proven on every machine.

Graphs come from ``graphcore.randgraph`` (seeded), with and without a data set; the data goes
in through ``--data CSV`` and the graph through a saved file — the whole path a user takes.
"""
import json

import numpy as np
import pytest

from graphcore import cli, fileformat
from graphcore.randgraph import ALL_OPS, random_graph

from tests.cli.eval_reference import forward_mode_eval, torch_eval

RTOL = 1e-7
ATOL = 1e-10  # sums that cancel to ~0 differ by rounding only


def write_csv(path, data):
    cols = sorted(data)
    lines = [",".join(cols)] + [",".join(repr(float(data[c][i])) for c in cols)
                                for i in range(len(data[cols[0]]))]
    path.write_text("\n".join(lines) + "\n")


def eval_json(tmp_path, capsys, graph, data):
    path = tmp_path / "g.graph.json"
    fileformat.save(graph, path)
    argv = ["eval", str(path), "--json"]
    if data is not None:
        write_csv(tmp_path / "d.csv", data)
        argv[2:2] = ["--data", str(tmp_path / "d.csv")]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    return json.loads(out), fileformat.to_dict(graph)


def assert_agree(ours, ref, what):
    cost, values, grads = ref
    assert ours["cost"] == pytest.approx(cost, rel=RTOL, abs=ATOL), what
    assert set(ours["values"]) == set(values) and set(ours["grads"]) == set(grads)
    for k in values:
        assert np.shape(ours["values"][k]) == np.shape(values[k]), (what, k)
        np.testing.assert_allclose(ours["values"][k], values[k], rtol=RTOL, atol=ATOL, err_msg=f"{what} value {k}")
        np.testing.assert_allclose(ours["grads"][k], grads[k], rtol=RTOL, atol=ATOL, err_msg=f"{what} grad {k}")


CASES = [(seed, with_data) for seed in range(5) for with_data in (False, True)]


@pytest.fixture(params=["fast", "reference"])
def engine_path(request, monkeypatch):
    """Plan.run has a compiled fast path and the reference loop behind it: test both."""
    if request.param == "reference":
        try:
            from graphcore import fastpath
        except ImportError:  # no fast path: the reference loop is all there is
            pytest.skip("no fast path in this build")
        monkeypatch.setattr(fastpath, "ENABLED", False)
    return request.param


@pytest.mark.parametrize("seed,with_data", CASES)
def test_eval_agrees_with_exact_forward_mode_derivatives(tmp_path, capsys, seed, with_data, engine_path):
    graph, data = random_graph(200, seed, with_data=with_data, m=6)
    assert {graph.op(n) for n in graph.nodes()} >= set(ALL_OPS), "every Function takes part"
    ours, doc = eval_json(tmp_path, capsys, graph, data)
    assert_agree(ours, forward_mode_eval(doc, data), f"seed {seed}, data {with_data}")


@pytest.mark.parametrize("seed,with_data", CASES)
def test_eval_agrees_with_torch_autograd(tmp_path, capsys, seed, with_data, engine_path):
    pytest.importorskip("torch")
    graph, data = random_graph(200, 100 + seed, with_data=with_data, m=20)
    assert {graph.op(n) for n in graph.nodes()} >= set(ALL_OPS)
    ours, doc = eval_json(tmp_path, capsys, graph, data)
    assert_agree(ours, torch_eval(doc, data), f"seed {100 + seed}, data {with_data}")


def test_the_references_agree_with_each_other(tmp_path):
    """The two references are independent; on the same graph they must agree too."""
    pytest.importorskip("torch")
    graph, data = random_graph(120, 42, with_data=True, m=5)
    doc = fileformat.to_dict(graph)
    a, b = torch_eval(doc, data), forward_mode_eval(doc, data)
    assert a[0] == pytest.approx(b[0], rel=RTOL)
    for k in a[2]:
        np.testing.assert_allclose(a[2][k], b[2][k], rtol=RTOL, atol=ATOL, err_msg=k)


@pytest.mark.parametrize("ops", [["mul", "add"], ["softmax", "cross_entropy", "sigmoid"],
                                 ["max", "min", "eq", "relu", "abs"], ["mean", "sum", "pow", "log"]])
def test_small_focused_graphs(tmp_path, capsys, ops, engine_path):
    """Small graphs of a few Functions each: fan-out and x∘x show up densely here."""
    for seed in range(3):
        graph, data = random_graph(40, seed, ops=ops, with_data=seed % 2 == 1, m=4)
        ours, doc = eval_json(tmp_path, capsys, graph, data)
        assert_agree(ours, forward_mode_eval(doc, data), f"{ops} seed {seed}")
