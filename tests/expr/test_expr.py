"""graphcore.expr: expressions become graphs through a whitelist; everything else is refused
with a message that points at the column; nothing is ever evaluated."""
from __future__ import annotations

import json

import numpy as np
import pytest

from graphcore import fileformat
from graphcore.engine import compile_graph
from graphcore.expr import ExprError, from_expr
from tests.cli.cli_runner import run_graphcore


def test_logistic_regression_expression():
    g = from_expr("sigmoid(w1*x1 + w2*x2 + b)")
    ops = {n: g.op(n) for n in g.nodes()}
    assert [n for n, op in ops.items() if op == "input"] == ["x1", "x2"]
    assert [n for n, op in ops.items() if op == "parameter"] == ["w1", "w2", "b"]
    assert sorted(op for op in ops.values() if op not in ("input", "parameter")) == \
        ["add", "add", "mul", "mul", "sigmoid"]
    assert g.op(g.meta["output"]) == "sigmoid" and g.meta["loss"] is None
    assert g.column("x1") == "x1"
    # laid out left to right: every arrow points right
    assert all(g.layout[e.src][0] < g.layout[e.dst][0] for e in g.edges())


def test_same_name_is_one_box_and_constants_become_constant_boxes():
    g = from_expr("3*(a + b*c) + a")
    assert [g.op(n) for n in g.nodes()].count("parameter") == 3
    assert len(g.outputs_of("a")) == 2  # fan-out
    consts = [n for n in g.nodes() if g.op(n) == "constant"]
    assert [g.value(n) for n in consts] == [3.0]
    assert "c" in g and g.op("c") == "parameter"  # the name keeps its id; the constant takes another


def test_operators_map_to_functions():
    g = from_expr("x1**2 + x1**3 - a/b + -c + max(a, b) + (a < b) + leaky_relu(a, 0.2) + pow(a, 0.5)")
    ops = [g.op(n) for n in g.nodes()]
    for op in ("square", "pow", "div", "neg", "max", "lt", "leaky_relu", "sub"):
        assert op in ops, op
    assert sorted(g.attrs(n)["exponent"] for n in g.nodes() if g.op(n) == "pow") == [0.5, 3.0]
    assert [g.attrs(n)["slope"] for n in g.nodes() if g.op(n) == "leaky_relu"] == [0.2]


def test_a_loss_root_becomes_the_loss_and_its_prediction_the_output():
    g = from_expr("mean(bce(sigmoid(w*x1 + b), y))")
    assert g.op(g.meta["loss"]) == "mean" and g.op(g.meta["output"]) == "sigmoid"
    assert g.op("y") == "input"
    g = from_expr("cross_entropy(a*x1, b*x2, c, y)")
    assert g.op(g.meta["loss"]) == "cross_entropy" and g.attrs(g.meta["loss"])["k"] == 3


def test_inputs_can_be_named():
    g = from_expr("a*t + b", inputs=["t"])
    assert g.op("t") == "input" and g.op("a") == "parameter" and g.op("b") == "parameter"


def test_starting_values_are_seeded_and_documented_range():
    a, b = from_expr("p*q + r", seed=5), from_expr("p*q + r", seed=5)
    assert fileformat.dumps(a) == fileformat.dumps(b)
    values = [a.value(n) for n in ("p", "q", "r")]
    assert all(-1 <= v < 1 and round(v, 2) == v for v in values)
    assert values != [from_expr("p*q + r", seed=6).value(n) for n in ("p", "q", "r")]


