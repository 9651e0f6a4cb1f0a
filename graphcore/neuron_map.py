"""A neuron's picture (TensorFlow Playground's): its output over the plane of the two inputs.

For a group with one output port (a neuron: its weights, products, sums and activation), the
output is evaluated at every point of a grid over the data's two input columns in one forward
run through just the boxes it needs (``boundary.run_to``) — other columns held as the
decision boundary holds them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .boundary import fill_columns, boundary_axes, grid_extent, run_to
from .engine import compile_graph
from .errors import EvaluationError
from .graph import Graph
from .groups import groups_of

RESOLUTION = 32  # a small picture in the inspector: 32 × 32 points, a millisecond or two


@dataclass
class NeuronMap:
    group: str
    variable: str  # the Variable pictured (the group's one output)
    axes: tuple[str, str]
    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray  # (len(ys), len(xs)); row i is y = ys[i]


def neuron_of(graph: Graph, boxes) -> str | None:
    """The innermost group holding every one of ``boxes`` that has exactly one output (a
    neuron), or None."""
    boxes = set(boxes)
    if not boxes:
        return None
    groups = groups_of(graph)
    holding = [g for g in groups.names() if boxes <= set(groups.members(g))]
    for name in sorted(holding, key=lambda g: len(groups.members(g))):
        if len(groups.ports(name).outputs) == 1:
            return name
    return None


def neuron_map(graph: Graph, group: str, params=None, columns: dict | None = None,
               resolution: int = RESOLUTION) -> NeuronMap:
    """The group's one output over a grid covering ``columns`` (the data set's); ``params`` as
    for ``Plan.run`` (None: the graph's values). Raises a GraphError naming the problem."""
    outputs = groups_of(graph).ports(group).outputs
    if len(outputs) != 1:
        raise EvaluationError(f"group '{group}' has {len(outputs)} outputs: a picture needs one (a neuron)")
    plan = compile_graph(graph)
    variable = outputs[0].variable
    if variable not in plan.slot_of:
        raise EvaluationError(f"group '{group}' is not connected to the cost J or the output")
    axes = boundary_axes(graph, list(columns) if columns is not None else None)
    extent = grid_extent(columns, axes)
    xs = np.linspace(extent[0], extent[1], resolution)
    ys = np.linspace(extent[2], extent[3], resolution)
    gx, gy = np.meshgrid(xs, ys)
    data = fill_columns(plan, columns, {axes[0]: gx.ravel(), axes[1]: gy.ravel()}, gx.size)
    (out,) = run_to(plan, data, params, [plan.slot_of[variable]])
    return NeuronMap(group, variable, axes, xs, ys, np.broadcast_to(out, (gx.size,)).reshape(gy.shape))
