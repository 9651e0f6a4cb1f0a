"""The array lines of a fused block (fusion_kernel.py writes them into the kernel): BLAS
matrix products (#18).

Forward, Z = W·X + b is one matmul (``np.dot``) and a broadcast add; backward, dJ/dW =
dZ·Xᵀ and dJ/dX = Wᵀ·dZ are two more and dJ/db the row sums of dZ. A matmul adds in its
own order (blocked, with fused multiply-adds), not in the boxes' add tree nor with numpy's
pairwise sum over the samples: the numbers equal the boxes' to rounding, within the issue's
1e-12 of the size of the block's terms (tests/fusion says how that is measured), and
``GRAPHCORE_FUSE=0`` (``plan.fuse = False``) runs the boxes' own order bit for bit. The
interior boxes (each product wⱼᵢ·xᵢ, each partial sum) are not computed by the run:
``fusion.Filler`` makes them with the boxes' own operations when they are read.

W and b are views of the parameter vector when the block's parameters lie in it at a
regular stride — a builder's layer stores wⱼ₁ … wⱼₙ bⱼ unit after unit, so W is the
columns of a (units × stride) reshape and b one more column — and gathered by index
otherwise; dJ/dW and dJ/db go into the gradient vector the same way.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Layout(NamedTuple):
    """A block's parameters as a (units × stride) view of the vector from ``start``: W is
    the columns ``cols`` (slice text), b the column ``bcol`` (None without a bias)."""

    start: int
    stride: int
    cols: str
    bcol: int | None


def layout(wi: np.ndarray, bi: np.ndarray | None, size: int) -> Layout | None:
    """The regular layout of the weight table ``wi`` (units × inputs, places in the vector)
    and the biases' places ``bi``, or None (then W and b are gathered by index)."""
    units, n = wi.shape
    table = wi if bi is None else np.concatenate([wi, np.reshape(bi, (units, 1))], axis=1)
    start = int(table.min())
    stride = int(table[1, 0] - table[0, 0]) if units > 1 else int(table.max()) - start + 1
    offs = table[0] - start
    if (stride <= 0 or offs.min() != 0 or offs.max() >= stride or start + units * stride > size
            or not (table == table[0] + stride * np.arange(units)[:, None]).all()):
        return None
    cols = _progression([int(o) for o in offs[:n]])
    if cols is None:
        return None
    return Layout(start, stride, cols, None if bi is None else int(offs[n]))


def _progression(idx: list[int]) -> str | None:
    """An index list as slice text when it is an increasing progression, else None."""
    step = idx[1] - idx[0] if len(idx) > 1 else 1
    if step > 0 and all(b - a == step for a, b in zip(idx, idx[1:])):
        return f"{idx[0]}:{idx[-1] + 1}:{step}" if step > 1 else f"{idx[0]}:{idx[-1] + 1}"
    return None


def whole_rows(lay: Layout | None, n_inputs: int) -> bool:
    """Whether each unit's row of the layout is exactly w₁ … wₙ b: then [W b] is one matrix."""
    return lay is not None and lay.bcol == n_inputs and lay.stride == n_inputs + 1 \
        and lay.cols == f"0:{n_inputs}"


def forward_lines(k: int, lay: Layout | None, units: int, P: str, X: str, W: str, Z: str,
                  has_bias: bool, ones: str | None = None) -> list[str]:
    """W (and b) from the parameter vector P, then Z = W·X + b. ``ones``: the stack X with a row
    of ones under it ([X; 1], kept with X), for a layout of whole rows: Z = [W b]·[X; 1] is then
    one matmul, no pass adding b over (units × samples)."""
    if lay is None:
        lines = [f"{W} = {P}[_WI{k}]", f"{Z} = _dot({W}, {X})"]
        return lines + ([f"{Z} += {P}[_BI{k}]"] if has_bias else [])
    rows = f"_R{k}"
    lines = [f"{rows} = {P}[{lay.start}:{lay.start + units * lay.stride}].reshape({units}, {lay.stride})",
             f"{W} = {rows}[:, {lay.cols}]"]
    if ones is not None:
        return lines + [f"{Z} = _dot({rows}, {ones})"]
    lines.append(f"{Z} = _dot({W}, {X})")
    return lines + ([f"{Z} += {rows}[:, {lay.bcol}:{lay.bcol + 1}]"] if lay.bcol is not None else [])


def grad_lines(k: int, lay: Layout | None, units: int, PG: str, X: str, dZ: str, gW: str,
               has_bias: bool, ones: str | None = None) -> list[str]:
    """dJ/dW = dZ·Xᵀ and dJ/db = Σ over the samples of dZ, into the gradient vector PG
    (with ``ones``, as in forward_lines: [dJ/dW dJ/db] = dZ·[X; 1]ᵀ, one matmul into PG)."""
    if ones is not None:
        rows = f"_G{k}"
        return [f"{rows} = {PG}[{lay.start}:{lay.start + units * lay.stride}].reshape({units}, {lay.stride})",
                f"_dot({dZ}, {ones}.T, out={rows})", f"{gW} = {rows}[:, {lay.cols}]"]
    lines = [f"{gW} = _dot({dZ}, {X}.T)"]
    if lay is None:
        lines.append(f"{PG}[_WF{k}] = {gW}.ravel()")
        return lines + ([f"{PG}[_BF{k}] = _rowsum({dZ})"] if has_bias else [])
    rows = f"_G{k}"
    lines += [f"{rows} = {PG}[{lay.start}:{lay.start + units * lay.stride}].reshape({units}, {lay.stride})",
              f"{rows}[:, {lay.cols}] = {gW}"]
    return lines + ([f"{rows}[:, {lay.bcol}] = _rowsum({dZ})"] if lay.bcol is not None else [])


