"""The canvas at scale, by counting (issue #18 item 5, issue #20's paste): zoomed far out one
overview item draws the graph and no box or arrow item is asked to paint; zoomed in the
items paint as before; a box's ports are no items of their own yet are hit, wired and lit."""
from __future__ import annotations

import gc

from PySide6.QtCore import QPointF

from graphcore.layout import compute_layout
from graphcore.randgraph import random_graph
from gui.canvas import scene_sync
from gui.canvas.edge_item import EdgeItem
from gui.canvas.node_item import NodeItem
from gui.canvas.overview import FAR_ZOOM, Overview
from gui.canvas.port_item import PortItem
from tests.gui.helpers import drag


def _open(win, n, seed=0):
    g, _ = random_graph(n, seed)
    g.layout.update(compute_layout(g))
    win.document.load_graph(g, None)
    return win.document.graph


def _count_paints(monkeypatch):
    calls = {"node": 0, "edge": 0, "overview": 0}
    for cls, key in ((NodeItem, "node"), (EdgeItem, "edge"), (Overview, "overview")):
        original = cls.paint

        def counted(self, *args, _original=original, _key=key):
            calls[_key] += 1
            return _original(self, *args)
        monkeypatch.setattr(cls, "paint", counted)
    return calls


def test_far_out_one_item_draws_the_graph(main_window, monkeypatch):
    win = main_window
    g = _open(win, 300)
    win.view.fit()
    assert win.view.zoom < FAR_ZOOM  # 300 boxes fitted in the window: each a few pixels
    calls = _count_paints(monkeypatch)
    win.view.viewport().grab()
    assert calls == {"node": 0, "edge": 0, "overview": 1}
    assert win.scene.overview.far
    # the items stay in the scene, selectable and hit: a click or the rubber band still finds them
    nid = g.nodes()[7]
    item = win.scene.node_items[nid]
    assert win.scene.node_at(item.sceneBoundingRect().center()) is item
    win.select_nodes([nid])
    assert win.scene.selected_nodes() == [nid]


def test_zoomed_in_the_items_paint_and_the_overview_does_not(main_window, monkeypatch):
    win = main_window
    g = _open(win, 300)
    win.view.fit()
    win.view.viewport().grab()
    win.view.resetTransform()
    win.view.centerOn(win.scene.node_items[g.nodes()[0]].sceneBoundingRect().center())
    calls = _count_paints(monkeypatch)
    win.view.viewport().grab()
    assert not win.scene.overview.far
    assert calls["overview"] == 0 and calls["node"] > 0 and calls["edge"] > 0


def test_the_overview_collects_again_only_after_a_change(main_window, monkeypatch):
    win = main_window
    g = _open(win, 300)
    win.view.fit()
    win.view.viewport().grab()
    collected = []
    original = Overview._collect
    monkeypatch.setattr(Overview, "_collect", lambda self: (collected.append(1), original(self)))
    win.view.viewport().grab()
    assert collected == []  # a repaint of an unchanged graph reuses the lists it drew last time
    win.select_nodes(g.nodes()[:5])
    win.view.viewport().grab()
    assert collected == [1] and len(win.scene.overview._selected) == 5
    nid = g.nodes()[3]
    x, y = g.layout[nid]
    item = win.scene.node_items[nid]
    item.setPos(x + 400, y)  # as a drag does: Qt moves the item, the scene is told
    win.scene.node_item_moved(item)
    win.view.viewport().grab()
    assert collected == [1, 1]
    assert any(r.x() == x + 400 for r in win.scene.overview._selected)


def test_ports_are_no_items_yet_are_hit_lit_and_wired(main_window):
    win = main_window
    g = win.document.graph
    a = win.edit.add_box("parameter", QPointF(0, 0))
    b = win.edit.add_box("sin", QPointF(300, 0))
    src, dst = win.scene.node_items[a], win.scene.node_items[b]
    assert src.childItems() == [] and dst.childItems() == []  # no item per port
    port = dst.inputs[0]
    assert isinstance(port, PortItem)
    assert win.scene.port_at(port.scenePos()) is port
    assert win.scene.port_at(port.scenePos() + QPointF(-7, 0)) is port  # just outside the box's side
    assert win.scene.node_at(port.scenePos() + QPointF(-7, 0)) is dst
    dst._hover_port(dst.port_near(dst.mapFromScene(port.scenePos())))
    assert port.hover and dst.toolTip() == port.tip()
    dst._hover_port(None)
    assert not port.hover and dst.toolTip() == dst.tooltip_text() != port.tip()
    drag(win, src.outputs[0].scenePos(), port.scenePos())
    assert g.edge_into(b, 0) is not None and g.edge_into(b, 0).src == a


def test_building_many_items_pauses_the_garbage_collector_and_restores_it(main_window, monkeypatch):
    seen = []
    original = NodeItem.__init__

    def noting(self, *args):
        seen.append(gc.isenabled())
        original(self, *args)
    monkeypatch.setattr(NodeItem, "__init__", noting)
    assert gc.isenabled()
    _open(main_window, 50)
    assert seen and not any(seen)
    assert gc.isenabled()
    with scene_sync.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
