"""Auto-layout with groups: every group is laid out as one unit, inside out.

A *unit* of a level (the top of the graph, or the inside of one group) is a box that
no inner group holds, or a child group. A collapsed group is a unit the size of its
box on the canvas (its ports in rows); an expanded one is the size of its own inside,
laid out the same way, plus a frame with a title. Units go left to right by the
longest path through the arrows between them (a source sits just left of the first
unit it feeds), and each column is stacked top to bottom — so a layer's neurons, which
do not feed each other, share one column.

The canvas draws a collapsed group at the top-left of its boxes' positions (the
``collapsed_origin``), so laying a group out only ever moves its boxes: no position
of its own is stored. Qt-free: the sizes mirror the canvas's box geometry.
"""
from __future__ import annotations

from . import functions as F
from .graph import Graph
from .groups import Groups, groups_of

BOX_WIDTH, HEADER, ROW, FOOTER = 150.0, 28.0, 20.0, 22.0  # gui/canvas/node_item.py's box
GROUP_WIDTH, GROUP_ROW = 190.0, 18.0  # a collapsed group's box: wider (values per port), tighter rows
FRAME_PAD, FRAME_TITLE = 16.0, 30.0   # an expanded group's frame around its boxes
H_GAP, V_GAP = 48.0, 26.0              # between columns, between units of one column


def box_size(graph: Graph, nid: str) -> tuple[float, float]:
    fn, attrs = F.get(graph.op(nid)), graph.attrs(nid)
    rows = max(len(fn.input_names(attrs)), len(fn.output_names(attrs)), 1)
    return BOX_WIDTH, HEADER + ROW * rows + FOOTER


def collapsed_size(groups: Groups, name: str) -> tuple[float, float]:
    """A collapsed group's box: a row per boundary port, then per open port (a wiring target)."""
    ports, free = groups.ports(name), groups.open_ports(name)
    rows = max(len(ports.inputs) + len(free.inputs), len(ports.outputs) + len(free.outputs), 1)
    return GROUP_WIDTH, HEADER + GROUP_ROW * rows + FOOTER


def collapsed_origin(graph: Graph, members) -> tuple[float, float]:
    """Where a collapsed group's box stands: the top-left of its boxes' positions."""
    pts = [graph.layout[m] for m in members if m in graph.layout]
    if not pts:
        return 0.0, 0.0
    return min(p[0] for p in pts), min(p[1] for p in pts)


def layout_groups(graph: Graph, container: str | None = None) -> dict[str, tuple[float, float]]:
    """New positions for every box of ``container`` (None: the whole graph), its top-left
    kept where it was; does not change the graph."""
    groups = groups_of(graph)
    members = groups.members(container) if container is not None else graph.nodes()
    if not members:
        return {}
    rel, _, _ = _arrange(graph, groups, container, set(members))
    ox, oy = collapsed_origin(graph, members)
    return {n: (round(ox + x), round(oy + y)) for n, (x, y) in rel.items()}


def _arrange(graph, groups, container, inside: set[str]):
    """Positions relative to the level's top-left, and the level's width and height."""
    children = groups.children(container)
    unit_of = {n: n for n in inside}
    for child in children:
        for m in groups.get(child).members:
            unit_of[m] = "\0" + child  # a group's unit key cannot clash with a box id
    inner: dict[str, tuple[dict, float, float]] = {}
    size: dict[str, tuple[float, float]] = {}
    for child in children:
        rel, w, h = inner[child] = _arrange(graph, groups, child, set(groups.get(child).members))
        size["\0" + child] = collapsed_size(groups, child) if groups.get(child).collapsed \
            else (w + 2 * FRAME_PAD, h + FRAME_TITLE + FRAME_PAD)
    for n in inside:
        if unit_of[n] == n:
            size[n] = box_size(graph, n)
    columns = _columns(graph, inside, unit_of, size)
    pos, width, height = _stack(columns, size)
    out: dict[str, tuple[float, float]] = {}
    for unit, (x, y) in pos.items():
        if not unit.startswith("\0"):
            out[unit] = (x, y)
            continue
        child = unit[1:]
        rel, _, _ = inner[child]
        dx, dy = (x, y) if groups.get(child).collapsed else (x + FRAME_PAD, y + FRAME_TITLE)
        out.update({n: (px + dx, py + dy) for n, (px, py) in rel.items()})
    return out, width, height


def _columns(graph: Graph, inside: set[str], unit_of: dict[str, str], size) -> list[list[str]]:
    """Units by longest path (groups nest, so sibling units may still form a cycle: an
    arrow against the order of the units' first boxes is left out of the count); a source
    goes in the shortest column left of the first unit it feeds (the level stays low, so
    it fits the window at a readable zoom)."""
    order, seen = [], set()
    for n in graph.topological_order():
        if n in inside and unit_of[n] not in seen:
            seen.add(unit_of[n])
            order.append(unit_of[n])
    rank = {u: i for i, u in enumerate(order)}
    preds: dict[str, set[str]] = {u: set() for u in order}
    succs: dict[str, set[str]] = {u: set() for u in order}
    for e in graph.edges():
        if e.src in inside and e.dst in inside:
            u, v = unit_of[e.src], unit_of[e.dst]
            if u != v and rank[u] < rank[v]:
                preds[v].add(u)
                succs[u].add(v)
    level: dict[str, int] = {}
    for u in order:
        level[u] = 1 + max((level[p] for p in preds[u]), default=-1)
    height: dict[int, float] = {}
    for u in order:
        if preds[u] or not succs[u]:
            height[level[u]] = height.get(level[u], -V_GAP) + size[u][1] + V_GAP
    for u in order:
        if not preds[u] and succs[u]:
            last = max(0, min(level[s] for s in succs[u]) - 1)
            level[u] = min(range(last + 1), key=lambda k: (height.get(k, -V_GAP), -k))
            height[level[u]] = height.get(level[u], -V_GAP) + size[u][1] + V_GAP
    cols: list[list[str]] = [[] for _ in range(1 + max(level.values(), default=-1))]
    for u in order:
        cols[level[u]].append(u)
    centre = {u: float(i) for col in cols for i, u in enumerate(col)}
    for col in cols[1:]:  # order a column by where its feeders stand: fewer crossings
        col.sort(key=lambda u: (sum(centre[p] for p in preds[u]) / len(preds[u])) if preds[u] else centre[u])
        for i, u in enumerate(col):
            centre[u] = float(i)
    return [c for c in cols if c]


def _stack(columns: list[list[str]], size: dict[str, tuple[float, float]]):
    heights = [sum(size[u][1] for u in col) + V_GAP * (len(col) - 1) for col in columns]
    tallest = max(heights, default=0.0)
    pos, x = {}, 0.0
    for col, h in zip(columns, heights, strict=True):
        y = (tallest - h) / 2
        for u in col:
            pos[u] = (x, y)
            y += size[u][1] + V_GAP
        x += max(size[u][0] for u in col) + H_GAP
    return pos, max(0.0, x - H_GAP), tallest