def bound_line(k: int, lay: Layout | None, W: str, X: str, B: str, has_bias: bool, xs: str) -> str:
    """B = |W|·max|X| + |b|, one number per unit bounding |z| over every sample: when B is finite
    (and the finiteness test's squares do not overflow, below 1e154) so is every z, without a
    pass over Z (units × samples); ``xs`` the block's StackedRows (it keeps max|X| with X)."""
    line = f"{B} = _dot(_abs({W}), {xs}.maxabs({X}))"
    if not has_bias:
        return line
    return line + (f" + _abs({{P}}[_BF{k}])" if lay is None else f" + _abs(_R{k}[:, {lay.bcol}])")


class StackedRows:
    """X = stack(x₁ … xₙ) for one block whose inputs are the data's columns, kept while the
    same columns come again and cannot change (arrays that own their data and are read-only,
    as epoch_lane.py freezes the table): a full-batch run does not copy the data every epoch.
    ``maxabs(X)``: each row's largest |x| (nan when a row holds a nan), kept with the stack.
    ``ones(X)``: [X; 1], the stack with a row of ones under it — X is its top rows (a view), so
    the ones cost one row, written once per stack."""

    __slots__ = ("last", "peak", "under")

    def __init__(self):
        self.last = None  # (the columns, their stack, [it; 1])
        self.peak = None  # (a stack, its rows' max |x|)
        self.under = None  # (the last stack made, [it; 1])

    def ones(self, X: np.ndarray) -> np.ndarray:
        under = self.under
        if under is not None and under[0] is X:
            return under[1]
        return np.concatenate([X, np.ones((1, X.shape[1]))])

    def maxabs(self, X: np.ndarray) -> np.ndarray:
        peak = self.peak
        if peak is not None and peak[0] is X:
            return peak[1]
        top = np.abs(X).max(axis=1)
        if not X.flags.writeable:
            self.peak = (X, top)
        return top

    def __call__(self, *rows: np.ndarray) -> np.ndarray:
        last = self.last
        if last is not None and len(last[0]) == len(rows) and all(a is b for a, b in zip(last[0], rows)):
            self.under = last[1:]
            return last[1]
        X1 = np.empty((len(rows) + 1, *np.shape(rows[0])))
        X = X1[:-1]
        np.stack(rows, out=X)
        X1[-1] = 1.0
        self.under = (X, X1)
        if all(r.flags.owndata and not r.flags.writeable for r in rows):
            X.flags.writeable = X1.flags.writeable = False
            self.last = (rows, X, X1)
        return X


def activation(op: str, template: str, Z: str) -> str:
    """H = act(Z): the catalogue's printed template, or the same numbers in fewer passes."""
    if op == "sigmoid":
        return f"_sigmoid_2d({Z})"
    return template.format(x0=Z)


def downstream(op: str, template: str, Z: str, H: str, dH: str) -> str:
    """dZ = act'(Z)·dH from the printed template of the local derivative, or the same numbers
    in fewer passes."""
    if op == "relu":  # asfloat(z > 0)·u: u times a boolean is u·1.0 or u·0.0, without the float copy
        return f"{dH} * ({Z} > 0)"
    return template.format(x0=Z, o=H, u=dH)


def sigmoid_2d(x: np.ndarray) -> np.ndarray:
    """functions.sigmoid of a (units × samples) array, the same numbers (1/(1+e) or e/(1+e),
    e = exp(−|x|)) in seven passes instead of nine, three of them in place."""
    e = np.abs(x)
    np.negative(e, out=e)
    np.exp(e, out=e)
    d = e + 1.0
    r = np.where(x >= 0, 1.0, e)
    np.divide(r, d, out=r)
    return r


class ClassRows:
    """(flat index of each sample's class into a (k × m) array, the one-hot (k × m) matrix
    [i = y]) for one head, kept for the last label column when it cannot change: an
    array that owns its data and is read-only (epoch_lane.py freezes the table it steps over
    so), so a full-batch run does not check and index the same labels every epoch."""

    __slots__ = ("last",)

    def __init__(self):
        self.last = None  # (labels, k, result): a reference to the labels keeps their id theirs

    def __call__(self, y: np.ndarray, k: int):
        last = self.last
        if last is not None and last[0] is y and last[1] == k:
            return last[2]
        yi, flat = class_rows(y, k)
        out = flat, (yi == np.arange(k)[:, None]).astype(float)  # the flat index of each z_y, and [i = y]
        if y.flags.owndata and not y.flags.writeable:
            for a in out:
                a.flags.writeable = False
            self.last = (y, k, out)
        return out


def class_rows(y: np.ndarray, k: int):
    """(class of each sample as an int, its flat index into a (k × m) array): the labels of a
    softmax + cross-entropy head. A label that is not a class raises (the unfused run then
    names it, as the catalogue's cross_entropy does)."""
    yi = y.astype(np.int64)
    if not (yi == y).all() or yi.min() < 0 or yi.max() >= k:
        raise ValueError("not a class")
    flat = yi * len(yi)
    flat += np.arange(len(yi))
    return yi, flat
