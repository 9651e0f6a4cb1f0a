"""Graphs and data for the perf tests: a one-box-per-scalar MLP and xor columns."""
from __future__ import annotations

import numpy as np

from graphcore import datasets
from graphcore.graph import Graph


def scalar_mlp(n_hidden: int = 4) -> Graph:
    """2 → n_hidden relu → 1 sigmoid with a bce loss, one box per scalar operation."""
    g = Graph()
    for c in ("x1", "x2", "y"):
        g.add_node("input", c, column=c)
    terms = []
    for j in range(n_hidden):
        prods = []
        for i, x in enumerate(("x1", "x2")):
            g.add_node("parameter", f"w{j}{i}", value=0.3 * (i + 1) * (-1) ** j)
            g.add_node("mul", f"m{j}{i}")
            g.connect(x, f"m{j}{i}", 0)
            g.connect(f"w{j}{i}", f"m{j}{i}", 1)
            prods.append(f"m{j}{i}")
        g.add_node("add", f"z{j}")
        g.connect(prods[0], f"z{j}", 0)
        g.connect(prods[1], f"z{j}", 1)
        g.add_node("relu", f"h{j}")
        g.connect(f"z{j}", f"h{j}", 0)
        g.add_node("parameter", f"v{j}", value=0.5)
        g.add_node("mul", f"o{j}")
        g.connect(f"h{j}", f"o{j}", 0)
        g.connect(f"v{j}", f"o{j}", 1)
        terms.append(f"o{j}")
    acc = terms[0]
    for j, t in enumerate(terms[1:]):
        g.add_node("add", f"s{j}")
        g.connect(acc, f"s{j}", 0)
        g.connect(t, f"s{j}", 1)
        acc = f"s{j}"
    g.add_node("sigmoid", "p")
    g.connect(acc, "p", 0)
    g.add_node("bce", "L")
    g.connect("p", "L", 0)
    g.connect("y", "L", 1)
    g.set_meta("loss", "L")
    g.set_meta("output", "p")
    return g


def xor_columns(m: int) -> dict:
    ds = datasets.generate("xor", m, 0, 0.0, 0.0)
    return {k: np.asarray(v, dtype=float) for k, v in ds.columns.items()}