@pytest.mark.parametrize("text, col, words", [
    ("x1 + os.system(1)", 6, "attribute access"),
    ("w.x", 1, "attribute access"),
    ("__import__('os')", 1, "unknown Function '__import__'"),
    ("x1 + foo(2)", 6, "unknown Function 'foo'"),
    ("(lambda: 1)", 2, "lambda"),
    ("a + [x for x in b]", 5, "comprehensions"),
    ("a + (x for x in b)", 5, "comprehensions"),
    ("a[0]", 1, "subscripts"),
    ("exp(a, y=1)", 10, "keyword arguments"),
    ("a + 'text'", 5, "strings"),
    ("a if b else c", 1, "conditional"),
    ("a and b", 1, "'and' / 'or'"),
    ("a ** b", 6, "exponent of ** must be a number"),
    ("a % 2", 1, "operator %"),
    ("a < b < c", 1, "one comparison"),
    ("exp(a, b)", 1, "exp takes 1 argument, not 2"),
    ("softmax(a, b)", 1, "several outputs"),
    ("sigmoid", 1, "'sigmoid' is a Function"),
    ("a +* b", 4, "invalid syntax"),
    ("θθ + w.x", 6, "attribute access"),  # columns count characters, not bytes
    ("  a + b.c", 7, "attribute access"),
    ("a + True", 5, "True"),
    ("1e999 * a", 1, "finite"),
])
def test_refusals_point_at_the_column(text, col, words):
    with pytest.raises(ExprError) as info:
        from_expr(text)
    msg = str(info.value)
    assert msg.startswith(f"col {col}: "), msg
    assert words in msg
    assert "\n" not in msg


def test_refusal_on_a_later_line_names_the_line():
    with pytest.raises(ExprError, match=r"^line 2, col 2: attribute access"):
        from_expr("(a +\n b.c)")


def test_never_evaluated(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for text in ("open('PWNED', 'w')", "__import__('os').system('touch PWNED')", "exec('1')", "eval('1')"):
        with pytest.raises(ExprError):
            from_expr(text)
    assert not (tmp_path / "PWNED").exists()


def test_bad_input_is_one_line():
    for bad in ("", "   ", "a" * 20_000, "a\0b", "(" * 500 + "a" + ")" * 500):
        with pytest.raises(ExprError) as info:
            from_expr(bad)
        assert "\n" not in str(info.value)


def test_from_expr_cli(tmp_path):
    out = tmp_path / "g.graph.json"
    run = run_graphcore("from-expr", "sigmoid(w*t + b)", "--inputs", "t",
                          "-o", str(out))
    assert run.returncode == 0, run.stderr
    g = fileformat.load(out)
    assert g.op("t") == "input" and g.op("w") == "parameter"
    run = run_graphcore("from-expr", "square(a) + 1")
    assert run.returncode == 0
    doc = json.loads(run.stdout)
    assert {n["op"] for n in doc["nodes"]} == {"parameter", "square", "constant", "add"}
    run = run_graphcore("from-expr", "a.b")
    assert run.returncode == 2 and run.stderr.strip() == "graphcore: error: col 1: attribute access is not allowed"
    assert "Traceback" not in run.stderr


def test_expression_graph_evaluates_like_the_expression():
    g = from_expr("tanh(a*x1) * exp(-b) + s", inputs=["x1", "s"])
    rng = np.random.default_rng(0)
    data = {"x1": rng.normal(size=9), "s": rng.normal(size=9)}
    ev = compile_graph(g).run(data, backward=False)
    a, b = g.value("a"), g.value("b")
    want = np.tanh(a * data["x1"]) * np.exp(-b) + data["s"]
    np.testing.assert_allclose(ev.value(g.meta["output"]), want, rtol=1e-12)


def test_from_expr_refuses_a_negative_seed_naming_the_flag(capsys):
    from graphcore import cli
    assert cli.main(["from-expr", "w*x1", "--seed", "-1"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.strip() == "graphcore from-expr: error: --seed must be ≥ 0, not -1"


@pytest.mark.parametrize("inputs,unused", [("x,z", "'z'"), ("x,1x", "'1x'"), ("q,x,r", "'q', 'r'")])
def test_from_expr_refuses_inputs_the_expression_does_not_use(capsys, inputs, unused):
    """A typo in --inputs (x,z for an expression in x and t) must not pass silently: the
    meant input would stay a trainable parameter."""
    from graphcore import cli
    assert cli.main(["from-expr", "w*x + t", "--inputs", inputs]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.strip() == (f"graphcore from-expr: error: --inputs names {unused}, "
                                         "which the expression does not use")


def test_from_expr_inputs_that_are_all_used_are_accepted(capsys):
    from graphcore import cli
    assert cli.main(["from-expr", "  w*x + t", "--inputs", "t, x"]) == 0
    out, err = capsys.readouterr()
    ops = {n["id"]: n["op"] for n in json.loads(out)["nodes"]}
    assert err == "" and ops["t"] == ops["x"] == "input" and ops["w"] == "parameter"
