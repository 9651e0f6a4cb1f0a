"""`graphcore eval` and `graphcore check`: the course's numbers, MiniTorch's Module 1 test functions
through `check`, exit codes, one-line errors without a traceback, and no Qt anywhere."""
import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphcore import cli, fileformat
from graphcore.graph import Graph
from tests.cli.cli_runner import run_graphcore


# --- a tiny builder: Python operators make boxes (test-side only) --------------------------------
class V:
    def __init__(self, g: Graph, node: str):
        self.g, self.node = g, node

    def _box(self, op, *others, attrs=None):
        node = self.g.add_node(op, attrs=attrs)
        for port, v in enumerate((self,) + others):
            self.g.connect(v.node, node, port)
        return V(self.g, node)

    def _v(self, x):
        return x if isinstance(x, V) else V(self.g, self.g.add_node("constant", value=float(x)))

    def __add__(self, o): return self._box("add", self._v(o))
    def __radd__(self, o): return self._v(o)._box("add", self)
    def __sub__(self, o): return self._box("sub", self._v(o))
    def __mul__(self, o): return self._box("mul", self._v(o))
    def __rmul__(self, o): return self._v(o)._box("mul", self)
    def __truediv__(self, o): return self._box("div", self._v(o))
    def __rtruediv__(self, o): return self._v(o)._box("div", self)
    def __neg__(self): return self._box("neg")
    def __lt__(self, o): return self._box("lt", self._v(o))
    def __gt__(self, o): return self._box("gt", self._v(o))
    def eq(self, o): return self._box("eq", self._v(o))
    def __getattr__(self, op):  # v.log(), v.sigmoid(), v.relu(), v.inv(), v.exp() ...
        if op.startswith("_"):
            raise AttributeError(op)
        return lambda **attrs: self._box(op, attrs=attrs or None)


def graph_of(fn, *values):
    g = Graph("minitorch")
    args = [V(g, g.add_node("input", name, value=v)) for name, v in zip("ab", values)]
    out = fn(*args)
    g.set_meta("loss", out.node)
    return g


