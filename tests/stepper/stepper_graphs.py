"""Small graphs the step-through tests share, built with graphcore (no files needed)."""
from __future__ import annotations

import os

from graphcore import fileformat
from graphcore.graph import Graph

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NG_LESSON = os.path.join(ROOT, "assets", "examples", "ng_computation_graph.graph.json")
LR_LESSON = os.path.join(ROOT, "assets", "examples", "logistic_regression.graph.json")


def ng_graph() -> Graph:
    """J = 3(a + bc) at a=5, b=3, c=2, with the lesson's ids: u = b·c, v = a + u, J = 3·v."""
    g = Graph("J = 3(a + bc)")
    g.add_node("input", "a", value=5)
    g.add_node("input", "b", value=3)
    g.add_node("input", "c", value=2)
    g.add_node("mul", "u")
    g.add_node("add", "v")
    g.add_node("constant", "three", value=3)
    g.add_node("mul", "J")
    for src, dst, port in [("b", "u", 0), ("c", "u", 1), ("a", "v", 0), ("u", "v", 1), ("three", "J", 0),
                           ("v", "J", 1)]:
        g.connect(src, dst, port)
    g.set_meta("loss", "J")
    return g


def ng_lesson() -> Graph:
    """The lesson file when it exists (its ids a, b, c, u, v, J), else the same graph built here."""
    if os.path.exists(NG_LESSON):
        return fileformat.load(NG_LESSON)
    return ng_graph()


def fanout_graph() -> Graph:
    """x feeds two boxes: f = w·x and g = x², J = f + g, at x = 2, w = 3 (dJ/dx = w + 2x = 7)."""
    g = Graph("fan-out")
    g.add_node("input", "x", value=2)
    g.add_node("parameter", "w", value=3)
    g.add_node("mul", "f")
    g.add_node("square", "g")
    g.add_node("add", "J")
    for src, dst, port in [("w", "f", 0), ("x", "f", 1), ("x", "g", 0), ("f", "J", 0), ("g", "J", 1)]:
        g.connect(src, dst, port)
    g.set_meta("loss", "J")
    return g


def logistic_graph(n: int = 12) -> Graph:
    """p = σ(w1·x1 + w2·x2 + b), L = bce(p, y), on a generated data set."""
    g = Graph("logistic regression")
    for col in ("x1", "x2", "y"):
        g.add_node("input", col, column=col)
    g.add_node("parameter", "w1", value=0.5)
    g.add_node("parameter", "w2", value=-0.3)
    g.add_node("parameter", "b", value=0.1)
    for nid, op in [("m1", "mul"), ("m2", "mul"), ("s", "add"), ("z", "add"), ("p", "sigmoid"), ("L", "bce")]:
        g.add_node(op, nid)
    for src, dst, port in [("x1", "m1", 0), ("w1", "m1", 1), ("x2", "m2", 0), ("w2", "m2", 1), ("m1", "s", 0),
                           ("m2", "s", 1), ("s", "z", 0), ("b", "z", 1), ("z", "p", 0), ("p", "L", 0),
                           ("y", "L", 1)]:
        g.connect(src, dst, port)
    g.set_meta("loss", "L")
    g.set_meta("output", "p")
    g.set_meta("dataset", {"generator": "diag", "n": n, "seed": 1, "noise": 0.0, "test_fraction": 0.0})
    return g


def softmax_graph() -> Graph:
    """Two logits z0 = w·x, z1 = x² into a softmax; L = (s1 − 1)²."""
    g = Graph("softmax")
    g.add_node("input", "x", value=0.7)
    g.add_node("parameter", "w", value=2.0)
    g.add_node("mul", "z0")
    g.add_node("square", "z1")
    g.add_node("softmax", "sm", attrs={"k": 2})
    g.add_node("constant", "t", value=1.0)
    g.add_node("squared_error", "L")
    for src, dst, port in [("x", "z0", 0), ("w", "z0", 1), ("x", "z1", 0), ("z0", "sm", 0), ("z1", "sm", 1),
                           ("t", "L", 1)]:
        g.connect(src, dst, port)
    g.connect("sm", "L", 0, out=1)
    g.set_meta("loss", "L")
    return g
