"""Replay (issue #14, headless side): the parameters a run had after epoch k, read from its
``History`` (training.py) — never by training again, so scrubbing changes nothing.

The History keeps one row per epoch (parameters, mean dJ/dθ, each Variable's mean |dJ/dv|)
up to ``max_rows`` (2048) rows, then thins to every 2nd, 4th, ... epoch. So epoch k is
exact when it is kept; otherwise ``params_at`` gives the nearest kept epoch and says which.
Epoch 0 (before any step) is not in the History: pass the run's starting parameters.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import EvaluationError

BYTES = 8  # float64


@dataclass(frozen=True)
class Snapshot:
    """The parameters shown for an asked epoch: those of ``epoch`` (== asked when exact)."""

    asked: int
    epoch: int
    params: np.ndarray
    note: str = ""

    @property
    def exact(self) -> bool:
        return self.asked == self.epoch


def kept_epochs(history) -> np.ndarray:
    """The epochs whose parameters the History still holds, ascending."""
    return np.asarray(history.row_epochs)


def params_at(history, k: int, start=None) -> Snapshot:
    """The parameters after epoch ``k`` (0: ``start``, the values before training).

    Exact when the History kept epoch k; else the nearest kept epoch (the earlier one on a
    tie), with a ``note`` saying so."""
    last = int(history.epochs[-1]) if len(history) else 0
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= last:
        raise EvaluationError(f"replay: the epoch must be a whole number from 0 to {last}, not {k!r}")
    k = int(k)
    if k == 0 and start is not None:
        return Snapshot(0, 0, np.array(start, dtype=float))
    epochs = kept_epochs(history)
    if not len(epochs):
        raise EvaluationError("replay: no epoch's parameters are kept yet (train first)")
    i = int(np.searchsorted(epochs, k))
    if i < len(epochs) and epochs[i] == k:
        return Snapshot(k, k, history.params[i].copy())
    candidates = [j for j in (i - 1, i) if 0 <= j < len(epochs)]
    j = min(candidates, key=lambda c: (abs(int(epochs[c]) - k), epochs[c]))
    near = int(epochs[j])
    why = "the start is not given" if k == 0 else \
        f"past {history.max_rows} rows the history keeps one epoch in {_stride(epochs)}"
    return Snapshot(k, near, history.params[j].copy(),
                    f"epoch {k} is not kept ({why}); showing epoch {near}, the nearest kept")


def _stride(epochs: np.ndarray) -> int:
    return int(np.max(np.diff(epochs))) if len(epochs) > 1 else 1


def memory_bytes(history) -> dict:
    """What the History's per-epoch rows cost: params and grads (P each) and the Variables'
    gradient sizes (V), 8 B each, per kept row; ``cap`` is that at ``max_rows`` rows."""
    p, v = len(history.param_ids), len(history.var_keys)
    per_row = (2 * p + v) * BYTES
    rows = len(kept_epochs(history))
    return {"per_row": per_row, "rows": rows, "bytes": per_row * rows, "params_bytes": p * BYTES * rows,
            "cap": per_row * history.max_rows}
