"""What follows an edit costs what the edit changed (issue #18 item 5): counted, not timed."""
from __future__ import annotations

from graphcore.layout import compute_layout
from graphcore.randgraph import random_graph
from gui import commands as C
from gui.canvas.node_item import NodeItem


def test_a_new_value_reformats_only_the_boxes_downstream(main_window, monkeypatch):
    win = main_window
    g, _ = random_graph(120, 5)
    g.layout.update(compute_layout(g))
    win.document.load_graph(g, None)
    g = win.document.graph
    below = {p: {n for n in g.nodes() if p in g.upstream_of([n])} | {p} for p in g.parameters()}
    p = min(below, key=lambda q: len(below[q]))  # the parameter that feeds the fewest boxes
    downstream = below[p]
    touched, marked = [], []
    unwired = NodeItem.set_unwired
    monkeypatch.setattr(NodeItem, "set_unwired", lambda self, ports: (marked.append(self.node_id),
                                                                      unwired(self, ports)))
    original = NodeItem.set_value_text
    monkeypatch.setattr(NodeItem, "set_value_text", lambda self, text: (touched.append(self.node_id),
                                                                         original(self, text)))
    win.document.push(C.SetValueCommand(g, p, g.value(p) + 0.5))
    win.document.evaluate_now()
    assert touched and set(touched) <= downstream
    assert len(downstream) < len(g) // 2  # the other boxes kept their text untouched
    assert set(marked) == set(win.document.plan.unwired)  # marks set only where a port is unwired


def test_the_cost_mark_follows_the_loss_and_touches_two_boxes(main_window, monkeypatch):
    win = main_window
    g, _ = random_graph(60, 3)
    g.layout.update(compute_layout(g))
    win.document.load_graph(g, None)
    g, scene = win.document.graph, win.scene
    a, b = [n for n in g.nodes() if g.op(n) != "parameter"][:2]
    updated = []
    monkeypatch.setattr(NodeItem, "update", lambda self, *args: updated.append(self.node_id))
    g.set_meta("loss", a)
    assert [n for n, it in scene.node_items.items() if it.is_loss] == [a]
    updated.clear()
    g.set_meta("loss", b)
    assert [n for n, it in scene.node_items.items() if it.is_loss] == [b]
    assert set(updated) == {a, b}
    scene.rebuild()  # new items are marked as they are made
    assert [n for n, it in scene.node_items.items() if it.is_loss] == [b]