def run_cli(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def check_json(tmp_path, capsys, graph, *flags):
    path = tmp_path / "g.graph.json"
    fileformat.save(graph, path)
    code, out, err = run_cli(capsys, "check", path, "--json", *flags)
    return code, json.loads(out) if out else None, err


# --- the course's example -----------------------------------------------------------------------
def course_file(tmp_path):
    g = Graph("J = 3(a + bc)")
    a, b, c = (V(g, g.add_node("parameter", n, value=v)) for n, v in (("a", 5.0), ("b", 3.0), ("c", 2.0)))
    J = 3 * (a + b * c)
    g.set_meta("loss", J.node)
    path = tmp_path / "course.graph.json"
    fileformat.save(g, path)
    return path, J.node


def test_course_example_eval_and_check(tmp_path, capsys):
    path, J = course_file(tmp_path)
    code, out, err = run_cli(capsys, "eval", path, "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["cost"] == 33.0 and doc["values"][J] == 33.0
    assert [doc["grads"][k] for k in "abc"] == [3.0, 6.0, 9.0]
    code, doc, _ = check_json(tmp_path, capsys, fileformat.load(path))
    assert code == 0 and doc["ok"] is True
    rows = {r["node"]: r for r in doc["rows"]}
    assert sorted(rows) == ["a", "b", "c"]
    for k, d in zip("abc", (3.0, 6.0, 9.0)):
        assert rows[k]["autodiff"] == d and rows[k]["symbolic"] == d
        assert rows[k]["numerical"] == pytest.approx(d, rel=1e-8) and rows[k]["rel_error"] < 1e-8


def test_eval_text_output_names_cost_and_variables(tmp_path, capsys):
    path, J = course_file(tmp_path)
    code, out, _ = run_cli(capsys, "eval", path)
    assert code == 0 and "cost J = 33" in out
    line_b = next(line for line in out.splitlines() if line.startswith("b "))
    assert line_b.split()[1:] == ["3", "6"]


# --- MiniTorch Module 1's test functions (minitorch/testing.py MathTest), through `graphcore check`
ONE_ARG = {
    "neg": (lambda a: -a, lambda a: -a),
    "addConstant": (lambda a: 5 + a, lambda a: 5 + a),
    "square": (lambda a: a * a, lambda a: a * a),
    "cube": (lambda a: a * a * a, lambda a: a * a * a),
    "subConstant": (lambda a: a - 5, lambda a: a - 5),
    "multConstant": (lambda a: 5 * a, lambda a: 5 * a),
    "div": (lambda a: a / 5, lambda a: a / 5),
    "inv": (lambda a: (a + 3.5).inv(), lambda a: 1 / (a + 3.5)),
    "sig": (lambda a: a.sigmoid(), lambda a: 1 / (1 + math.exp(-a))),
    "log": (lambda a: (a + 100000).log(), lambda a: math.log(a + 100000)),
    "relu": (lambda a: (a + 5.5).relu(), lambda a: max(a + 5.5, 0.0)),
    "exp": (lambda a: (a - 200).exp(), lambda a: math.exp(a - 200)),
    "explog": (lambda a: (a + 100000).log() + (a - 200).exp(), lambda a: math.log(a + 100000) + math.exp(a - 200)),
    "complex": (lambda a: ((((a * 10 + 7).relu() * 6 + 5).relu() * 10).sigmoid()).log() / 50,
                lambda a: math.log(1 / (1 + math.exp(-max(max(a * 10 + 7, 0) * 6 + 5, 0) * 10))) / 50),
}
TWO_ARG = {
    "add2": (lambda a, b: a + b, lambda a, b: a + b),
    "mul2": (lambda a, b: a * b, lambda a, b: a * b),
    "div2": (lambda a, b: a / (b + 5.5), lambda a, b: a / (b + 5.5)),
    "gt2": (lambda a, b: a + 1.2 > b, lambda a, b: float(a + 1.2 > b)),
    "lt2": (lambda a, b: a + 1.2 < b, lambda a, b: float(a + 1.2 < b)),
    "eq2": (lambda a, b: a.eq(b + 5.5), lambda a, b: float(a == b + 5.5)),
}
# kinks and poles of these functions (MiniTorch draws from [-100, 100]; we stay 0.1 away)
KINKS = {"inv": [-3.5], "relu": [-5.5], "complex": [-0.7], "div2": [None, -5.5]}
SMALL = st.floats(-100, 100, allow_nan=False)


def plain_central(f, vals, i, eps=1e-6):
    up, down = list(vals), list(vals)
    up[i] += eps
    down[i] -= eps
    return (f(*up) - f(*down)) / (2 * eps)


def assert_check_agrees(tmp_path, capsys, build, plain, vals):
    code, doc, err = check_json(tmp_path, capsys, graph_of(build, *vals))
    assert code == 0 and doc["ok"] is True, (vals, doc, err)
    rows = {r["node"]: r for r in doc["rows"]}
    assert sorted(rows) == list("ab"[:len(vals)])
    for i, name in enumerate("ab"[:len(vals)]):
        r = rows[name]
        # the CLI's autodiff against our own central difference of MiniTorch's plain function
        ours = plain_central(plain, vals, i)
        assert abs(r["autodiff"] - ours) <= 1e-4 * max(abs(ours), abs(r["autodiff"]), 1e-4) + 1e-9, (name, r, ours)
        assert r["symbolic"] is None or r["symbolic"] == pytest.approx(r["autodiff"], rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", sorted(ONE_ARG))
def test_minitorch_one_argument_functions(tmp_path, capsys, name):
    build, plain = ONE_ARG[name]

    @settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(SMALL.filter(lambda a: all(abs(a - k) > 0.1 for k in KINKS.get(name, []))))
    def prop(a):
        assert_check_agrees(tmp_path, capsys, build, plain, [a])
    prop()


@pytest.mark.parametrize("name", sorted(TWO_ARG))
def test_minitorch_two_argument_functions(tmp_path, capsys, name):
    build, plain = TWO_ARG[name]
    kink_b = KINKS.get(name, [None, None])[1]

    @settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.tuples(SMALL, SMALL).filter(
        lambda ab: (kink_b is None or abs(ab[1] - kink_b) > 0.1) and abs(ab[0] + 1.2 - ab[1]) > 0.1))
    def prop(ab):
        assert_check_agrees(tmp_path, capsys, build, plain, list(ab))
    prop()


def test_minitorch_eq2_on_the_tie_is_one_with_zero_derivative(tmp_path, capsys):
    code, doc, _ = check_json(tmp_path, capsys, graph_of(TWO_ARG["eq2"][0], 7.5, 2.0))
    assert code == 0 and all(r["autodiff"] == 0.0 and r["numerical"] == 0.0 for r in doc["rows"])


def test_check_exits_1_where_autodiff_and_central_difference_disagree(tmp_path, capsys):
    # relu at its kink: backprop says relu'(0) = 0 (as torch), central difference says ½
    code, doc, _ = check_json(tmp_path, capsys, graph_of(lambda a: a.relu(), 0.0))
    assert code == 1 and doc["ok"] is False
    (row,) = doc["rows"]
    assert row["autodiff"] == 0.0 and row["numerical"] == pytest.approx(0.5) and row["rel_error"] > 0.1
    path = tmp_path / "g.graph.json"
    code, out, _ = run_cli(capsys, "check", path)
    assert code == 1 and "disagree" in out


def test_check_with_a_data_set_checks_parameters_not_data_columns(tmp_path, capsys):
    g = Graph()
    x, w = V(g, g.add_node("input", "x", column="x")), V(g, g.add_node("parameter", "w", value=0.3))
    y = V(g, g.add_node("input", "y", column="y"))
    L = (w * x).sigmoid()._box("bce", y)
    g.set_meta("loss", L.node)
    g.set_meta("dataset", {"points": {"x": [0.5, -1.0, 2.0], "y": [1, 0, 1]}})
    code, doc, _ = check_json(tmp_path, capsys, g)
    assert code == 0 and [r["node"] for r in doc["rows"]] == ["w"]
    xs, ys = np.array([0.5, -1.0, 2.0]), np.array([1.0, 0.0, 1.0])
    p = 1 / (1 + np.exp(-0.3 * xs))
    assert doc["rows"][0]["autodiff"] == pytest.approx(((p - ys) * xs).mean(), rel=1e-12)
    code, out, _ = run_cli(capsys, "eval", tmp_path / "g.graph.json", "--json")
    assert json.loads(out)["values"]["x"] == [0.5, -1.0, 2.0]


def test_eval_json_keys_for_a_multi_output_box(tmp_path, capsys):
    g = Graph()
    z0, z1 = (V(g, g.add_node("parameter", n, value=v)) for n, v in (("z0", 1.0), ("z1", -1.0)))
    s = g.add_node("softmax", "s", attrs={"k": 2})
    g.connect("z0", s, 0)
    g.connect("z1", s, 1)
    g.set_meta("loss", "s:1")
    path = tmp_path / "s.graph.json"
    fileformat.save(g, path)
    code, out, _ = run_cli(capsys, "eval", path, "--json")
    doc = json.loads(out)
    assert code == 0 and {"s:0", "s:1"} <= set(doc["values"]) and "s" not in doc["values"]
    s1 = math.exp(-1) / (math.exp(1) + math.exp(-1))
    assert doc["cost"] == pytest.approx(s1, rel=1e-15)
    assert doc["grads"]["z1"] == pytest.approx(s1 * (1 - s1), rel=1e-14)
    assert doc["grads"]["s:0"] == 0.0 and doc["grads"]["s:1"] == 1.0


def test_eval_without_a_loss_gives_values_and_null_cost(tmp_path, capsys):
    g = Graph()
    a = V(g, g.add_node("parameter", "a", value=2.0))
    (a * a).exp()
    path = tmp_path / "n.graph.json"
    fileformat.save(g, path)
    code, out, _ = run_cli(capsys, "eval", path, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["cost"] is None and doc["values"]["exp"] == pytest.approx(math.exp(4))


# --- bad input: exit 2, one clear line, no traceback (a real process each time) -----------------
def write(tmp_path, name, doc):
    p = tmp_path / name
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(p)


def graph_doc(nodes, edges, loss=None):
    d = {"format": "backprop-studio.graph", "version": 1, "nodes": nodes, "edges": edges}
    if loss:
        d["loss"] = loss
    return d


P = {"id": "p", "op": "parameter", "value": -1.0}
BAD = {
    "broken file": ("eval", '{"format": "backprop-studio.graph", "version": 1, "nodes": [', "invalid JSON"),
    "unknown op": ("eval", graph_doc([P, {"id": "q", "op": "frobnicate"}], []), "unknown Function 'frobnicate'"),
    "cycle": ("eval", graph_doc([P, {"id": "a", "op": "add"}, {"id": "b", "op": "exp"}],
                                [{"src": "p", "dst": "a", "port": 0}, {"src": "b", "dst": "a", "port": 1},
                                 {"src": "a", "dst": "b", "port": 0}]), "cycle"),
    "unwired port": ("eval", graph_doc([P, {"id": "m", "op": "mul"}], [{"src": "p", "dst": "m", "port": 0}], "m"),
                     "box 'm' (mul) has an unwired input port: 1 (b)"),
    "domain error": ("eval", graph_doc([P, {"id": "L", "op": "log"}], [{"src": "p", "dst": "L", "port": 0}], "L"),
                     "box 'L' (log): log of -1"),
    "domain error in check": ("check", graph_doc([P, {"id": "L", "op": "log"}],
                                                 [{"src": "p", "dst": "L", "port": 0}], "L"), "log of -1"),
    "unknown version": ("eval", {"format": "backprop-studio.graph", "version": 99, "nodes": [], "edges": []},
                        "version 99"),
    "no loss to check": ("check", graph_doc([P], []), "names no loss"),
}


def run_process(*argv):
    return run_graphcore(*argv)


def assert_one_line_exit_2(proc, words):
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    lines = proc.stderr.strip("\n").split("\n")
    assert len(lines) == 1, proc.stderr
    assert words in lines[0], lines[0]


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_exits_2_with_one_line(tmp_path, case):
    verb, doc, words = BAD[case]
    assert_one_line_exit_2(run_process(verb, write(tmp_path, "bad.graph.json", doc)), words)


@pytest.mark.parametrize("argv,words", [
    (["eval"], "the following arguments are required: graph"),
    ([], "no command given"),
    (["frob"], "invalid choice"),
    (["eval", "G", "--bogus"], "unrecognized arguments: --bogus"),
    (["check", "G", "--eps", "abc"], "invalid float value"),
    (["check", "G", "--eps", "-1"], "--eps must be"),
    (["check", "G", "--eps", "inf"], "--eps must be"),
    (["check", "G", "--eps", "nan"], "--eps must be"),
    (["eval", "missing.graph.json"], "cannot read"),
    (["eval", "G", "--data", "missing.csv"], "cannot read"),
    (["eval", "G", "--data", "BADCSV"], "line 2"),
])
def test_bad_flags_and_paths_exit_2_with_one_line(tmp_path, argv, words):
    good = write(tmp_path, "g.graph.json", graph_doc([{"id": "x", "op": "input", "column": "x"},
                                                       {"id": "e", "op": "exp"}], [{"src": "x", "dst": "e", "port": 0}],
                                                      "e"))
    bad_csv = write(tmp_path, "bad.csv", "x\nnot-a-number\n")
    argv = [good if a == "G" else bad_csv if a == "BADCSV" else str(tmp_path / a) if a.startswith("missing") else a
            for a in argv]
    assert_one_line_exit_2(run_process(*argv), words)


def test_good_input_through_a_real_process(tmp_path):
    path, _ = course_file(tmp_path)
    proc = run_process("eval", str(path), "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["cost"] == 33.0 and proc.stderr == ""


# --- no Qt --------------------------------------------------------------------------------------
def test_graphcore_and_its_cli_import_no_qt(tmp_path):
    path, _ = course_file(tmp_path)
    code = f"""
import sys, io, contextlib
import graphcore, graphcore.cli, graphcore.randgraph, graphcore.gradcheck
with contextlib.redirect_stdout(io.StringIO()):
    assert graphcore.cli.main(["eval", {str(path)!r}, "--json"]) == 0
    assert graphcore.cli.main(["check", {str(path)!r}]) == 0
    graphcore.cli.build_parser()
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2",
                                                           "pyqtgraph", "gui"))
print(qt)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
