"""Where a piece inserted at the cursor goes (graphcore.placement): at the spot, or the nearest
free spot right/down of it, never over a box that is there; a collapsed group counts as its box."""
from __future__ import annotations

import numpy as np

from graphcore.builder import GraphBuilder
from graphcore.groups import groups_of
from graphcore.placement import MARGIN, footprint, free_offset

from tests.groups.group_graphs import xor_grouped


def _moved(piece, offset):
    rects = footprint(piece)
    return rects + np.array([offset[0], offset[1], offset[0], offset[1]])


def _overlap(a, b) -> bool:
    return bool(((a[:, None, 0] < b[None, :, 2]) & (a[:, None, 2] > b[None, :, 0])
                 & (a[:, None, 1] < b[None, :, 3]) & (a[:, None, 3] > b[None, :, 1])).any())


def _small(name="p"):
    b = GraphBuilder(name)
    b.input("x", value=1.0)
    b.parameter("w", 0.5)
    b.box("mul", "x", "w", id="m")
    b.graph.layout.update({"x": (1000.0, 500.0), "w": (1000.0, 600.0), "m": (1200.0, 540.0)})
    return b.graph


def test_on_an_empty_spot_the_top_left_is_the_spot():
    piece = _small()
    dx, dy = free_offset(_small("there"), piece, (-2000.0, -900.0))
    rects = _moved(piece, (dx, dy))
    assert (rects[:, 0].min(), rects[:, 1].min()) == (-2000.0, -900.0)


def test_over_boxes_it_moves_right_or_down_to_the_nearest_free_spot():
    graph = xor_grouped()
    there = footprint(graph)
    at = tuple(there[40, :2] + 10)  # inside a box of the network
    piece = _small()
    dx, dy = free_offset(graph, piece, at)
    rects = _moved(piece, (dx, dy))
    left, top = rects[:, 0].min(), rects[:, 1].min()
    assert left >= at[0] and top >= at[1] and (left, top) != at
    assert not _overlap(rects, there + np.array([-MARGIN, -MARGIN, MARGIN, MARGIN]))
    assert np.hypot(left - at[0], top - at[1]) < 1700  # on the grid near the spot, not beside the whole graph


def test_a_collapsed_group_covers_its_box_and_hides_its_members():
    graph = xor_grouped()
    groups = groups_of(graph)
    groups.set_collapsed("layer 1", True)
    inside = len(groups.members("layer 1"))
    assert len(footprint(graph)) == len(graph) - inside + 1
    assert len(footprint(graph, skip={"x1", "x2"})) == len(graph) - inside - 1


def test_nowhere_free_near_the_spot_it_goes_right_of_everything():
    b = GraphBuilder("wall")
    for i in range(60):  # a wall of boxes wider and taller than the grid tried
        for j in range(30):
            b.constant(f"c{i}_{j}", 1.0)
            b.graph.layout[f"c{i}_{j}"] = (i * 100.0, j * 100.0)
    dx, dy = free_offset(b.graph, _small(), (10.0, 10.0))
    rects = _moved(_small(), (dx, dy))
    assert rects[:, 0].min() >= 59 * 100.0 + 150 and rects[:, 1].min() == 10.0
