"""The far-out overview's grid (gui/canvas/overview.py): which square cells boxes and arrows
fall in, for thousands at once with numpy. An arrow is in the cells its segment crosses (not
its bounding box); one rule serves a full read and a single arrow, so an arrow is taken out
of exactly the tiles it was put in."""
from __future__ import annotations

import math

import numpy as np

# Tiles across the boxes' wider extent (a cell is square): ~100-300 tiles for a laid-out graph.
TILES_ACROSS = 64


def cell_size(left, top, right, bottom) -> float:
    """A round cell side (a power of two, at least 256) giving TILES_ACROSS cells across the
    boxes' wider extent, and no box wider or taller than a cell (a box is in at most four)."""
    if not len(left):
        return 4096.0
    across = max(float(right.max() - left.min()), float(bottom.max() - top.min()), 1.0) / TILES_ACROSS
    across = max(across, float((right - left).max()), float((bottom - top).max()))
    return float(2 ** max(8, math.ceil(math.log2(across))))


def runs(starts, counts):
    """``starts[k], starts[k] + 1, … (counts[k] of them)`` for every k, end to end."""
    total = int(counts.sum())
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + offsets


def segment_cells(ends, size):
    """The cells (column i, row j) each segment ``ends[k] = (x1, y1, x2, y2)`` crosses, column
    by column (not its whole bounding box: a long arrow is in a few tiles, not a rectangle of
    them), as three arrays (k, i, j). The one rule for a full read and for one arrow."""
    x1, y1, x2, y2 = (ends[:, c] for c in range(4))
    flip = x1 > x2
    x1, x2 = np.where(flip, x2, x1), np.where(flip, x1, x2)
    y1, y2 = np.where(flip, y2, y1), np.where(flip, y1, y2)
    i0 = np.floor(x1 / size).astype(np.int64)
    ncols = np.floor(x2 / size).astype(np.int64) - i0 + 1
    k = np.repeat(np.arange(len(ends)), ncols)
    i = runs(i0, ncols)
    X1, X2, Y1, Y2 = x1[k], x2[k], y1[k], y2[k]
    xa, xb = np.maximum(X1, i * size), np.minimum(X2, (i + 1) * size)
    dx = X2 - X1
    slope = np.where(dx > 0, (Y2 - Y1) / np.where(dx > 0, dx, 1.0), 0.0)
    ya = np.where(dx > 0, Y1 + (xa - X1) * slope, Y1)
    yb = np.where(dx > 0, Y1 + (xb - X1) * slope, Y2)
    j0 = np.floor(np.minimum(ya, yb) / size).astype(np.int64)
    nrows = np.floor(np.maximum(ya, yb) / size).astype(np.int64) - j0 + 1
    return np.repeat(k, nrows), np.repeat(i, nrows), runs(j0, nrows)


def by_cell(k, i, j) -> list:
    """[(cell, [k, …]), …]: the owners k in each cell."""
    if not len(k):
        return []
    code = (i + (1 << 24)) * (1 << 25) + (j + (1 << 24))
    order = np.argsort(code, kind="stable")
    cuts = np.flatnonzero(np.diff(code[order])) + 1
    firsts = order[np.concatenate(([0], cuts))]
    return [((int(i[f]), int(j[f])), ks.tolist()) for f, ks in zip(firsts, np.split(k[order], cuts))]
