"""Labels, column names and the graph's name are free text: whatever they hold (quotes,
newlines, code, keywords, builtins, the script's own names, duplicates), the exported
scripts still parse, run, and do exactly what the graph says — nothing more."""
from __future__ import annotations

import ast
import builtins
import keyword
import tokenize
from io import StringIO

import pytest

from graphcore.export import to_numpy, to_torch
from graphcore.export.naming import Namer, comment_text, identifier
from graphcore.graph import Graph

from tests.export.export_helpers import assert_first_pass_matches, assert_training_matches, run_scripts

PWN = "__import__('os').system('touch PWNED')"
HOSTILE = [
    PWN, "'; import os; os.system('touch PWNED') #", '"""\nimport os\nos.system("touch PWNED")\n"""',
    "'''\nopen('PWNED', 'w')\n'''", "\nopen('PWNED', 'w')", "x\r\nopen('PWNED','w')", "a\\", "\\\nopen('PWNED','w')",
    "class", "def", "lambda", "None", "True", "match", "print", "len", "sum", "np", "numpy", "math", "json",
    "forward", "backward", "params", "data", "values", "J", "sigmoid", "softmax", "check_finite", "main",
    "train", "PARAMS", "torch", "nn", "Model", "self", "training", "parameters", "zero_grad",
    "w", "w", "w_1", "d_w", "d_w_from_add", "w₁", "w1", "", "1abc", "x\u2028y", "\u202egnp", "nul\x00byte",
    "# [fake-id]", "__class__", "_", "__", "é", "ﬁ", "fi",
]
COLUMNS = ["x'); open('PWNED','w') #", '"""', "y"]


def hostile_graph(labels=HOSTILE, columns=COLUMNS, name='name"""\nopen("PWNED","w")') -> Graph:
    """x_a·p0 + x_b·p1 + p2 + ... through a sigmoid into bce: every label on some box."""
    g = Graph(name)
    g.add_node("input", "xa", column=columns[0], label=labels[-1])
    g.add_node("input", "xb", column=columns[1], label=labels[-2])
    g.add_node("input", "yy", column=columns[2], label=labels[-3])
    acc = None
    for i, label in enumerate(labels):
        p = g.add_node("parameter", f"p{i}", value=0.01 * (i % 7) - 0.02, label=label)
        m = g.add_node("mul", f"m{i}", label=labels[(i + 5) % len(labels)])
        g.connect(p, m, 0)
        g.connect("xa" if i % 2 else "xb", m, 1)
        if acc is None:
            acc = m
        else:
            acc_new = g.add_node("add", f"a{i}", label=labels[(i + 11) % len(labels)])
            g.connect(acc, acc_new, 0)
            g.connect(m, acc_new, 1)
            acc = acc_new
    s = g.add_node("sigmoid", "s", label=labels[0])
    g.connect(acc, s, 0)
    loss = g.add_node("bce", "L", label=labels[1])
    g.connect(s, loss, 0)
    g.connect("yy", loss, 1)
    g.set_meta("loss", loss)
    g.set_meta("output", s)
    g.set_meta("dataset", {"points": {columns[0]: [0.1, 0.5, 0.9, 0.3], columns[1]: [0.7, 0.2, 0.4, 0.8],
                                      columns[2]: [0.0, 1.0, 1.0, 0.0]}})
    g.set_meta("training", {"optimizer": "adam", "lr": 0.05, "epochs": 5, "batch_size": 3, "seed": 2})
    return g


def plain_graph() -> Graph:
    return hostile_graph([f"l{i}" for i in range(len(HOSTILE))], ["c0", "c1", "c2"], "plain")


def shape(text: str) -> list[str]:
    """The script's syntax tree with every name and constant forgotten: what it does."""
    return [type(n).__name__ for n in ast.walk(ast.parse(text))]


@pytest.mark.parametrize("export", [to_numpy, to_torch], ids=["numpy", "torch"])
def test_hostile_text_changes_nothing_but_names_strings_and_comments(export):
    text = export(hostile_graph())
    assert shape(text) == shape(export(plain_graph()))
    # each label stays inside one comment: no comment token holds a line break
    for tok in tokenize.generate_tokens(StringIO(text).readline):
        if tok.type == tokenize.COMMENT:
            assert "\n" not in tok.string and "\r" not in tok.string
    # no call the plain graph's script does not make: no open, no __import__, no system
    calls = {ast.unparse(n.func) for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call)}
    assert not {c for c in calls if "open" in c or "import" in c or "system" in c}


def test_names_are_safe_unique_identifiers():
    namer = Namer()
    names = [namer.take(label, "fallback") for label in HOSTILE]
    assert len(set(names)) == len(names)
    for n in names:
        assert n.isidentifier() and n.isascii() and not keyword.iskeyword(n) and not keyword.issoftkeyword(n)
        assert n not in dir(builtins) and not n.startswith("_")
    assert identifier("w₁") == "w1" and identifier("1abc") == "v_1abc" and identifier("'\n") == ""
    assert comment_text("a\nb\r\u2028\x00") == "a\\nb\\r\\u2028\\x00"


def test_script_locals_never_shadow_what_the_script_uses():
    text = to_numpy(hostile_graph())
    tree = ast.parse(text)
    module_level = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    module_level |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
                     if isinstance(t, ast.Name)}
    module_level |= {"np", "math", "json", "argparse"}
    for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in ("forward", "backward")):
        bound = [t.id for n in ast.walk(fn) if isinstance(n, ast.Assign) for t in n.targets
                 if isinstance(t, ast.Name)]
        assert not set(bound) & module_level, set(bound) & module_level
        assert not set(bound) & set(dir(builtins))


def test_hostile_scripts_run_and_compute_what_the_graph_says(tmp_path):
    g = hostile_graph()
    texts = [to_numpy(g)]
    try:
        import torch  # noqa: F401
        texts.append(to_torch(g))
    except ImportError:  # the numpy half still runs; the torch half needs torch
        pass
    results = run_scripts(texts, tmp_path)
    assert not (tmp_path / "PWNED").exists() and not list(tmp_path.glob("PWN*"))
    for r, tol in zip(results, (1e-9, 1e-6)):
        assert "error" not in r, r
        assert_first_pass_matches(g, r, tol, all_grads=tol == 1e-9)
        assert_training_matches(g, r, tol)
