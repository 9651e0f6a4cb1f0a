"""Stepping inside a group at group level (`graphcore steps --level group --inside NAME`):
the group and those around it are opened in place, their boxes step as at box level, and
every number equals the engine's."""
from __future__ import annotations

import json

import pytest

from graphcore import datasets, fileformat, group_steps, stepthrough
from graphcore.cli import main
from graphcore.groups import GroupError, groups_of

from tests.groups.group_graphs import xor_grouped


def _unit(step):
    return getattr(step, "group", None) or step.node


def test_inside_a_neuron_its_boxes_step_in_place_and_the_rest_stays_grouped():
    g = xor_grouped()
    data = datasets.for_graph(g).train()
    seq = group_steps.build(g, data, 3, inside="neuron 1.3")
    names = [(s.phase, _unit(s)) for s in seq.steps]
    inner = set(groups_of(g).members("neuron 1.3"))
    fw = [u for p, u in names if p == "forward"]
    at = fw.index("neuron 1.2")
    assert set(fw[at + 1:at + 1 + len(inner)]) == inner and fw[at + 1 + len(inner)] == "neuron 1.4"
    bw = [u for p, u in names if p == "backward"]
    assert bw.index("neuron 1.4") < bw.index("h1_3") < bw.index("m1_3_1") < bw.index("neuron 1.2")
    assert "layer 1" not in fw and "layer 2" in fw  # opened on the way in; the other layer stays one step
    assert seq.inside == "neuron 1.3" and len(group_steps.build(g, data, 3)) == 12


@pytest.mark.parametrize("sample", [3, None])
def test_the_numbers_inside_are_the_box_level_s(sample):
    g = xor_grouped()
    data = datasets.for_graph(g).train()
    doc = group_steps.steps_json(group_steps.build(g, data, sample, inside="neuron 1.3"))
    box = {(s["phase"], s["node"]): s for s in stepthrough.steps_json(stepthrough.build(g, data, sample))["steps"]}
    inner = set(groups_of(g).members("neuron 1.3"))
    checked = 0
    for s in doc["steps"]:
        if s.get("node") in inner:
            ref = box[s["phase"], s["node"]]
            for key in ("output", "local", "upstream", "downstream"):
                assert s[key] == pytest.approx(ref[key], rel=1e-12, abs=1e-15), (s["node"], key)
            checked += 1
    assert checked == 2 * len(inner)
    # each neuron's downstream Jᵀ · upstream is exactly what the engine sent back to x1 from it
    x1 = next(s for s in doc["steps"] if s.get("node") == "x1" and s["phase"] == "backward")
    sent = {t["from"]: t["value"] for t in x1["contributions"]["x1"]}
    for s in doc["steps"]:
        if s.get("group", "").startswith("neuron 1.") and s["phase"] == "backward":
            assert s["downstream"]["a₁"] == pytest.approx(sent[s["group"]], rel=1e-9, abs=1e-15)
    assert sent["m1_3_1"] == pytest.approx(box["backward", "m1_3_1"]["downstream"]["0"], rel=1e-12)
    assert sum(sent.values()) == pytest.approx(box["backward", "x1"]["upstream"], rel=1e-9)  # the engine's dJ/dx1


def test_the_cli_steps_inside_and_refuses_what_it_cannot(tmp_path, capsys):
    path = tmp_path / "xor.graph.json"
    fileformat.save(xor_grouped(), path)
    assert main(["steps", str(path), "--level", "group", "--inside", "layer 1", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["inside"] == "layer 1" and len(doc["steps"]) == 30  # ten neurons each way instead of the layer
    assert main(["steps", str(path), "--level", "group", "--inside", "layer 1"]) == 0
    assert "inside group layer 1 box by box" in capsys.readouterr().out.splitlines()[0]
    assert main(["steps", str(path), "--level", "group", "--inside", "layer 9"]) == 2
    assert "there is no group 'layer 9'" in capsys.readouterr().err
    assert main(["steps", str(path), "--inside", "layer 1"]) == 2
    assert "needs --level group" in capsys.readouterr().err
    with pytest.raises(GroupError):
        group_steps.units(xor_grouped(), "layer 9")


def test_a_group_the_cost_does_not_depend_on_takes_no_step():
    """A piece beside the network that the cost J does not read (a second network inserted
    with its own loss) is ignored by the engine: its group gets no step, and does not refuse
    the whole step-through."""
    g = xor_grouped()
    g.add_node("parameter", "sw", value=0.5)
    g.add_node("mul", "sm")
    g.connect("x1", "sm", 0)
    g.connect("sw", "sm", 1)
    groups_of(g).add("stray", ["sw", "sm"])
    data = datasets.for_graph(g).train()
    for inside in (None, "layer 1"):
        seq = group_steps.build(g, data, 3, inside=inside)
        assert "stray" not in [_unit(s) for s in seq.steps] and "sm" not in [_unit(s) for s in seq.steps]
    assert len(group_steps.build(g, data, 3)) == 12
