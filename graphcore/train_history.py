"""The record of a training run: ``History`` (per-epoch figures and thinned per-parameter
rows in numpy arrays) and ``mean_abs`` (each Variable's mean |dJ/dv|, what its rows hold).
"""
from __future__ import annotations

import math

import numpy as np


class History:
    """Per-epoch record of a run, in preallocated numpy arrays that grow by doubling.

    Scalars for every epoch: ``epochs``, ``cost``, ``accuracy``, ``test_cost``,
    ``test_accuracy``, ``time`` (seconds since the run started); nan where there is
    nothing to measure. Per-parameter and per-Variable rows (``params``: values after
    the epoch; ``grads``: the mean over the epoch's batches of dJ/dθ; ``box_grads``:
    each Variable's mean |dJ/dv| on the epoch's last batch, columns ``var_keys``, nan when
    the Trainer does not track them) are
    kept for every epoch up to ``max_rows`` and then thinned to every 2nd, 4th, ...
    epoch (``row_epochs`` says which), so a 10,000-epoch run keeps memory bounded.
    """

    SCALARS = ("cost", "accuracy", "test_cost", "test_accuracy", "time")

    def __init__(self, param_ids: list[str], var_keys: list[str], max_rows: int = 2048):
        self.param_ids = list(param_ids)
        self.var_keys = list(var_keys)
        self.max_rows = max_rows
        self.clear()

    def clear(self):
        cap = 64
        self._n = 0
        self._last = (0, None)  # (rows then, the last row's epoch and scalars as given)
        self._epoch = np.zeros(cap, dtype=np.int64)
        self._scalars = np.full((cap, len(self.SCALARS)), np.nan)
        self._rows = 0
        self._stride = 1
        rows = min(cap, self.max_rows)
        self._row_epoch = np.zeros(rows, dtype=np.int64)
        self._params = np.zeros((rows, len(self.param_ids)))
        self._grads = np.zeros((rows, len(self.param_ids)))
        self._box = np.zeros((rows, len(self.var_keys)))

    def __len__(self) -> int:
        return self._n

    def records(self, epoch: int) -> bool:
        """Whether ``append(epoch, ...)`` will keep a row (params, grads, box_grads) for it."""
        if epoch % self._stride:
            return False
        return self._rows < self.max_rows or epoch % (2 * self._stride) == 0

    def append(self, epoch: int, scalars: tuple | dict, params, grads, box_grads):
        """Epoch ``epoch``'s row: ``scalars`` in ``SCALARS``' order, nan where there is nothing
        (or a dict by name, None or missing where there is nothing)."""
        if isinstance(scalars, dict):
            scalars = tuple(math.nan if scalars.get(k) is None else float(scalars[k]) for k in self.SCALARS)
        if self._n == len(self._epoch):
            self._epoch = _grow(self._epoch)
            self._scalars = _grow(self._scalars, np.nan)
        self._epoch[self._n] = epoch
        self._scalars[self._n] = scalars
        self._n += 1
        self._last = (self._n, (int(epoch), *scalars))  # as entry() gives it: a Python int
        if epoch % self._stride:
            return
        if self._rows == self.max_rows:  # thin out: keep every other row, record half as often
            keep = np.flatnonzero(self._row_epoch[:self._rows] % (2 * self._stride) == 0)
            for a in (self._row_epoch, self._params, self._grads, self._box):
                a[:len(keep)] = a[keep]
            self._rows, self._stride = len(keep), 2 * self._stride
            if epoch % self._stride:
                return
        if self._rows == len(self._row_epoch):
            cap = self.max_rows
            self._row_epoch, self._params = _grow(self._row_epoch, 0, cap), _grow(self._params, 0, cap)
            self._grads, self._box = _grow(self._grads, 0, cap), _grow(self._box, 0, cap)
        r = self._rows
        self._row_epoch[r], self._params[r], self._grads[r], self._box[r] = epoch, params, grads, box_grads
        self._rows += 1

    # --- reading (views, no copies) ----------------------------------------------------
    @property
    def epochs(self) -> np.ndarray:
        return self._epoch[:self._n]

    def scalar(self, name: str) -> np.ndarray:
        return self._scalars[:self._n, self.SCALARS.index(name)]

    cost = property(lambda self: self.scalar("cost"))
    accuracy = property(lambda self: self.scalar("accuracy"))
    test_cost = property(lambda self: self.scalar("test_cost"))
    test_accuracy = property(lambda self: self.scalar("test_accuracy"))
    time = property(lambda self: self.scalar("time"))
    row_epochs = property(lambda self: self._row_epoch[:self._rows])
    params = property(lambda self: self._params[:self._rows])
    grads = property(lambda self: self._grads[:self._rows])
    box_grads = property(lambda self: self._box[:self._rows])

    def param(self, node: str) -> np.ndarray:
        """A parameter's value after each recorded epoch (see ``row_epochs``)."""
        return self.params[:, self.param_ids.index(node)]

    def grad(self, node: str) -> np.ndarray:
        return self.grads[:, self.param_ids.index(node)]

    def box_grad(self, key: str) -> np.ndarray:
        return self.box_grads[:, self.var_keys.index(key)]

    def entry(self, i: int) -> dict:
        """Epoch row ``i`` as SPEC §6 wants it (plus test figures when there are test points)."""
        return _entry(int(self._epoch[i]), *self._scalars[i].tolist())  # Python floats in one call

    def entries(self) -> list[dict]:
        return [self.entry(i) for i in range(self._n)]

    def last(self) -> dict | None:
        if not self._n:
            return None
        if self._last[0] == self._n:  # the row just appended, from the floats it was given
            return _entry(*self._last[1])
        return self.entry(self._n - 1)


STACK_MAX = 2048  # samples up to which mean_abs stacks the per-sample gradients into one array


def mean_abs(grads: list) -> np.ndarray:
    """Each Variable's mean |dJ/dv| (0 where there is none): ``float(np.mean(np.abs(g)))``
    for each, the same numbers, but in a few numpy calls over all per-sample gradients at once."""
    out = np.zeros(len(grads))
    vec = [i for i, g in enumerate(grads) if g is not None and g.ndim]
    sca = [i for i, g in enumerate(grads) if g is not None and not g.ndim]
    if vec:
        rows = [grads[i] for i in vec]
        if len(rows[0]) <= STACK_MAX and len({len(r) for r in rows}) == 1:
            stacked = np.stack(rows)
            out[vec] = np.abs(stacked, out=stacked).mean(axis=1)  # row by row, as np.mean of each
        else:  # long arrays: a call per array costs little next to the arithmetic; no big copy
            out[vec] = [float(np.mean(np.abs(r))) for r in rows]
    if sca:
        out[sca] = np.abs(np.array([grads[i] for i in sca], dtype=float))
    return out


def _grow(a: np.ndarray, fill=0, cap: int | None = None) -> np.ndarray:
    size = 2 * len(a) if cap is None else min(2 * len(a), cap)
    b = np.full((size,) + a.shape[1:], fill, dtype=a.dtype)
    b[:len(a)] = a
    return b


def _entry(epoch: int, cost, accuracy, test_cost, test_accuracy, _time=None) -> dict:
    d = {"epoch": epoch, "cost": _num(cost), "accuracy": _num(accuracy)}
    if test_cost is not None and not math.isnan(test_cost):  # None in a tuple row: stored as nan
        d["test_cost"], d["test_accuracy"] = _num(test_cost), _num(test_accuracy)
    return d


def _num(v):
    return None if v is None or math.isnan(v) else float(v)

