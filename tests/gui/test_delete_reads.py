"""Deleting boxes reads the arrows at those boxes, not every arrow of the graph once per
removed box (issue #18 item 5: deleting all 10,000 boxes took 4.5 s, 0.8 s after). Counts."""
from __future__ import annotations

from graphcore.graph import Graph
from graphcore.randgraph import random_graph
from gui import commands as C


def _counting(monkeypatch):
    calls = {"edges": 0, "arrows_at": 0}
    for name in calls:
        def counted(self, *a, _f=getattr(Graph, name), _n=name, **k):
            calls[_n] += 1
            return _f(self, *a, **k)
        monkeypatch.setattr(Graph, name, counted)
    return calls


def test_a_delete_reads_only_the_arrows_at_the_deleted_boxes(monkeypatch):
    g, _ = random_graph(400, 2)
    chosen = g.nodes()[::3]
    fed = {e.dst for e in g.edges() if e.src in set(chosen)}  # what the old whole-graph scan found
    calls = _counting(monkeypatch)
    cmd = C.RemoveCommand(g, chosen)
    assert calls == {"edges": 0, "arrows_at": len(chosen)}
    assert cmd.touched() == set(chosen) | fed  # the same boxes told they changed


def test_deleting_every_box_and_undo_give_the_graph_back():
    g, _ = random_graph(300, 4)
    before = (g.nodes(), g.edges())
    cmd = C.RemoveCommand(g, g.nodes())
    cmd.do()
    assert len(g) == 0 and not g.edges()
    cmd.undo_it()
    assert (g.nodes(), g.edges()) == before
