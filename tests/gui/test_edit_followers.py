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


def test_an_added_box_and_a_delete_visit_only_the_items_they_changed(main_window, monkeypatch):
    """After an edit the window's plan is patched (no compile) and the canvas visits only the
    boxes the carried evaluation redid: their marks, feeds, padlocks and footers."""
    from graphcore import engine
    win = main_window
    g, _ = random_graph(300, 6)
    g.layout.update(compute_layout(g))
    win.document.load_graph(g, None)
    doc, g, scene = win.document, win.document.graph, win.scene
    doc.evaluate_now()
    visited, compiled = [], []
    monkeypatch.setattr(NodeItem, "set_data_columns", lambda self, cols: visited.append(self.node_id))
    compile_ = engine.Plan._compile
    monkeypatch.setattr(engine.Plan, "_compile", lambda self, partial: (compiled.append(1), compile_(self, partial)))
    doc.push(C.AddNodeCommand(g, "add", (0.0, 0.0)))
    new = g.nodes()[-1]
    visited.clear()
    doc.evaluate_now()
    assert compiled == [] and doc.plan.patch is not None and set(visited) == {new}
    assert scene.node_items[new].ignored and doc.evaluation.redone == {new}
    victim = g.nodes()[len(g) // 2]
    doc.push(C.RemoveCommand(g, [victim]))
    visited.clear()
    doc.evaluate_now()
    assert compiled == [] and set(visited) == doc.evaluation.redone - {victim} and len(visited) < len(g) // 2
    doc.undo_stack.undo()  # the box back: the gradients from before the delete, no backprop
    visited.clear()
    doc.evaluate_now()
    assert compiled == [] and victim in visited and len(visited) < len(g) // 2
    fresh = engine.Plan(g, partial=True).run(None, fast=False)
    assert doc.evaluation.cost == fresh.cost
