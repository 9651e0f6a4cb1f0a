"""Counts, not timings: at 10,000 boxes an edit's plan is patched, not compiled, and the run
after it computes only what the edit reaches (issue #18 item 5)."""
from __future__ import annotations

import pytest

from graphcore import engine, incremental
from graphcore.graph import Graph
from graphcore.randgraph import random_graph


class Follower:
    """The window's Document without Qt: plan_after, then rerun."""

    def __init__(self, g):
        self.g, self.log = g, incremental.ChangeLog()
        g.subscribe(self.log.note)
        self.plan = incremental.plan_after(g, None, None)
        self.log.take()
        self.ev = self.plan.run(None, fast=False)

    def evaluate(self):
        changed = self.log.take()
        self.plan = incremental.plan_after(self.g, self.plan, self.log.touched, self.log.added)
        self.ev = incremental.rerun(self.plan, self.ev, changed, None)
        assert self.ev is not None
        return self.plan


@pytest.fixture(scope="module")
def big():
    g, _ = random_graph(10_000, 0)
    return g, Follower(g)


def counting(monkeypatch):
    calls = {"compile": 0, "forward": [], "backward": 0, "topological_order": 0}
    compile_ = engine.Plan._compile
    forward = engine.Plan.forward_step
    backward = engine.Plan.backpropagate
    order = Graph.topological_order

    def count(key, fn):
        def wrapped(*a, **k):
            calls[key] += 1
            return fn(*a, **k)
        return wrapped
    monkeypatch.setattr(engine.Plan, "_compile", count("compile", compile_))
    monkeypatch.setattr(engine.Plan, "backpropagate", count("backward", backward))
    monkeypatch.setattr(Graph, "topological_order", count("topological_order", order))
    monkeypatch.setattr(engine.Plan, "forward_step",
                        lambda self, s, v: (calls["forward"].append(s.node), forward(self, s, v)))
    return calls


def test_an_add_on_10000_boxes_patches_one_box(big, monkeypatch):
    g, w = big
    calls = counting(monkeypatch)
    new = g.add_node("add", pos=(0, 0))
    plan = w.evaluate()
    assert plan.patch is not None and plan.patch.reread == {new}
    assert calls == {"compile": 0, "forward": [], "backward": 0, "topological_order": 0}
    assert new in plan.ignored and plan.unwired[new] == [0, 1] and w.ev.redone == {new}
    g.remove_node(new)
    w.evaluate()


def test_a_delete_and_its_undo_on_10000_boxes(big, monkeypatch):
    g, w = big
    calls = counting(monkeypatch)
    nid = g.nodes()[len(g) // 2]
    at = g.nodes().index(nid)
    before = w.ev
    rec, edges, _ = g.remove_node(nid)
    plan = w.evaluate()
    assert calls["compile"] == calls["topological_order"] == calls["backward"] == 0
    assert len(plan.patch.reread) < 100  # the box's neighbours and what became incomplete
    cut_off = set(plan.ignored)  # what fed only the deleted box: evaluated again after the undo
    g.add_record(rec, at=at)
    for e in edges:
        g.connect(e.src, e.dst, e.port, e.out)
    plan = w.evaluate()
    # no compile, no backprop (the gradients from before the delete hold bit for bit), the
    # forward only downstream of the box put back (and what fed only it)
    assert calls["compile"] == calls["topological_order"] == calls["backward"] == 0
    downstream = {nid} | cut_off
    todo = [nid]
    while todo:
        for d in g.neighbours(todo.pop())[1]:
            if d not in downstream:
                downstream.add(d)
                todo.append(d)
    assert set(calls["forward"]) <= downstream and len(calls["forward"]) == len(set(calls["forward"]))
    assert w.ev.cost == before.cost
    fresh = engine.Plan(g, partial=True).run(None, fast=False)
    got, want = w.ev.grads_dict(), fresh.grads_dict()
    assert got.keys() == want.keys() and all(got[k].tobytes() == v.tobytes() for k, v in want.items())
