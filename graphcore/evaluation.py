"""What one run of a plan gives: every Variable's value and dJ/dv (``Evaluation``), and the
one broadcasting rule both executors (the reference loop and the compiled kernel) share."""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np


def reduce_to(grad, value) -> np.ndarray:
    """Undo broadcasting: the gradient of a scalar used for every sample is their sum."""
    grad = np.asarray(grad, dtype=float)
    if grad.ndim > np.ndim(value):
        return np.asarray(grad.sum())
    if grad.shape != np.shape(value):
        return np.broadcast_to(grad, np.shape(value)).copy()
    return grad


_SERIAL = itertools.count(1)


@dataclass
class Evaluation:
    """The result of one run: every Variable's value, and dJ/dv where backprop reached.

    ``plan`` is the engine's ``Plan`` that ran (its ``keys``, ``slot_of``, ``param_slots``)."""

    plan: object
    values: list
    grads: list | None
    cost: float | None
    m: int | None
    fused_param_grads: np.ndarray | None = None  # a fused run makes dJ/dθ as one vector (fusion_kernel.py)
    # A run carried over from another (incremental.rerun): that run's ``serial``, and the boxes
    # whose values or plan marks (ignored, incomplete, unwired) may differ from it (None: any).
    carried_from: int | None = None
    redone: set | None = None
    serial: int = field(default_factory=lambda: next(_SERIAL), compare=False)  # this run, among all
    # While a carried run has no gradients (the cost cut off): the last run that had them, the
    # boxes redone since and the boxes changed since (incremental.rerun carries from that run,
    # and takes its gradients back when nothing they read differs).
    grads_basis: tuple | None = field(default=None, repr=False, compare=False)

    def value(self, key: str) -> np.ndarray:
        return self.values[self.plan.slot_of[key]]

    def grad(self, key: str) -> np.ndarray | None:
        if self.grads is None:
            return None
        return self.grads[self.plan.slot_of[key]]

    def values_dict(self) -> dict[str, np.ndarray]:
        return {k: v for k, v in zip(self.plan.keys, self.values) if v is not None}

    def grads_dict(self) -> dict[str, np.ndarray]:
        if self.grads is None:
            return {}
        return {k: (g if g is not None else np.zeros_like(v))
                for k, g, v in zip(self.plan.keys, self.grads, self.values) if v is not None}

    @property
    def param_grads(self) -> np.ndarray:
        """dJ/dθ for each parameter, in ``plan.param_ids`` order (0 where J does not depend on it)."""
        if self.fused_param_grads is not None and self.grads is not None:
            return self.fused_param_grads.copy()
        g = self.grads or [None] * len(self.values)
        return np.array([float(g[s]) if g[s] is not None else 0.0 for s in self.plan.param_slots])


class Executor(Protocol):
    """How a plan is run. The reference loop (reference_loop.py) always answers (or raises the
    exact error); the compiled kernel (fastpath.FastPlan) answers None when anything is unusual."""

    def run(self, data: dict | None, params, backward: bool, grads: str) -> Evaluation | None: ...
