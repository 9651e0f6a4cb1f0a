"""Random starting values for a graph's parameters (``Trainer.reset_parameters``,
``builder.mlp(seed=)``, Insert ▸ Network…): ``default_rng(seed).standard_normal(P)``, one
draw per parameter in graph order, times a spread read off the wiring (``init_scales``).
"""
from __future__ import annotations

import math

import numpy as np


def init_scales(graph) -> dict[str, float]:
    """The spread of each parameter's random start, by the role the graph gives it:

    * a weight (it feeds a ``mul`` box) gets 1/√fan_in, where fan_in counts the ``mul``
      boxes summed (through ``add``/``sub`` boxes) into the same pre-activation;
    * a bias (it feeds only ``add``/``sub`` boxes) starts at 0;
    * any other parameter gets 1.
    """
    scales = {}
    for p in graph.parameters():
        ops = {graph.op(e.dst) for e in graph.outputs_of(p)}
        if "mul" in ops:
            mul = next(e.dst for e in graph.outputs_of(p) if graph.op(e.dst) == "mul")
            scales[p] = 1.0 / math.sqrt(_fan_in(graph, mul))
        elif ops and ops <= {"add", "sub"}:
            scales[p] = 0.0
        else:
            scales[p] = 1.0
    return scales


def _fan_in(graph, mul: str) -> int:
    top = mul  # climb the chain of sums the product flows into
    while True:
        outs = graph.outputs_of(top)
        if len(outs) == 1 and graph.op(outs[0].dst) in ("add", "sub"):
            top = outs[0].dst
        else:
            break
    count, stack, seen = 0, [top], set()
    while stack:  # count the products feeding that sum
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if graph.op(node) == "mul":
            count += 1
        elif graph.op(node) in ("add", "sub"):
            stack.extend(e.src for e in graph.inputs_of(node) if e is not None)
    return max(count, 1)


def initial_values(graph, seed: int = 0) -> dict[str, float]:
    """Random starting values: ``default_rng(seed).standard_normal(P)``, one draw per
    parameter in graph order, times that parameter's ``init_scales`` spread."""
    scales = init_scales(graph)
    z = np.random.default_rng(seed).standard_normal(len(scales))
    return {p: float(zi * s) + 0.0 for zi, (p, s) in zip(z, scales.items(), strict=True)}
