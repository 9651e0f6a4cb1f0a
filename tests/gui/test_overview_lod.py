"""Level of detail (gui/canvas/overview.py): a big graph zoomed far out is drawn by one item.

Counts, never timings: which items paint themselves, how many boxes the overview reads
again after an edit, how many selection signals a Select All sends. The threshold is
lowered so that a small graph stands for a 10,000-box one."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QGraphicsItem

from graphcore.layout import compute_layout
from graphcore.randgraph import random_graph
from gui import commands as C
from gui.canvas import overview as overview_module
from tests.gui.helpers import far_out_window

NO_CONTENTS = QGraphicsItem.ItemHasNoContents


@pytest.fixture
def big(main_window, monkeypatch):
    """The window on an 80-box graph that counts as big, fitted (far out: zoom < 0.25)."""
    return far_out_window(main_window, monkeypatch, (300, 200))


def painted_by_themselves(scene):
    items = list(scene.node_items.values()) + list(scene.edge_items.values())
    return [it for it in items if not it.flags() & NO_CONTENTS]


def test_far_out_one_item_draws_every_box_and_arrow(big):
    scene, view = big.scene, big.view
    assert view.zoom < overview_module.OVERVIEW_ZOOM
    assert scene.overview.on and scene.overview.isVisible()
    assert painted_by_themselves(scene) == []  # Qt calls no box's or arrow's paint
    big.grab()
    tiles = scene.overview.tiles.values()
    assert tiles and all(t.paints >= 1 for t in tiles if t.boxes or t.lines)  # each drew (then kept as a pixmap)
    assert sum(len(rects) for _c, rects in scene.overview._groups.values()) == len(scene.node_items)
    assert len(scene.overview._lines) == len(scene.edge_items)


def test_the_items_still_answer_clicks_far_out(big):
    scene = big.scene
    nid, item = next(iter(scene.node_items.items()))
    at = item.sceneBoundingRect().center()
    assert scene.node_at(at) is item  # hit-tested though it paints nothing
    assert scene.overview not in scene.items(at)  # the overview is never under the pointer


def test_an_edit_reads_again_only_what_it_touched(big):
    scene, g = big.scene, big.document.graph
    big.grab()
    nid = g.nodes()[10]
    read = scene.overview.boxes_read
    x, y = g.layout[nid]
    big.document.push(C.MoveCommand(g, {nid: (x, y)}, {nid: (x + 300.0, y)}))
    big.grab()
    assert scene.overview.boxes_read - read == 1
    rect = scene.overview._groups[scene.overview._key[nid]][1][nid]
    assert (rect.x(), rect.y()) == (x + 300.0, y)
    for e in g.arrows_at(nid):  # its arrows follow it
        assert scene.overview._lines[scene.edge_items[e]] == scene.edge_items[e].line


def test_select_all_far_out_is_one_signal_and_paints_the_boxes_selected(big):
    scene = big.scene
    big.grab()
    signals = []
    scene.selectionChanged.connect(lambda: signals.append(1))
    big.edit.select_all()
    big.grab()
    assert signals == [1]
    selected = overview_module.style.SELECTED.rgba()
    assert set(scene.overview._groups[selected][1]) == set(scene.node_items)


def test_zooming_in_gives_the_boxes_their_own_paint_back(big):
    scene, view = big.scene, big.view
    view.zoom_by(1.0 / view.zoom)  # zoom 1: readable boxes
    assert not scene.overview.on and not scene.overview.isVisible()
    assert len(painted_by_themselves(scene)) == len(scene.node_items) + len(scene.edge_items)
    view.zoom_by(0.1)
    assert scene.overview.on


def test_a_small_graph_never_switches(main_window):
    g, _ = random_graph(30, 2)
    g.layout.update(compute_layout(g))
    main_window.document.load_graph(g, None)
    main_window.view.zoom_by(0.01)
    assert not main_window.scene.overview.on
    assert len(painted_by_themselves(main_window.scene)) == len(g) + len(g.edges())


def test_far_out_boxes_keep_their_marks_ignored_faded_and_a_fault_in_its_colour(big):
    """The overview colours a box as it would paint itself near: an ignored box faded, the
    box an evaluation failed at in the fault colour, and back when the marks go."""
    scene, g = big.scene, big.document.graph
    big.document.push(C.AddNodeCommand(g, "parameter", (0.0, 0.0), value=1.0))  # unwired: ignored
    big.document.evaluate_now()
    lone = next(n for n, it in scene.node_items.items() if it.ignored)
    big.grab()
    faded = overview_module._faded(overview_module.style.KIND_COLORS[scene.node_items[lone].kind])
    assert scene.overview._key[lone] == faded.rgba() and faded.alpha() < 255
    wired = next(n for n, it in scene.node_items.items() if not it.ignored)
    scene.show_failure("log of a negative number", [wired])
    big.grab()
    assert scene.overview._key[wired] == overview_module.style.UNWIRED.rgba()
    scene.show_evaluation(big.document.evaluation)
    big.grab()
    assert scene.overview._key[wired] == overview_module.style.KIND_COLORS[scene.node_items[wired].kind].rgba()


def test_boxes_and_arrows_keep_their_bounds_in_cpp(main_window):
    """No Python boundingRect: Qt read it ~3 times per item per repaint. The bounds are the
    items' rects, following the box's ports and badge and the arrow's curve and labels."""
    from gui.canvas.edge_item import EdgeItem
    from gui.canvas.node_item import NodeItem, PORT_REACH, WIDTH

    assert "boundingRect" not in vars(NodeItem) and "boundingRect" not in vars(EdgeItem)
    g, _ = random_graph(30, 3)
    main_window.document.load_graph(g, None)
    scene = main_window.scene
    for item in scene.node_items.values():
        assert item.boundingRect() == item.rect()
        assert (item.rect().left(), item.rect().width()) == (-PORT_REACH, WIDTH + 2 * PORT_REACH)
        assert item.rect().bottom() == item.height + 4
    item = next(iter(scene.node_items.values()))
    tall = item.rect().height()
    item.badge = "dJ/dx = 1"
    assert item.rect().height() == tall + 18
    item.badge = ""
    assert item.rect().height() == tall
    edge, arrow = next(iter(scene.edge_items.items()))
    assert arrow.boundingRect() == arrow.path().controlPointRect().adjusted(-8, -8, 8, 8)
    arrow.set_labels("1.5", "", 1.0)
    assert arrow.boundingRect() == arrow.path().controlPointRect().adjusted(-68, -32, 68, 32)
    arrow.set_labels("", "", 1.0)
    main_window.document.push(C.MoveCommand(main_window.document.graph, {edge.src: g.layout.get(edge.src)},
                                            {edge.src: (-500.0, -300.0)}))
    assert arrow.path().pointAtPercent(0) == arrow.src_port.scenePos()
    assert arrow.boundingRect() == arrow.path().controlPointRect().adjusted(-8, -8, 8, 8)
    assert arrow.boundingRect().contains(arrow.src_port.scenePos())
