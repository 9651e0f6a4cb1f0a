"""Small graphs the boundary tests draw: a logistic regression and a three-class softmax."""
from __future__ import annotations

from graphcore.graph import Graph


def logistic(w1=2.0, w2=-3.0, b=0.5) -> Graph:
    g = Graph("logistic")
    for c in ("x1", "x2", "y"):
        g.add_node("input", c, column=c)
    g.add_node("parameter", "w1", value=w1)
    g.add_node("parameter", "w2", value=w2)
    g.add_node("parameter", "b", value=b)
    for n, op in [("m1", "mul"), ("m2", "mul"), ("s1", "add"), ("z", "add")]:
        g.add_node(op, n)
    g.add_node("sigmoid", "p")
    g.add_node("bce", "L")
    for src, dst, port in [("x1", "m1", 0), ("w1", "m1", 1), ("x2", "m2", 0), ("w2", "m2", 1),
                           ("m1", "s1", 0), ("m2", "s1", 1), ("s1", "z", 0), ("b", "z", 1),
                           ("z", "p", 0), ("p", "L", 0), ("y", "L", 1)]:
        g.connect(src, dst, port)
    g.set_meta("loss", "L")
    g.set_meta("output", "p")
    return g


def softmax3(weights) -> Graph:
    """Three logits z_i = a_i·x1 + c_i·x2 into a softmax; cross_entropy as the loss."""
    g = Graph("softmax")
    for c in ("x1", "x2", "y"):
        g.add_node("input", c, column=c)
    g.add_node("softmax", "s", attrs={"k": 3})
    g.add_node("cross_entropy", "L", attrs={"k": 3})
    for i, (a, c) in enumerate(weights):
        g.add_node("parameter", f"a{i}", value=a)
        g.add_node("parameter", f"c{i}", value=c)
        g.add_node("mul", f"ma{i}")
        g.add_node("mul", f"mc{i}")
        g.add_node("add", f"z{i}")
        for src, dst, port in [("x1", f"ma{i}", 0), (f"a{i}", f"ma{i}", 1), ("x2", f"mc{i}", 0),
                               (f"c{i}", f"mc{i}", 1), (f"ma{i}", f"z{i}", 0), (f"mc{i}", f"z{i}", 1),
                               (f"z{i}", "s", i), (f"z{i}", "L", i)]:
            g.connect(src, dst, port)
    g.connect("y", "L", 3)
    g.set_meta("loss", "L")
    g.set_meta("output", "s")
    return g
