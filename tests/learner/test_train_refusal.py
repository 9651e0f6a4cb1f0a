"""Train refuses a learner Function whose local derivative fails its check — decided in one
place (graphcore.learner), so the Trainer, ``graphcore train`` and the window say the same."""
from __future__ import annotations

import json

import pytest

from graphcore import cli, fileformat, learner
from graphcore.training import Trainer
from tests.learner.learner_helpers import SWISH, xor_with

WRONG = dict(SWISH, derivatives={"x": "sigmoid(x)"})  # forgot the product rule


def test_the_trainer_refuses_with_the_verdict_naming_the_boxes():
    graph = fileformat.from_dict(xor_with(WRONG))
    with pytest.raises(learner.UncheckedFunctionError) as exc:
        Trainer(graph)
    text = str(exc.value)
    assert text.startswith("Train refuses your Function my_swish: ✘ at x = ")
    assert "your derivative gives" in text and "symbolic" in text and "central difference" in text
    assert set(exc.value.nodes) == {n for n in graph.nodes() if graph.op(n) == "my_swish"}
    assert text == learner.train_refusal(graph)[0]  # the one rule's words


def test_graphcore_train_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "wrong.graph.json"
    path.write_text(json.dumps(xor_with(WRONG)), encoding="utf-8")
    out_path = tmp_path / "trained.graph.json"
    code = cli.main(["train", str(path), "--epochs", "3", "-o", str(out_path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("graphcore: error: Train refuses your Function my_swish: ✘ at x = ")
    assert err.count("\n") == 1 and "central difference" in err
    assert not out_path.exists()


def test_graphcore_train_trains_a_correct_one_and_graphcore_export_reproduces_its_cost(tmp_path, capsys):
    from tests.export.export_helpers import run_scripts
    path = tmp_path / "good.graph.json"
    path.write_text(json.dumps(xor_with(SWISH)), encoding="utf-8")
    code = cli.main(["train", str(path), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert result["accuracy"] >= 0.95
    script = tmp_path / "xor_swish.py"
    assert cli.main(["export", str(path), "--to", "numpy", "-o", str(script)]) == 0
    (exported,) = run_scripts([script.read_text(encoding="utf-8")], tmp_path, timeout=300)
    assert abs(exported["cost"] - result["cost"]) <= 1e-9
