"""A selection change reads the selected items, not every box (issue #18 item 5): counts, never
timings. Qt lists the selected items; the scene asks no box whether it is selected."""
from __future__ import annotations

from gui.canvas.edge_item import EdgeItem
from gui.canvas.node_item import NodeItem
from tests.gui.helpers import open_random


def count_calls(monkeypatch, cls):
    calls = []
    real = cls.isSelected
    monkeypatch.setattr(cls, "isSelected", lambda self: calls.append(1) or real(self))
    return calls


def test_selected_boxes_and_arrows_are_read_without_asking_each_item(main_window, monkeypatch):
    g = open_random(main_window, 200, seed=2)
    scene = main_window.scene
    some = [g.nodes()[150], g.nodes()[3], g.nodes()[90]]
    arrows = [g.edges()[40], g.edges()[5]]
    node_calls, edge_calls = count_calls(monkeypatch, NodeItem), count_calls(monkeypatch, EdgeItem)
    main_window.select_nodes(some)
    for e in arrows:
        scene.edge_items[e].setSelected(True)
    nodes, edges = scene.selected_nodes(), scene.selected_edges()
    assert node_calls == [] and edge_calls == []
    order = g.nodes()
    assert nodes == sorted(some, key=order.index)  # in the graph's order, as before
    assert edges == [e for e in scene.edge_items if e in arrows]
    scene.clearSelection()
    assert scene.selected_nodes() == [] and scene.selected_edges() == []
