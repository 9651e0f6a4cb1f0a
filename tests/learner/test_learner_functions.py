"""The learner's own Functions: checked three ways from the command line, refused in one line
when the text is outside the whitelist, saved in graph files as expressions, and run by the
engine, training and the numpy export like a built-in Function."""
from __future__ import annotations

import json

import numpy as np
import pytest

from graphcore import cli, fileformat, stepthrough
from graphcore import functions as F
from graphcore.export import to_numpy
from graphcore.training import Trainer
from tests.export.export_helpers import run_scripts
from tests.learner.learner_helpers import SWISH, xor_with


def check(capsys, *argv):
    code = cli.main(["function", "check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_correct_derivative_passes_all_three(capsys):
    code, out, err = check(capsys, "x*sigmoid(x)", "--derivative", "sigmoid(x)*(1 + x*(1 - sigmoid(x)))")
    assert code == 0 and err == ""
    assert "✔" in out and "agree at 24 points" in out


def test_a_wrong_derivative_names_the_point_and_the_three_values(capsys):
    code, out, _ = check(capsys, "x*sigmoid(x)", "--derivative", "sigmoid(x)", "--json")
    assert code == 1
    v = json.loads(out)
    x = v["point"]["x"]
    s = 1 / (1 + np.exp(-x))
    assert v["ok"] is False and v["port"] == "x"
    assert v["yours"] == pytest.approx(s, rel=1e-12)
    assert v["symbolic"] == pytest.approx(s * (1 + x * (1 - s)), rel=1e-12)
    assert v["central_difference"] == pytest.approx(v["symbolic"], rel=1e-6)
    assert v["verdict"] == (f"at x = {x:g} your derivative gives {v['yours']:.4g}, symbolic {v['symbolic']:.4g}, "
                            f"central difference {v['central_difference']:.4g}")


def test_two_ports_named_derivatives(capsys):
    code, out, _ = check(capsys, "a*b + sin(a)", "-d", "a=b + cos(a)", "-d", "b=a")
    assert code == 0, out
    code, out, _ = check(capsys, "a*b + sin(a)", "-d", "a=b + cos(a)", "-d", "b=b")
    assert code == 1 and "your derivative for b gives" in out


@pytest.mark.parametrize("argv, words", [
    (["x.real", "-d", "1"], "'.' is not allowed"),
    (["__import__('os').system('x')", "-d", "1"], "is not allowed"),
    (["x*2", "-d", "open(x)"], "only the math functions"),
    (["x*2", "-d", "lambda: 1"], "'lambda' is not allowed"),
    (["a*b", "-d", "a=b", "-d", "z=1"], "a derivative for the port 'z', which it does not have"),
    (["x*2", "-d", "2", "--name", "tanh"], "'tanh' is a built-in Function"),
    (["log(-1 - x*x)", "-d", "1"], "not a finite number anywhere on the test range"),
    (["x + y", "-d", "1"], "1 local derivative(s) for 2 port(s)"),
    (["x", "-d", "1", "-d", "0", "--ports", "x,y"], "the forward does not use the port 'y'"),
    (["x" + " + x" * 300, "-d", "1"], "longer than"),
    (["x + exp", "-d", "1", "--ports", "x"], "unknown name 'exp'"),  # a math function is no Variable
])
def test_bad_input_is_refused_in_one_line(capsys, argv, words):
    code, out, err = check(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("graphcore: error: ") and err.count("\n") == 1 and words in err, err
    assert "my_swish" not in F.CATALOGUE and "mine" not in F.CATALOGUE  # nothing registered


def test_learner_swish_trains_xor_and_its_numpy_export_reproduces_the_cost(tmp_path):
    graph = fileformat.from_dict(xor_with(SWISH))
    assert sum(graph.op(n) == "my_swish" for n in graph.nodes()) == 10
    result = Trainer(graph).train()
    assert result["status"] == "done" and result["accuracy"] >= 0.95, result
    script = to_numpy(graph)
    assert "sigmoid(z11) * (1 + z11 * (1 - sigmoid(z11))) * d_h11" in script  # the learner's own derivative
    (exported,) = run_scripts([script], tmp_path, timeout=300)
    assert abs(exported["cost"] - result["cost"]) <= 1e-9
    # saved as expressions, and read back the same
    path = tmp_path / "xor_swish.graph.json"
    fileformat.save(graph, path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["functions"] == [SWISH]
    again = fileformat.load(path)
    assert fileformat.to_dict(again)["functions"] == [SWISH]


def test_learner_function_in_the_step_through_and_check(tmp_path, capsys):
    graph = fileformat.from_dict(xor_with(SWISH))
    seq = stepthrough.build(graph, {"x1": np.array([1.0]), "x2": np.array([0.0]), "y": np.array([1.0])})
    text = stepthrough.transcript(seq)
    assert "my_swish(x) = x · σ(x)" in text
    z = stepthrough.display_name(graph, "z1_1")
    assert f"σ({z}) · (1 + {z} · (1 − σ({z})))" in text  # the learner's derivative, in the chain rule
    path = tmp_path / "g.graph.json"
    fileformat.save(graph, path)
    assert cli.main(["check", str(path)]) == 0
    assert "your Function my_swish: ✔" in capsys.readouterr().out
    wrong = dict(SWISH, derivatives={"x": "sigmoid(x)"})
    del graph, seq  # closed: the name may be defined anew
    fileformat.save(fileformat.from_dict(xor_with(wrong)), path)
    assert cli.main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "your Function my_swish: ✘ at x = " in out and "central difference" in out


@pytest.mark.parametrize("change, words", [
    ({"forward": "x.__class__"}, "'.' is not allowed"),
    ({"name": "sigmoid"}, "'sigmoid' is a built-in Function"),
    ({"derivatives": {"x": "1", "q": "2"}}, "a derivative for the port 'q'"),
    ({"code": "print(1)"}, "unknown key 'code'"),
])
def test_a_bad_functions_block_is_refused_naming_it(change, words):
    doc = xor_with(dict(SWISH, **change))
    with pytest.raises(fileformat.FileFormatError) as exc:
        fileformat.from_dict(doc)
    assert str(exc.value).startswith("'functions': ") and words in str(exc.value)
    assert "my_swish" not in F.CATALOGUE


def test_the_torch_export_contains_the_learner_function_and_matches_the_app(tmp_path):
    from graphcore.export import to_torch
    from tests.export.export_helpers import assert_first_pass_matches
    doc = xor_with(SWISH)
    doc["training"]["epochs"] = 5
    graph = fileformat.from_dict(doc)
    script = to_torch(graph)
    assert "z11 * torch.sigmoid(z11)" in script
    (result,) = run_scripts([script], tmp_path, timeout=300)
    assert_first_pass_matches(graph, result, 1e-9, all_grads=False)


def test_a_file_refused_after_its_functions_block_leaves_no_function_behind():
    doc = xor_with(SWISH)
    doc["edges"].append({"src": "nowhere", "dst": "L", "port": 0})
    with pytest.raises(fileformat.FileFormatError):
        fileformat.from_dict(doc)
    assert "my_swish" not in F.CATALOGUE


def test_a_redefined_learner_function_is_not_served_stale_by_the_fast_path():
    """A second file may define the same name differently: every place uses the new one."""
    from tests.perf.fastpath_helpers import assert_identical, reference
    from graphcore import engine
    data = {"x1": np.array([0.5, -1.0, 2.0]), "x2": np.array([1.0, 0.0, -0.5]), "y": np.array([1.0, 0.0, 1.0])}
    first = fileformat.from_dict(xor_with(SWISH))
    engine.compile_graph(first).run(data)
    del first  # no longer open: its name may be defined anew (while open it may not: test_name_clashes)
    other = dict(SWISH, forward="tanh(x)", derivatives={"x": "1 - out*out"})
    second = fileformat.from_dict(xor_with(other))
    plan = engine.compile_graph(second)
    plan.fuse = False  # the compiled kernel box by box: bit for bit with the reference loop
    ev = plan.run(data)
    assert_identical(ev, reference(plan, data))
    plan.fuse = True  # dense blocks as matmuls: #18's 1e-12, the gradients and the values alike
    fused = plan.run(data)
    for key, a, b in zip(plan.keys, fused.values, ev.values):
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12 * max(1.0, float(np.max(np.abs(b)))), err_msg=key)
    z = ev.value("z1_1")
    np.testing.assert_allclose(ev.value("h1_1"), np.tanh(z), rtol=1e-15)
