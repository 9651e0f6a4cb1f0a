"""The graphs the benchmarks run, built box by box from scalars as a learner would.

``scalar_mlp`` is case 1's network: 2 inputs → 10 relu units → 1 sigmoid output with a
binary cross-entropy loss, every weight a ``parameter`` box and every product and sum a
box of its own (~80 Function boxes). If the training helper's ``graphcore.builder.mlp``
exists it builds the same thing; this one keeps the benchmark independent of it.
"""
from __future__ import annotations

import numpy as np

from graphcore.graph import Graph


def scalar_mlp(n_in: int = 2, n_hidden: int = 10, seed: int = 0) -> Graph:
    """x → relu(W₁x + b₁) → sigmoid(w₂·h + b₂) → bce(p, y): one box per scalar operation."""
    rng = np.random.default_rng(seed)
    g = Graph(f"{n_in}-{n_hidden}-1 relu/sigmoid")
    with g.batch():
        xs = [g.add_node("input", f"x{i + 1}", column=f"x{i + 1}") for i in range(n_in)]
        y = g.add_node("input", "y", column="y")
        hidden = []
        for j in range(n_hidden):
            acc = None
            for i, x in enumerate(xs):
                w = g.add_node("parameter", f"w1_{j}_{i}", value=float(rng.normal(0, 1 / np.sqrt(n_in))))
                p = g.add_node("mul", f"m1_{j}_{i}")
                g.connect(x, p, 0)
                g.connect(w, p, 1)
                acc = p if acc is None else _add(g, acc, p, f"s1_{j}_{i}")
            b = g.add_node("parameter", f"b1_{j}", value=0.0)
            z = _add(g, acc, b, f"z1_{j}")
            h = g.add_node("relu", f"h_{j}")
            g.connect(z, h, 0)
            hidden.append(h)
        acc = None
        for j, h in enumerate(hidden):
            w = g.add_node("parameter", f"w2_{j}", value=float(rng.normal(0, 1 / np.sqrt(n_hidden))))
            p = g.add_node("mul", f"m2_{j}")
            g.connect(h, p, 0)
            g.connect(w, p, 1)
            acc = p if acc is None else _add(g, acc, p, f"s2_{j}")
        b = g.add_node("parameter", "b2", value=0.0)
        z = _add(g, acc, b, "z2")
        out = g.add_node("sigmoid", "p")
        g.connect(z, out, 0)
        loss = g.add_node("bce", "L")
        g.connect(out, loss, 0)
        g.connect(y, loss, 1)
        g.set_meta("loss", "L")
        g.set_meta("output", "p")
    return g


def _add(g: Graph, a: str, b: str, node_id: str) -> str:
    s = g.add_node("add", node_id)
    g.connect(a, s, 0)
    g.connect(b, s, 1)
    return s


def xor_data(m: int, seed: int = 0) -> dict[str, np.ndarray]:
    """m points of the xor rule (SPEC §4) as data columns x1, x2, y."""
    from graphcore.datasets import generate
    ds = generate("xor", m, seed, 0.0, 0.0)
    return {k: np.asarray(v, dtype=float) for k, v in ds.columns.items()}
