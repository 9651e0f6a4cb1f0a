"""Compiling and running a large graph after a paste: counts of the work per box, no timings.

A plan resolves attrs only for boxes whose Function has attrs, reads each box's op once,
and the reference loop checks finiteness without numpy's np.all dispatch per box."""
from __future__ import annotations

import numpy as np

from graphcore import engine
from graphcore import functions as F
from graphcore.graph import Graph
from graphcore.randgraph import random_graph


def _count(monkeypatch, owner, name):
    calls = []
    real = getattr(owner, name)

    def counted(*a, **k):
        calls.append(1)
        return real(*a, **k)
    monkeypatch.setattr(owner, name, counted)
    return calls


def test_attrs_resolved_only_for_boxes_with_attrs(monkeypatch):
    g, _ = random_graph(400, 1)
    with_attrs = sum(1 for n in g.nodes() if g.function(n).attrs)
    calls = _count(monkeypatch, F.Function, "resolve_attrs")
    plan = engine.compile_graph(g, partial=True)
    assert with_attrs < len(g) // 2  # most boxes have none: the count below says something
    assert len(calls) <= 2 * with_attrs  # before: one per box, and again per ignored box and per loss
    assert plan.steps


def test_compile_reads_each_op_once(monkeypatch):
    g, _ = random_graph(400, 1)
    calls = _count(monkeypatch, Graph, "op")
    engine.compile_graph(g, partial=True)
    assert len(calls) < 1.2 * len(g)  # before: over twice per box (the plan, then labels.feeds)


def test_forward_checks_finiteness_without_np_all(monkeypatch):
    g, _ = random_graph(300, 1)
    g.set_meta("loss", None)  # forward only: every box computed
    plan = engine.compile_graph(g, partial=True)
    calls = _count(monkeypatch, np, "all")
    ev = plan.run(None, fast=False)
    assert len(plan.steps) > 100 and ev.values[plan.steps[-1].outs[0]] is not None
    assert len(calls) < len(plan.steps) // 10  # before: one np.all per box


def test_loader_lists_no_change_of_a_graph_nobody_follows(monkeypatch):
    """Loading (a paste reads the clipboard so) builds a new graph in a batch: nobody follows
    it yet, so the batch lists no box or arrow; a followed graph's batch still lists them."""
    from graphcore import fileformat
    from graphcore.events import BatchChanges, EventKind
    g, _ = random_graph(300, 1)
    text = fileformat.dumps(g)
    calls = _count(monkeypatch, BatchChanges, "record")
    loaded = fileformat.loads(text)
    assert len(loaded) == 300 and len(calls) == 0  # before: one per box and per arrow
    seen = []
    loaded.subscribe(seen.append)
    with loaded.batch():
        loaded.add_node("add", "extra")
        loaded.connect(loaded.nodes()[0], "extra", 0)
    (reset,) = seen
    assert reset.kind is EventKind.RESET and not reset.changes.everything
    assert reset.changes.nodes == {"extra"} and len(reset.changes.edges) == 1
