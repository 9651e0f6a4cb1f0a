"""The orders a Graph keeps: the file's insertion order, and a topological rank per box kept
up to date incrementally (Pearce–Kelly), so that checking a new arrow for a cycle searches
only the boxes ranked between its ends — building a 10,000-box graph stays linear."""
from __future__ import annotations

import heapq


def lexicographic_topological(order: dict, edges: dict) -> list[str]:
    """The topological order that breaks ties by insertion order (what networkx's
    lexicographical sort gives, in plain dicts). When the insertion order already is
    topological — a file written in order, a graph built forwards — it is the answer, and
    checking that costs one pass over the arrows."""
    index = {n: i for i, n in enumerate(order)}
    if all(index[e.src] < index[e.dst] for e in edges):
        return list(order)
    waiting = dict.fromkeys(order, 0)
    succ: dict[str, list[str]] = {n: [] for n in order}
    for e in edges:
        waiting[e.dst] += 1
        succ[e.src].append(e.dst)
    ready = [index[n] for n, k in waiting.items() if k == 0]
    heapq.heapify(ready)
    names, out = list(order), []
    while ready:
        n = names[heapq.heappop(ready)]
        out.append(n)
        for m in succ[n]:
            waiting[m] -= 1
            if not waiting[m]:
                heapq.heappush(ready, index[m])
    return out


def insert_at(order: dict, key, at: int | None) -> dict:
    """Append ``key`` to an insertion-ordered dict, or put it at index ``at`` (O(n), undo only).

    Built from dict copies, merges and ``popitem``, which reuse the hashes the dict keeps:
    rebuilding from a list of keys called an Edge's Python ``__hash__`` once per arrow
    (10,000 arrows: ~12 ms per arrow an undo put back)."""
    if at is None or at >= len(order):
        order[key] = None
        return order
    new = order.copy()
    for _ in range(len(order) - max(at, 0)):
        new.popitem()  # the keys from ``at`` on: the head stays
    new[key] = None
    new.update(order)  # the head's keys keep their places; the tail follows ``key``
    return new


def reorder_for(rank: dict, g, src: str, dst: str) -> dict[str, int] | None:
    """New ranks that keep the topological order once ``src → dst`` is added; None when the
    arrow would close a cycle. ``g``: the networkx graph of the arrows so far.

    Nothing to do when src already ranks before dst. Otherwise a cycle would need a path
    dst → … → src, which can only pass through boxes ranked at most rank[src]: search
    forward from dst among those (finding src means a cycle), backward from src among
    boxes ranked at least rank[dst], and hand the ranks of both sets out again with
    src's ancestors first."""
    lo, hi = rank[dst], rank[src]
    if hi < lo:
        return {}
    ahead = _reach(rank, dst, g.successors, lambda r: r <= hi, stop=src)
    if ahead is None:
        return None
    behind = _reach(rank, src, g.predecessors, lambda r: r >= lo)
    moved = sorted(behind, key=rank.__getitem__) + sorted(ahead, key=rank.__getitem__)
    slots = sorted(rank[n] for n in moved)
    return dict(zip(moved, slots))


def _reach(rank: dict, start: str, step, keep, stop: str | None = None) -> list[str] | None:
    """Boxes reachable from ``start`` by ``step`` whose rank passes ``keep``; None if ``stop`` is reached."""
    seen, todo = {start}, [start]
    while todo:
        for nxt in step(todo.pop()):
            if nxt == stop:
                return None
            if nxt not in seen and keep(rank[nxt]):
                seen.add(nxt)
                todo.append(nxt)
    return list(seen)
