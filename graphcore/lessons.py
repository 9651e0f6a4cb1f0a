"""The ready-made lessons, built from boxes by code and saved as ``assets/examples/*.graph.json``.

    python -m graphcore.lessons          # rewrite the files
    python -m graphcore.lessons --check  # exit 1 if a file is not what this code builds

Each lesson carries its data set and a ``training`` block chosen so that
``graphcore train FILE`` reaches the lesson's goal (see the README's table).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from . import fileformat
from .builder import GraphBuilder, mlp
from .graph import Graph
from .group_layout import layout_groups
from .groups import groups_of
from .layout import apply_layout

EXAMPLES = Path(__file__).resolve().parent.parent / "assets" / "examples"


def _generated(name: str, n: int = 100, seed: int = 0) -> dict:
    return {"generator": name, "n": n, "seed": seed, "noise": 0.0, "test_fraction": 0.0}


def logistic_regression() -> Graph:
    """The seed's linear model m(x; w, b) = x₁·w₁ + x₂·w₂ + b, a sigmoid and binary
    cross-entropy: logistic regression on the ``simple`` data set (y = 1 when x₁ < 0.5).
    Data seed 202 leaves a margin of 0.02 on both sides of x₁ = 0.5, so a straight
    line can separate every point soon (with seed 0 the nearest point sits 0.0001 away)."""
    b = GraphBuilder("logistic regression")
    b.input("x1", "x1", label="x₁", at=(0, 0))
    b.input("x2", "x2", label="x₂", at=(0, 2))
    b.parameter("w1", 0.5, label="w₁", at=(0, 1))
    b.parameter("w2", -0.5, label="w₂", at=(0, 3))
    b.box("mul", "x1", "w1", id="m1", label="x₁w₁", at=(1, 0.5))
    b.box("mul", "x2", "w2", id="m2", label="x₂w₂", at=(1, 2.5))
    b.box("add", "m1", "m2", id="s", label="s", at=(2, 1.5))
    b.parameter("b", 0.0, label="b", at=(2, 3))
    b.box("add", "s", "b", id="z", label="m", at=(3, 2))
    b.box("sigmoid", "z", id="p", label="ŷ", at=(4, 2))
    b.input("y", "y", label="y", at=(4, 3.5))
    b.box("bce", "p", "y", id="L", label="L", at=(5, 2.5))
    b.meta(loss="L", output="p", dataset=_generated("simple", 100, 202),
           training={"optimizer": "adam", "lr": 0.1, "epochs": 200, "batch_size": None, "seed": 0})
    return b.graph


def ng_computation_graph() -> Graph:
    """The course's first computation graph: J = 3(a + bc) with a = 5, b = 3, c = 2,
    in three steps u = bc, v = a + u, J = 3v."""
    b = GraphBuilder("J = 3(a + bc)")
    b.input("a", value=5.0, label="a", at=(0, 0))
    b.input("b", value=3.0, label="b", at=(0, 1.5))
    b.input("c", value=2.0, label="c", at=(0, 2.5))
    b.box("mul", "b", "c", id="u", label="u", at=(1, 2))
    b.box("add", "a", "u", id="v", label="v", at=(2, 1))
    b.constant("three", 3.0, label="3", at=(2, 2.5))
    b.box("mul", "v", "three", id="J", label="J", at=(3, 1.5))
    b.meta(loss="J")
    return b.graph


def sin2x() -> Graph:
    """f(x) = sin(2x) at x = 0.5, for the derivative at a point: f'(x) = 2·cos(2x)."""
    b = GraphBuilder("f(x) = sin(2x)")
    b.constant("two", 2.0, label="2", at=(0, 0))
    b.input("x", value=0.5, label="x", at=(0, 1))
    b.box("mul", "two", "x", id="t", label="t", at=(1, 0.5))
    b.box("sin", "t", id="f", label="f", at=(2, 0.5))
    b.meta(loss="f")
    return b.graph


def x_squared() -> Graph:
    """f(x) = x² at x = 3 as x·x: the one Variable x feeds both ports of the product, so
    its gradient is the sum of two contributions, x + x = 2x (the copy gate)."""
    b = GraphBuilder("f(x) = x²")
    b.input("x", value=3.0, label="x", at=(0, 0))
    b.box("mul", "x", "x", id="f", label="f", at=(1, 0))
    b.meta(loss="f")
    return b.graph


def collapsed_layers(g: Graph) -> Graph:
    """A network as a learner first meets it: each layer one collapsed box (its neurons
    collapsed inside it, one column), laid out with groups as units (graphcore.group_layout)."""
    groups = groups_of(g)
    for name in groups.names():
        groups.set_collapsed(name, True)
    apply_layout(g, layout_groups(g))
    return g


def xor_network() -> Graph:
    """2 → 10 relu → 1 sigmoid, binary cross-entropy, on xor (n = 100); one group per layer."""
    return collapsed_layers(mlp(
        ["x1", "x2"], [10], "relu", "bce", seed=0, name="xor network", dataset=_generated("xor"), groups=True,
        training={"optimizer": "momentum", "lr": 0.1, "epochs": 500, "batch_size": None, "seed": 0}))


