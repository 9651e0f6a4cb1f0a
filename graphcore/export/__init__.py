"""Export a graph as Python code a learner can read, run and keep (SPEC §7).

``to_numpy(graph)``: one self-contained numpy script; ``to_torch(graph)``: the same model
as a ``torch.nn.Module`` with its training loop. ``export(graph, "numpy" | "torch")``
picks one. The straight-line forward/backward code is in ``straightline`` (reusable
in-process), safe names in ``naming``.
"""
from __future__ import annotations

from .numpy_script import to_numpy
from .torch_script import to_torch

TARGETS = ("numpy", "torch")


def export(graph, to: str) -> str:
    if to == "numpy":
        return to_numpy(graph)
    if to == "torch":
        return to_torch(graph)
    raise ValueError(f"unknown export target {to!r} (one of {', '.join(TARGETS)})")


__all__ = ["TARGETS", "export", "to_numpy", "to_torch"]
