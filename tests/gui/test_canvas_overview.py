"""The canvas at scale, by counting (issue #18 item 5, issue #20's paste): a box's ports are
no items of their own yet are hit, wired and lit; the collector pauses while items are made;
the far-zoom overview follows a group's collapse (tests/gui/test_overview_lod.py has the rest)."""
from __future__ import annotations

import gc

from PySide6.QtCore import QPointF

from gui.canvas import scene_sync
from gui.canvas.node_item import NodeItem
from gui.canvas import overview as overview_module
from gui.canvas.port_item import PortItem
from tests.gui.helpers import drag, open_collapsed, open_random


def test_collapsing_a_group_far_out_redraws_without_the_hidden_boxes(main_window, tmp_path, monkeypatch):
    """Boxes hidden or shown by a collapse tell nobody (no itemChange): the overview notices
    the group layer's state when it paints and reads the boxes again."""
    monkeypatch.setattr(overview_module, "OVERVIEW_MIN_BOXES", 1)
    win = main_window
    g, scene, layer = open_collapsed(win, tmp_path)
    layer.set_collapsed("layer 1", False)
    layer.set_collapsed("neuron 1.2", False)  # its boxes show
    win.view.resize(300, 200)
    win.view.fit()
    scene.overview.follow_zoom(0.1)  # as far out as a 10,000-box graph fitted
    assert scene.overview.on
    win.grab()
    drawn = sum(len(rects) for _c, rects in scene.overview._groups.values())
    assert drawn == sum(1 for it in scene.node_items.values() if it.isVisible()) > 0
    layer.set_collapsed("layer 1", True)
    win.grab()
    shown = sum(1 for it in scene.node_items.values() if it.isVisible())
    assert sum(len(rects) for _c, rects in scene.overview._groups.values()) == shown < drawn


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
    open_random(main_window, 50)
    assert seen and not any(seen)
    assert gc.isenabled()
    with scene_sync.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