def circle_network() -> Graph:
    """2 → 10 relu → 1 sigmoid, binary cross-entropy, on circle (n = 100); one group per layer."""
    return collapsed_layers(mlp(
        ["x1", "x2"], [10], "relu", "bce", seed=0, name="circle network", dataset=_generated("circle"),
        groups=True, training={"optimizer": "momentum", "lr": 0.1, "epochs": 800, "batch_size": None, "seed": 0}))


def relu_bump() -> Graph:
    """Two relus make a bump: z(x₁) = v₁·relu(w₁x₁ + b₁) + v₂·relu(w₂x₁ + b₂) + c. With
    v₂ ≈ −2v₁ the second relu bends the rising ramp of the first back down, a tent; the
    sigmoid turns it into "y = 1 only in the middle" (the course's effective-dose
    example). The 100 points are inline (as if clicked in): y = 1 when 0.3 < x₁ < 0.7."""
    g = mlp(["x1"], [2], "relu", "bce", seed=0, name="two relus make a bump")
    g.set_values({"w1_1_1": 1.0, "b1_1": -0.2, "w1_2_1": 1.0, "b1_2": -0.6, "w2_1_1": 1.0, "w2_1_2": -1.0,
                  "b2_1": 0.0})
    rng = np.random.default_rng(7)
    x = np.round(rng.random((100, 2)), 3)
    y = ((x[:, 0] > 0.3) & (x[:, 0] < 0.7)).astype(float)
    g.set_meta("dataset", {"points": {"x1": x[:, 0].tolist(), "x2": x[:, 1].tolist(), "y": y.tolist()},
                           "test_fraction": 0.0})
    g.set_meta("training", {"optimizer": "adam", "lr": 0.05, "epochs": 600, "batch_size": None, "seed": 0})
    return g


def spiral3_softmax() -> Graph:
    """A three-class softmax classifier on spiral3: 2 → 16 relu → 3 logits, cross-entropy; one group per layer."""
    return collapsed_layers(mlp(
        ["x1", "x2"], [16], "relu", "cross_entropy", classes=3, seed=0, name="spiral3 softmax classifier",
        dataset=_generated("spiral3", 150), groups=True,
        training={"optimizer": "adam", "lr": 0.05, "epochs": 1200, "batch_size": None, "seed": 0}))


LESSONS = {f.__name__: f for f in (logistic_regression, ng_computation_graph, sin2x, x_squared, xor_network,
                                   circle_network, relu_bump, spiral3_softmax)}


def _deep_narrow(activation: str, name: str) -> Graph:
    """2 → six hidden layers of 4 → 1 sigmoid, bce, on ``simple``; grouped by layer (Insert ▸
    Network's names). Plain SGD with momentum, so a step is as small as its gradient: with
    sigmoid (σ′ ≤ ¼) dJ/dW shrinks about tenfold per layer back from the output and the
    first layers barely move; the relu twin's does not shrink and it learns."""
    from .network import NetworkSpec, build_network
    g = build_network(NetworkSpec(["x1", "x2"], [4] * 6, [activation], "sigmoid_bce", seed=3, name=name))
    g.set_meta("dataset", _generated("simple"))
    g.set_meta("training", {"optimizer": "momentum", "lr": 0.1, "epochs": 150, "batch_size": None, "seed": 0})
    return collapsed_layers(g)


def vanishing_gradients() -> Graph:
    return _deep_narrow("sigmoid", "vanishing gradients")


def vanishing_gradients_relu() -> Graph:
    return _deep_narrow("relu", "vanishing gradients (relu)")


LESSONS.update({f.__name__: f for f in (vanishing_gradients, vanishing_gradients_relu)})


# Each classifier lesson's goal (the README's table): the training accuracy to reach, and
# whether it must be exceeded rather than met. Keyed by the graph name the lesson gives.
GOALS = {"logistic regression": (1.0, False), "xor network": (0.95, False), "circle network": (0.95, False),
         "two relus make a bump": (0.95, False), "spiral3 softmax classifier": (0.9, True)}
GOALS["vanishing gradients (relu)"] = (0.95, False)  # its sigmoid twin has none: it is not meant to learn


def goal_of(graph: Graph) -> dict | None:
    """The lesson's goal for this graph, ``{"accuracy": a, "above": bool}``; None if it has none."""
    goal = GOALS.get(graph.meta.get("name"))
    return None if goal is None else {"accuracy": goal[0], "above": goal[1]}


def goal_met(goal: dict, accuracy) -> bool:
    if accuracy is None:
        return False
    return accuracy > goal["accuracy"] if goal["above"] else accuracy >= goal["accuracy"]

def path_of(name: str, folder: Path = EXAMPLES) -> Path:
    return Path(folder) / f"{name}.graph.json"


def write_all(folder: Path = EXAMPLES) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in LESSONS.items():
        fileformat.save(build(), path_of(name, folder))
        paths.append(path_of(name, folder))
    return paths


def stale(folder: Path = EXAMPLES) -> list[str]:
    """Lessons whose file is missing or differs from what this code builds."""
    out = []
    for name, build in LESSONS.items():
        p = path_of(name, folder)
        if not p.exists() or p.read_text(encoding="utf-8") != fileformat.dumps(build()):
            out.append(name)
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--check" in argv:
        bad = stale()
        for name in bad:
            print(f"{path_of(name)} is not current: run python -m graphcore.lessons", file=sys.stderr)
        return 1 if bad else 0
    for p in write_all():
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
