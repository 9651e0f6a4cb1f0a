"""Graphs the export tests share: the lessons, a hand-built logistic regression with every
optimizer, and random graphs over the whole catalogue with data and a training block."""
from __future__ import annotations

from pathlib import Path

from graphcore import fileformat
from graphcore.graph import Graph
from graphcore.randgraph import random_graph

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "assets" / "examples").glob("*.graph.json"))

# (optimizer, batch size, extra options): each optimizer, each option that changes its rule.
TRAINING = [
    ("sgd", None, {}), ("sgd", 16, {"weight_decay": 0.01}),
    ("momentum", 16, {}), ("momentum", None, {"nesterov": True, "momentum": 0.5}),
    ("momentum", 7, {"dampening": 0.3, "momentum": 0.8}),
    ("adagrad", None, {"lr_decay": 0.1, "initial_accumulator_value": 0.1}), ("adagrad", 16, {"weight_decay": 0.02}),
    ("rmsprop", 16, {}), ("rmsprop", None, {"centered": True, "momentum": 0.3, "alpha": 0.9}),
    ("adam", 16, {"betas": [0.8, 0.99], "eps": 1e-6}), ("adam", None, {"weight_decay": 0.1}),
]


def examples():
    return [fileformat.load(p) for p in EXAMPLES]


def logistic(optimizer="sgd", batch_size=None, extra=None, generator="circle", test_fraction=0.2,
             epochs=20, lr=0.3) -> Graph:
    g = Graph("logistic regression")
    g.add_node("input", "x1", column="x1")
    g.add_node("input", "x2", column="x2")
    g.add_node("parameter", "w1", value=0.1, label="w₁")
    g.add_node("parameter", "w2", value=-0.2, label="w₂")
    g.add_node("parameter", "b", value=0.05)
    for node, a, w in (("m1", "x1", "w1"), ("m2", "x2", "w2")):
        g.add_node("mul", node)
        g.connect(a, node, 0)
        g.connect(w, node, 1)
    g.add_node("add", "s")
    g.connect("m1", "s", 0)
    g.connect("m2", "s", 1)
    g.add_node("add", "z")
    g.connect("s", "z", 0)
    g.connect("b", "z", 1)
    g.add_node("sigmoid", "p")
    g.connect("z", "p", 0)
    g.add_node("input", "y", column="y")
    g.add_node("bce", "L")
    g.connect("p", "L", 0)
    g.connect("y", "L", 1)
    g.set_meta("loss", "L")
    g.set_meta("output", "p")
    g.set_meta("dataset", {"generator": generator, "n": 50, "seed": 1, "noise": 0.1,
                           "test_fraction": test_fraction})
    g.set_meta("training", {"optimizer": optimizer, "lr": lr, "epochs": epochs, "batch_size": batch_size,
                            "seed": 3, **(extra or {})})
    return g


def random_trainable(n_boxes: int, seed: int, with_data: bool = True) -> Graph:
    """A random graph with its data inline and a short mini-batch training run."""
    g, data = random_graph(n_boxes, seed, with_data=with_data, m=12)
    if data:
        g.set_meta("dataset", {"points": {k: [float(x) for x in v] for k, v in data.items()}})
    opt = ("sgd", "momentum", "adagrad", "rmsprop", "adam")[seed % 5]
    g.set_meta("training", {"optimizer": opt, "lr": 0.002, "epochs": 3, "batch_size": 5 if seed % 2 else None,
                            "seed": seed})
    return g
