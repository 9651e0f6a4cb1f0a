"""graphcore.incremental: after each edit, evaluating only what the edit reaches gives the
numbers a full evaluation gives (bit for bit), and really computes fewer boxes."""
from __future__ import annotations

import numpy as np
import pytest

from graphcore import engine, incremental
from graphcore.randgraph import random_graph


def same(a, b):
    assert a.cost == b.cost
    assert a.plan.keys == b.plan.keys
    for lst_a, lst_b in ((a.values, b.values), (a.grads, b.grads)):
        if lst_a is None or lst_b is None:
            assert lst_a is lst_b
            continue
        for x, y in zip(lst_a, lst_b):
            assert (x is None) == (y is None)
            if x is not None:
                assert np.array_equal(x, y)


class Window:
    """What the window's Document does: follow the events, evaluate incrementally."""

    def __init__(self, graph, data):
        self.graph, self.data = graph, data
        self.log = incremental.ChangeLog()
        graph.subscribe(self.log.note)
        self.ev = self.evaluate()

    def evaluate(self, computed=None):
        plan = engine.compile_graph(self.graph, partial=True)
        changed = self.log.take()
        ev = incremental.rerun(plan, getattr(self, "ev", None), changed, self.data)
        if computed is not None:
            computed.append(ev is not None)
        full = plan.run(self.data)
        if ev is not None:
            same(ev, full)
        self.ev = ev or full
        return self.ev


def test_every_edit_matches_a_full_evaluation(seed=0):
    g, data = random_graph(160, seed, with_data=True, m=5)
    w = Window(g, data)
    used = []
    nodes = g.nodes()
    p = next(n for n in nodes if g.op(n) == "parameter")
    new = g.add_node("add", pos=(0, 0))                    # a stray box: ignored, nothing recomputed
    w.evaluate(used)
    g.set_value(p, g.value(p) + 0.25)                       # a value typed: downstream and backward again
    w.evaluate(used)
    victim = next(n for n in reversed(g.topological_order()) if g.op(n) not in ("parameter", "input", "constant")
                  and g.outputs_of(n))
    record, edges, _ = g.remove_node(victim)                # a delete: what it fed becomes incomplete
    w.evaluate(used)
    g.add_record(record)
    for e in edges:                                        # its undo
        g.connect(e.src, e.dst, e.port, e.out)
    w.evaluate(used)
    g.connect(p, new, 0)                                   # wiring the stray box
    w.evaluate(used)
    g.move(new, 100, 100)
    g.set_label(new, "renamed")
    w.evaluate(used)
    assert all(used), "each edit was evaluated incrementally"


def test_a_stray_box_recomputes_nothing(monkeypatch):
    g, data = random_graph(120, 3, with_data=True, m=4)
    w = Window(g, data)
    g.add_node("sin", pos=(0, 0))
    calls = []
    original = engine.Plan.forward_step
    monkeypatch.setattr(engine.Plan, "forward_step", lambda self, s, v: (calls.append(s.node), original(self, s, v)))
    monkeypatch.setattr(engine.Plan, "backpropagate", lambda *a: pytest.fail("backward ran again"))
    plan = engine.compile_graph(g, partial=True)
    ev = incremental.rerun(plan, w.ev, w.log.take(), data)
    assert ev is not None and calls == []
    assert ev.cost == w.ev.cost


def test_a_new_data_set_or_cost_is_a_full_evaluation():
    g, data = random_graph(60, 4, with_data=True, m=3)
    w = Window(g, data)
    g.set_meta("loss", None)
    assert w.log.take() is None
    plan = engine.compile_graph(g, partial=True)
    assert incremental.rerun(plan, w.ev, None, data) is None
