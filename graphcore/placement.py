"""Where a piece dropped into a graph goes (Insert ▸ Network / Expression at the cursor).

The piece's top-left goes at the spot asked for; if the boxes already there would be
covered, at the nearest free spot right of it or below it (tried on a grid, nearest
first), and if the grid holds none, right of everything. What a graph covers is measured
as the canvas draws its top level: a box its rectangle, a collapsed group its one box
(``group_layout``'s sizes), an expanded group its boxes (a margin keeps the frame clear).
Qt-free, and cheap: one numpy test of every grid spot against every rectangle.
"""
from __future__ import annotations

import numpy as np

from .graph import Graph
from .group_layout import box_size, collapsed_origin, collapsed_size
from .groups import groups_of

STEP, REACH = 40.0, 40  # grid spots tried: STEP apart, up to REACH steps right and down
MARGIN = 40.0  # kept clear around what is there already (an expanded group's frame and title fit in it)


def footprint(graph: Graph, skip=()) -> np.ndarray:
    """(n, 4) rectangles x0, y0, x1, y1 the graph's boxes cover at the top level (``skip``: left out)."""
    groups, skip = groups_of(graph), set(skip)
    hidden: set[str] = set()
    rects = []
    for name in sorted(groups.names(), key=lambda g: -len(groups.members(g))):  # outer groups first
        members = groups.members(name)
        if not groups.get(name).collapsed or hidden.issuperset(members):
            continue  # expanded, or inside a collapsed group already counted
        hidden.update(members)
        x, y = collapsed_origin(graph, members)
        w, h = collapsed_size(groups, name)
        rects.append((x, y, x + w, y + h))
    for n in graph.nodes():
        if n in hidden or n in skip or n not in graph.layout:
            continue
        x, y = graph.layout[n]
        w, h = box_size(graph, n)
        rects.append((x, y, x + w, y + h))
    return np.asarray(rects, dtype=float).reshape(-1, 4)


def free_offset(graph: Graph, piece: Graph, at: tuple[float, float], skip=()) -> tuple[float, float]:
    """How far to move the piece's layout so its top-left is at ``at`` or the nearest free spot
    right/down of it (``skip``: piece boxes that will not be inserted)."""
    mine = footprint(piece, skip)
    if not len(mine):
        return at[0], at[1]
    left, top = mine[:, 0].min(), mine[:, 1].min()
    w, h = mine[:, 2].max() - left, mine[:, 3].max() - top
    there = footprint(graph)
    if not len(there):
        return at[0] - left, at[1] - top
    there = there + np.array([-MARGIN, -MARGIN, MARGIN, MARGIN])
    i, j = np.meshgrid(np.arange(REACH + 1), np.arange(REACH + 1), indexing="ij")
    order = np.lexsort((j.ravel(), i.ravel(), (i * i + j * j).ravel()))  # nearest first, then rightward
    xs = at[0] + STEP * i.ravel()[order]
    ys = at[1] + STEP * j.ravel()[order]
    covers = ((xs[:, None] < there[:, 2]) & (xs[:, None] + w > there[:, 0])
              & (ys[:, None] < there[:, 3]) & (ys[:, None] + h > there[:, 1]))
    free = np.flatnonzero(~covers.any(axis=1))
    if len(free):
        x, y = xs[free[0]], ys[free[0]]
    else:  # crowded all around: right of everything, level with the spot asked for
        x, y = there[:, 2].max(), at[1]
    return float(x - left), float(y - top)
