"""Gradient size per group: ‖dJ/dW‖ of a layer's weights (or a neuron's), now and over the epochs.

This is the vanishing-gradient picture: in a deep sigmoid network each layer back from the
cost multiplies the gradient by σ′ ≤ ¼ (times its weights), so the first layer's ‖dJ/dW‖
is orders of magnitude below the last's; with relu it is not.

A group's weights are its parameter boxes that feed a ``mul`` box (W in W·a + b; the
biases are left out); a group with no such box counts every parameter it holds.
``‖dJ/dW‖`` is the Euclidean norm of their gradients (dJ/dθ summed over the batch as
the engine gives it, or the Trainer's per-epoch mean over its batches).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .graph import Graph
from .groups import groups_of


def weights_of(graph: Graph, name: str) -> list[str]:
    members = groups_of(graph).members(name)
    params = [n for n in members if graph.op(n) == "parameter"]
    weights = [p for p in params if any(graph.op(e.dst) == "mul" for e in graph.outputs_of(p))]
    return weights or params


def units(graph: Graph, per_neuron: bool = False) -> list[str]:
    """The groups to measure, in file order: the top-level groups holding a parameter, or
    (``per_neuron``) each one's inner groups holding one (a group without inner groups stands
    for itself)."""
    groups = groups_of(graph)
    out = []
    for top in groups.children(None):
        inner = groups.children(top) if per_neuron else []
        out += [g for g in (inner or [top]) if weights_of(graph, g)]
    return out


def norms(graph: Graph, names: list[str], grad_of: Callable[[str], object]) -> np.ndarray:
    """‖dJ/dW‖ of each group, ``grad_of(parameter id)`` giving that parameter's gradient
    (None where there is none: it counts as 0)."""
    out = np.zeros(len(names))
    for i, name in enumerate(names):
        total = 0.0
        for p in weights_of(graph, name):
            g = grad_of(p)
            if g is not None:
                total += float(np.sum(np.square(np.asarray(g, dtype=float))))
        out[i] = np.sqrt(total)
    return out


def evaluation_norms(graph: Graph, names: list[str], ev) -> np.ndarray:
    """From one evaluation (``engine.Evaluation``, backward run)."""
    return norms(graph, names, lambda p: ev.grad(p) if p in ev.plan.slot_of else None)


def history_norms(graph: Graph, names: list[str], history) -> tuple[np.ndarray, np.ndarray]:
    """(recorded epochs, norms (rows × groups)) from a Trainer's History (its per-epoch mean dJ/dθ)."""
    index = {p: i for i, p in enumerate(history.param_ids)}
    grads = np.asarray(history.grads)
    out = np.zeros((grads.shape[0], len(names)))
    for j, name in enumerate(names):
        cols = [index[p] for p in weights_of(graph, name) if p in index]
        if cols:
            out[:, j] = np.sqrt(np.sum(np.square(grads[:, cols]), axis=1))
    return np.asarray(history.row_epochs), out
