"""Round trip: expression → graph → exported numpy script computes what the expression
means, evaluated here directly with numpy on random inputs (the test's own evaluation)."""
from __future__ import annotations

import numpy as np

from graphcore.export import to_numpy
from graphcore.expr import from_expr

from tests.export.export_helpers import assert_first_pass_matches, assert_training_matches, run_scripts


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


# numpy meanings of the Functions the expressions use (written for this test, not the app's code)
NUMPY = {"sigmoid": _sig, "tanh": np.tanh, "exp": np.exp, "log": np.log, "sin": np.sin, "cos": np.cos,
         "abs": np.abs, "relu": lambda x: np.maximum(x, 0), "max": np.maximum, "min": np.minimum,
         "softplus": lambda x: np.log1p(np.exp(x)), "square": lambda x: x * x, "inv": lambda x: 1 / x,
         "leaky_relu": lambda x, s=0.01: np.where(x > 0, x, s * x), "pow": np.power,
         "squared_error": lambda a, b: (a - b) ** 2, "neg": np.negative}

EXPRESSIONS = [
    "sigmoid(w1*x1 + w2*x2 + b)",
    "3*(a + b*c)",
    "x1**2 - 2.5*x1*x2 + x2**3",
    "tanh(a*x1) / (1 + exp(-b*x2)) - -c",
    "max(x1, x2) * min(a, x1) + abs(x1 - x2) + relu(x2 - 0.5)",
    "log(softplus(x1) + 1) * sin(a*x2) + cos(x1) ** 2",
    "leaky_relu(x1 - x2, 0.2) + pow(abs(x1) + 1, 1.5) + inv(x2 + 3)",
    "squared_error(w*x1 + b, x2) + (x1 < x2) * a",
]


def test_expression_graph_export_computes_the_expression(tmp_path):
    rng = np.random.default_rng(42)
    graphs, inputs = [], []
    for text in EXPRESSIONS:
        g = from_expr(text)
        cols = {"x1": rng.uniform(-1, 1, 25), "x2": rng.uniform(-1, 1, 25)}
        used = {g.column(n) for n in g.inputs()}
        g.set_meta("dataset", {"points": {c: cols[c].tolist() for c in sorted(used)}} if used else None)
        mean = g.add_node("mean")  # a cost, so the export writes backward and trains too
        g.connect(g.meta["output"], mean, 0)
        g.set_meta("loss", mean)
        g.set_meta("training", {"optimizer": "sgd", "lr": 0.01, "epochs": 3})
        graphs.append(g)
        inputs.append(cols)
    results = run_scripts([to_numpy(g) for g in graphs], tmp_path)
    for text, g, cols, r in zip(EXPRESSIONS, graphs, inputs, results):
        assert "error" not in r, (text, r)
        env = dict(NUMPY)
        env.update({n: g.value(n) for n in g.parameters()})
        env.update({n: cols[g.column(n)] for n in g.inputs()})
        want = eval(compile(text, "<test expression>", "eval"), {"__builtins__": {}}, env)  # noqa: S307
        got = np.asarray(r["first"]["values"][g.meta["output"]])
        np.testing.assert_allclose(got, np.broadcast_to(want, got.shape), rtol=1e-12, atol=1e-12, err_msg=text)
        assert_first_pass_matches(g, r, 1e-9)
        if g.parameters():  # an expression of inputs alone has nothing to train
            assert_training_matches(g, r, 1e-9)
