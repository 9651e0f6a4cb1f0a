"""A box the cost J does not depend on (a stray box just dropped or pasted) is ignored — not
evaluated, never blocking — by the engine, its fast path, the Trainer, the exports and the CLI."""
import json

import numpy as np
import pytest

from graphcore import datasets, fastpath, fileformat, gradcheck, lessons
from graphcore.engine import compile_graph, ignored_boxes
from graphcore.errors import UnwiredPortError
from graphcore.export import to_numpy
from graphcore.training import Trainer
from tests.cli.cli_runner import run_graphcore


def xor_with_strays():
    """The xor lesson plus an abs box with its input unwired and an input box reading no column."""
    g = fileformat.load(lessons.path_of("xor_network"))
    g.add_node("abs", "abs")
    g.add_node("input", "stray_x")
    g.add_node("log", "stray_log")
    g.connect("stray_x", "stray_log", 0)
    return g


def test_the_plan_lists_the_stray_boxes_as_ignored_and_compiles():
    g = xor_with_strays()
    plan = compile_graph(g)  # the strict plan: before, "box 'abs' has an unwired input port"
    assert set(plan.ignored) == {"abs", "stray_x", "stray_log"} == ignored_boxes(g)
    assert plan.unwired == {"abs": [0]}  # still outlined on the canvas
    assert not {"abs", "stray_log"} & {s.node for s in plan.steps}
    assert "stray_x" not in [s.node for s in plan.sources]


def test_the_xor_lesson_with_a_stray_box_trains_to_95_percent():
    r = Trainer(xor_with_strays()).train()
    assert r["status"] == "done" and r["error"] is None
    assert r["accuracy"] >= 0.95
    assert set(r["parameters"]) == set(fileformat.load(lessons.path_of("xor_network")).parameters())


def test_an_unwired_box_the_cost_depends_on_still_blocks():
    g = fileformat.load(lessons.path_of("xor_network"))
    loss = g.meta["loss"]
    src = g.inputs_of(loss)[0].src
    g.disconnect(loss, 0)
    with pytest.raises(UnwiredPortError, match="unwired input port"):
        compile_graph(g)
    assert src not in compile_graph(g, partial=True).ignored  # still wired towards the output


def test_a_graph_naming_no_cost_and_no_output_ignores_nothing():
    g = xor_with_strays()
    g.set_meta("loss", None)
    g.set_meta("output", None)
    assert ignored_boxes(g) == set()
    with pytest.raises(UnwiredPortError):
        compile_graph(g)


def test_the_fast_path_gives_the_reference_loop_numbers_bit_for_bit():
    g = xor_with_strays()
    plan = compile_graph(g)
    plan.fuse = False  # bit for bit: the unfused kernel (the fused one is tested in tests/fusion)
    data = datasets.for_graph(g).train()
    fast = plan.run(data)
    fastpath.ENABLED = False
    try:
        ref = plan.run(data)
    finally:
        fastpath.ENABLED = True
    assert fast.cost == ref.cost
    for a, b in zip(fast.grads, ref.grads, strict=True):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a, b)
    assert fast.values[plan.slot_of["stray_log"]] is None


def test_gradcheck_and_the_numpy_export_skip_the_stray_boxes():
    g = xor_with_strays()
    data = datasets.for_graph(g).train()
    rows = gradcheck.check(g, data, symbolic=False)
    assert rows and all(r.ok for r in rows) and "stray_x" not in [r.node for r in rows]
    src = to_numpy(g)
    assert "stray_log" not in src and "stray_x" not in src
    ns = {"__name__": "exported"}
    exec(compile(src, "exported.py", "exec"), ns)  # the script's own forward runs
    cost, values = ns["forward"](ns["PARAMS"], data)
    assert np.isclose(cost, compile_graph(g).run(data).cost) and "abs" not in values


@pytest.mark.parametrize("verb", ["eval", "train"])
def test_the_cli_evaluates_and_trains_the_graph_with_a_stray_box(verb, tmp_path):
    path = tmp_path / "stray.graph.json"
    fileformat.save(xor_with_strays(), path)
    extra = ["--epochs", "20"] if verb == "train" else []
    proc = run_graphcore(verb, str(path), "--json", *extra, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["cost"] is not None and np.isfinite(doc["cost"])
    if verb == "eval":
        assert "abs" not in doc["values"] and "stray_log" not in doc["values"]
