"""Case 3: the decision boundary of the xor network over a 100×100 grid (one forward run
of 10,000 points through the boxes the output depends on)."""
from __future__ import annotations

import os

import numpy as np

from graphcore import boundary, datasets, fileformat

from .networks import scalar_mlp
from .timing import interleaved

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "assets", "examples", "xor_network.graph.json")


def run(rounds: int = 50, log=print) -> dict:
    if os.path.exists(EXAMPLE):
        graph, source = fileformat.load(EXAMPLE), "assets/examples/xor_network.graph.json"
    else:
        graph, source = scalar_mlp(), "benchmarks.networks.scalar_mlp (the lesson file is not there)"
    ds = datasets.generate("xor", 200, 0, 0.0, 0.0)
    columns = {k: np.asarray(v) for k, v in ds.columns.items()}
    b = boundary.decision_boundary(graph, None, columns)
    med = interleaved({"grid": lambda: boundary.decision_boundary(graph, None, columns)}, rounds=rounds)
    log(f"  case 3, {b.values.shape[1]}×{b.values.shape[0]} grid: {med['grid'] * 1e3:.2f} ms")
    return {"graph": source, "shape": b.values.shape, "time": med["grid"], "boxes": len(graph)}
