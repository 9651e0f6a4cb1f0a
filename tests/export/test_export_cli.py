"""graphcore export GRAPH --to numpy|torch [-o FILE]: stdout or a file; bad input exits 2."""
from __future__ import annotations

import ast

import pytest

from graphcore import fileformat
from graphcore.cli import main
from graphcore.export import export, to_numpy
from graphcore.graph import Graph

from tests.export.graphs import EXAMPLES, logistic


def test_export_to_stdout_and_to_a_file(tmp_path, capsys):
    src = tmp_path / "lr.graph.json"
    fileformat.save(logistic("sgd", 8), src)
    assert main(["export", str(src), "--to", "numpy"]) == 0
    text = capsys.readouterr().out
    ast.parse(text)
    assert text == to_numpy(fileformat.load(src))
    out = tmp_path / "lr_torch.py"
    assert main(["export", str(src), "--to", "torch", "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert "class Model(nn.Module)" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_lesson_exports_to_both(path):
    g = fileformat.load(path)
    for to in ("numpy", "torch"):
        ast.parse(export(g, to))


def test_bad_input_exits_2_with_one_line(tmp_path, capsys):
    assert main(["export", str(tmp_path / "missing.graph.json"), "--to", "numpy"]) == 2
    g = Graph("unwired")
    g.add_node("parameter", "a", value=1.0)
    g.add_node("add", "s")
    g.connect("a", "s", 0)
    bad = tmp_path / "unwired.graph.json"
    fileformat.save(g, bad)
    capsys.readouterr()
    assert main(["export", str(bad), "--to", "numpy"]) == 2
    err = capsys.readouterr().err
    assert "unwired" in err and err.count("\n") == 1
    assert main(["export", str(bad), "--to", "jax"]) == 2
    with pytest.raises(ValueError):
        export(g, "jax")


def test_an_input_without_data_or_value_is_named_as_eval_names_it(tmp_path, capsys):
    """With no data set at all, export must not claim 'the data set has no column': there is
    none. It says what eval says, so the learner gets one message for one problem."""
    g = logistic("sgd", 8)
    g.set_meta("dataset", None)
    src = tmp_path / "nodata.graph.json"
    fileformat.save(g, src)
    assert main(["eval", str(src)]) == 2
    eval_err = capsys.readouterr().err
    for target in ("numpy", "torch"):
        assert main(["export", str(src), "--to", target]) == 2
        err = capsys.readouterr().err
        assert err == eval_err and "has no data" in err and "data set has no column" not in err
