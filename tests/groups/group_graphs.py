"""Grouped graphs the group tests share: the lessons' networks built with groups."""
from __future__ import annotations

from graphcore import datasets
from graphcore.builder import GraphBuilder, mlp
from graphcore.engine import compile_graph
from graphcore.groups import groups_of


def xor_grouped():
    """The xor lesson's 2 → 10 relu → 1 sigmoid network, with layer and neuron groups."""
    return mlp(["x1", "x2"], [10], "relu", "bce", seed=0, name="xor network", groups=True,
               dataset={"generator": "xor", "n": 100, "seed": 0, "noise": 0.0, "test_fraction": 0.0})


def spiral3_grouped():
    """The spiral3 lesson's 2 → 16 relu → 3 logits softmax network, with layer and neuron groups."""
    return mlp(["x1", "x2"], [16], "relu", "cross_entropy", classes=3, seed=0, name="spiral3", groups=True,
               dataset={"generator": "spiral3", "n": 150, "seed": 0, "noise": 0.0, "test_fraction": 0.0})


def evaluation(graph):
    ds = datasets.for_graph(graph)
    return compile_graph(graph).run(None if ds is None else ds.train())


def chain():
    """x → a = 2x → b = a² → c = b + y, plus an outside branch o = a·3 that feeds c's twin."""
    b = GraphBuilder("chain")
    b.input("x", value=1.5, label="x")
    b.input("y", value=0.5, label="y")
    b.constant("two", 2.0, label="2")
    b.box("mul", "x", "two", id="a", label="a")
    b.box("square", "a", id="sq", label="b")
    b.box("add", "sq", "y", id="c", label="c")
    b.box("neg", "a", id="o", label="o")
    b.box("add", "o", "sq", id="d", label="d")
    return b.graph


def sqrt_graph():
    b = GraphBuilder("root")
    b.input("x", value=0.0, label="x")
    b.box("pow", "x", id="r", label="√x", attrs={"exponent": 0.5})
    b.box("square", "r", id="s", label="(√x)²")
    b.box("neg", "s", id="n", label="−(√x)²")  # outside: makes s the group's output b₁
    groups_of(b.graph).add("root squared", ["r", "s"])
    return b.graph
