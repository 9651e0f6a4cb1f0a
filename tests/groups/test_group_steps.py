"""Step-through at group level (`graphcore steps GRAPH --level group`): the grouped xor
network in ≤ 12 steps, and every number shown equal to the engine's."""
from __future__ import annotations

import json

import numpy as np
import pytest

from graphcore import datasets, fileformat, group_steps
from graphcore.cli import main
from graphcore.engine import compile_graph
from graphcore.stepthrough import sample_data

from tests.groups.group_graphs import spiral3_grouped, xor_grouped


def engine_on(graph, sample=None):
    data = datasets.for_graph(graph).train()
    if sample is not None:
        data = sample_data(data, sample)
    return compile_graph(graph).run(data)


def test_xor_at_group_level_takes_twelve_steps_in_order():
    g = xor_grouped()
    seq = group_steps.build(g, datasets.for_graph(g).train(), 5)
    kinds = [(s.phase, getattr(s, "group", None) or s.node) for s in seq.steps]
    assert len(seq) <= 12
    assert kinds == [("forward", "x1"), ("forward", "x2"), ("forward", "layer 1"), ("forward", "layer 2"),
                     ("forward", "y"), ("forward", "L"), ("backward", "L"), ("backward", "layer 2"),
                     ("backward", "layer 1"), ("backward", "x1"), ("backward", "x2"), ("backward", "y")]


@pytest.mark.parametrize("sample", [0, 37, None])
def test_the_numbers_shown_are_the_engine_s(sample):
    g = xor_grouped()
    ev = engine_on(g, sample)
    seq = group_steps.build(g, datasets.for_graph(g).train(), sample)
    doc = group_steps.steps_json(seq)
    mean = (lambda k: float(np.mean(ev.value(k))))
    gmean = (lambda k: float(np.mean(ev.grad(k))))
    by = {(s["phase"], s.get("group") or s.get("node")): s for s in doc["steps"]}
    fw = by["forward", "layer 1"]
    assert [o["variable"] for o in fw["outputs"]] == [f"h1_{u}" for u in range(1, 11)]
    for o in fw["outputs"] + by["forward", "layer 2"]["outputs"]:
        assert o["value"] == pytest.approx(mean(o["variable"]), rel=1e-12, abs=1e-15)
    bw2, bw1 = by["backward", "layer 2"], by["backward", "layer 1"]
    assert bw2["upstream"] == [pytest.approx(gmean("p"), rel=1e-12)]
    # downstream = Jᵀ · upstream is exactly what the engine sends back (h and x feed nothing else)
    assert bw2["downstream"] == {f"a{c}": pytest.approx(gmean(f"h1_{u}"), rel=1e-9, abs=1e-15)
                                 for u, c in zip(range(1, 11), list("₁₂₃₄₅₆₇₈₉") + ["₁₀"])}
    assert bw1["downstream"] == {"a₁": pytest.approx(gmean("x1"), rel=1e-9, abs=1e-15),
                                 "a₂": pytest.approx(gmean("x2"), rel=1e-9, abs=1e-15)}
    assert np.shape(bw1["jacobian"]) == (10, 2) and doc["cost"] == pytest.approx(ev.cost, rel=1e-12)
    assert by["backward", "x1"]["contributions"]["x1"][0]["from"] == "layer 1"


def test_one_sample_transcript_works_out_the_transposed_jacobian_product():
    g = xor_grouped()
    seq = group_steps.build(g, datasets.for_graph(g).train(), 3)
    text = group_steps.transcript(seq)
    assert "Step 8 of 12 · backward · group layer 2" in text
    assert "local:     Jacobian ∂bᵢ/∂aⱼ (rows: outputs b, columns: inputs a):" in text
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("input x₁ (a₁):"))
    # ten terms ∂bᵢ/∂a₁ × dJ/dbᵢ, then their sum
    worked = line.split("dJ/dbᵢ = ", 1)[1]
    assert worked.count(" × ") == 10 and worked.count(" + ") == 9
    assert line.split(" = ")[-1] == f"{float(engine_on(g, 3).grad('x1')[0]):.6g}"


def test_spiral3_at_group_level(tmp_path, capsys):
    path = tmp_path / "spiral3.graph.json"
    fileformat.save(spiral3_grouped(), path)
    assert main(["steps", str(path), "--level", "group", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    groups = [s["group"] for s in doc["steps"] if "group" in s]
    assert groups == ["layer 1", "layer 2", "layer 2", "layer 1"] and doc["level"] == "group"
    assert len(doc["steps"]) <= 14  # x1, x2, two layers, softmax, y, L; back: L, two layers, x1, x2, y
    assert np.shape(next(s for s in doc["steps"] if s.get("group") == "layer 2" and s["phase"] == "backward")
                    ["jacobian"]) == (3, 16)


def test_box_level_stays_the_default(tmp_path, capsys):
    path = tmp_path / "xor.graph.json"
    fileformat.save(xor_grouped(), path)
    assert main(["steps", str(path), "--json"]) == 0
    box = json.loads(capsys.readouterr().out)
    assert main(["steps", str(path), "--json", "--level", "box"]) == 0
    assert json.loads(capsys.readouterr().out) == box and len(box["steps"]) > 100


def test_without_groups_the_group_level_is_the_box_level():
    from graphcore import lessons, stepthrough

    g = lessons.logistic_regression()
    data = datasets.for_graph(g).train()
    box = stepthrough.steps_json(stepthrough.build(g, data, 2))
    group = group_steps.steps_json(group_steps.build(g, data, 2))
    assert group.pop("level") == "group" and group == box


def test_a_group_holding_the_loss_takes_the_seed():
    from graphcore.groups import groups_of

    g = xor_grouped()
    groups_of(g).add("head", groups_of(g).members("layer 2") + ["L"], at=0)
    ev = engine_on(g)
    doc = group_steps.steps_json(group_steps.build(g, datasets.for_graph(g).train()))
    order = [(s["phase"], s.get("group") or s["node"]) for s in doc["steps"]]
    assert order[4:7] == [("forward", "head"), ("backward", "head"), ("backward", "layer 1")]
    head = doc["steps"][5]
    # p (the graph's output) is an output too, but read only inside: nothing comes back to it from outside,
    # and its path through L is in the Jacobian already — so h and y get exactly the engine's gradients
    assert [o["variable"] for o in head["outputs"]] == ["p", "L"] and head["upstream"] == [0, pytest.approx(1 / ev.m)]
    assert [i["variable"] for i in head["inputs"]] == [f"h1_{u}" for u in range(1, 11)] + ["y"]
    assert head["downstream"]["a₁₁"] == pytest.approx(float(np.mean(ev.grad("y"))), rel=1e-9)
    assert head["downstream"]["a₁"] == pytest.approx(float(np.mean(ev.grad("h1_1"))), rel=1e-9)
