"""graphcore eval --json --groups: SPEC §6's keys unchanged, a "groups" key added; bad group
files and a non-finite Jacobian give exit 2 and one line naming the group and the box."""
from __future__ import annotations

import json

import numpy as np

from graphcore import fileformat
from graphcore.cli import main

from tests.groups.group_graphs import sqrt_graph, xor_grouped
from tests.cli.cli_runner import run_graphcore


def run_json(capsys, *argv):
    assert main(["eval", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_groups_key_is_added_and_nothing_else_changes(tmp_path, capsys):
    path = tmp_path / "xor.graph.json"
    fileformat.save(xor_grouped(), path)
    plain = run_json(capsys, str(path), "--json")
    doc = run_json(capsys, str(path), "--json", "--groups")
    assert list(doc) == ["cost", "values", "grads", "groups"] and "groups" not in plain
    assert {k: doc[k] for k in plain} == plain
    by_name = {g["name"]: g for g in doc["groups"]}
    assert list(by_name) == ["layer 1"] + [f"neuron 1.{u}" for u in range(1, 11)] + ["layer 2", "neuron 2.1"]
    layer = by_name["layer 1"]
    assert set(layer) == {"name", "parent", "members", "inputs", "outputs", "jacobian"}
    assert layer["parent"] is None and by_name["neuron 1.2"]["parent"] == "layer 1"
    assert layer["inputs"] == [{"name": "a₁", "variable": "x1", "label": "x₁"},
                               {"name": "a₂", "variable": "x2", "label": "x₂"}]
    assert [p["variable"] for p in layer["outputs"]] == [f"h1_{u}" for u in range(1, 11)]
    assert np.shape(layer["jacobian"]) == (10, 2)
    assert by_name["layer 2"]["outputs"] == [{"name": "b₁", "variable": "p", "label": "ŷ"}]

    per = run_json(capsys, str(path), "--json", "--groups", "--per-sample")
    one = per["groups"][0]
    assert np.shape(one["jacobian_per_sample"]) == (100, 10, 2)
    np.testing.assert_allclose(np.mean(one["jacobian_per_sample"], 0), one["jacobian"], rtol=1e-12)


def test_a_graph_without_groups_reports_an_empty_list(tmp_path, capsys):
    g = xor_grouped()
    path = tmp_path / "plain.graph.json"
    doc = fileformat.to_dict(g)
    del doc["groups"]
    path.write_text(json.dumps(doc))
    assert run_json(capsys, str(path), "--json", "--groups")["groups"] == []


def test_a_bad_groups_block_is_one_line_naming_the_group(tmp_path, capsys):
    doc = fileformat.to_dict(xor_grouped())
    doc["groups"][3]["members"].append("h1_1")  # neuron 1.3 now reaches into neuron 1.1
    path = tmp_path / "bad.graph.json"
    path.write_text(json.dumps(doc))
    assert main(["eval", str(path), "--json", "--groups"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "group 'neuron 1.3' and group 'neuron 1.1' overlap" in err, err


def test_a_non_finite_jacobian_names_the_inner_box_by_label(tmp_path):
    path = tmp_path / "root.graph.json"
    fileformat.save(sqrt_graph(), path)
    proc = run_graphcore("eval", str(path), "--groups", timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "group 'root squared': the local derivative of box '√x' (pow) is inf" in proc.stderr


def test_per_sample_without_groups_is_refused(tmp_path, capsys):
    path = tmp_path / "xor.graph.json"
    fileformat.save(xor_grouped(), path)
    assert main(["eval", str(path), "--per-sample"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--per-sample goes with --groups" in err
