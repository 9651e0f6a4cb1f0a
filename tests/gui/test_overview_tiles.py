"""The far-out overview draws in tiles (gui/canvas/overview.py): an edit redraws the tiles it
touches, nothing else. Counts, never timings: which tiles paint again after an edit, a
Select All, a rename, a zoom. The threshold is lowered so that a small graph stands for a
10,000-box one; the tiles are made small so that it has many."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF

from gui import commands as C
from gui.canvas import overview as overview_module
from tests.gui.helpers import far_out_window


@pytest.fixture
def tiled(main_window, monkeypatch):
    """The window on an 80-box graph that counts as big, fitted far out, in many tiles."""
    far_out_window(main_window, monkeypatch, (600, 400), tiles_across=12)
    main_window.grab()
    return main_window


def paints(scene) -> dict:
    return {key: tile.paints for key, tile in scene.overview.tiles.items()}


def repainted(scene, before) -> set:
    return {key for key, n in paints(scene).items() if n != before.get(key, 0)}


def drawn(scene):
    """Every tile with something in it, as the boxes' and arrows' cells say."""
    return {key for key, tile in scene.overview.tiles.items() if tile.boxes or tile.lines}


def test_the_tiles_hold_every_box_and_arrow_once_drawn(tiled):
    scene = tiled.scene
    ov = scene.overview
    assert ov.on and len(drawn(scene)) > 10  # many tiles
    boxes = set().union(*(t.boxes for k, t in ov.tiles.items() if k[0] == overview_module.BOXES))
    arrows = set().union(*(t.lines for k, t in ov.tiles.items() if k[0] == overview_module.ARROWS))
    assert boxes == set(scene.node_items) and arrows == set(scene.edge_items.values())
    assert all(ov.tiles[k].paints >= 1 for k in drawn(scene))


def test_moving_one_box_redraws_only_the_tiles_it_and_its_arrows_touch(tiled):
    scene, g = tiled.scene, tiled.document.graph
    ov = scene.overview
    nid = g.nodes()[10]
    item = scene.node_items[nid]
    arrows = [scene.edge_items[e] for e in g.arrows_at(nid)]
    before_keys = {k for k, t in ov.tiles.items() if nid in t.boxes or any(a in t.lines for a in arrows)}
    before, collects = paints(scene), sum(t.collects for t in ov.tiles.values())
    x, y = g.layout[nid]
    tiled.document.push(C.MoveCommand(g, {nid: (x, y)}, {nid: (x + 40.0, y + 20.0)}))
    tiled.grab()
    after_keys = {k for k, t in ov.tiles.items() if nid in t.boxes or any(a in t.lines for a in arrows)}
    again = repainted(scene, before)
    assert again and again <= before_keys | after_keys  # only where it was or is now
    assert len(again) < len(drawn(scene)) // 2
    assert sum(t.collects for t in ov.tiles.values()) - collects == len(again)
    rect = next(ov.tiles[k] for k in after_keys if k[0] == overview_module.BOXES).boxes[nid][1]
    assert (rect.x(), rect.y()) == (item.x(), item.y()) == (x + 40.0, y + 20.0)


def test_an_added_box_redraws_its_own_tile(tiled):
    scene = tiled.scene
    before = paints(scene)
    nid = tiled.edit.add_box("add", QPointF(0, 0))
    tiled.grab()
    again = repainted(scene, before)
    holding = {k for k, t in scene.overview.tiles.items() if nid in t.boxes}
    assert holding and holding <= again and len(again) <= len(holding) + 2  # the selection it got: same tiles


def test_a_rename_redraws_no_tile(tiled):
    scene, g = tiled.scene, tiled.document.graph
    before = paints(scene)
    tiled.document.push(C.RenameCommand(g, g.nodes()[5], "renamed"))
    tiled.grab()
    assert repainted(scene, before) == set()


def test_select_all_redraws_every_box_tile_and_no_arrow_tile(tiled):
    scene = tiled.scene
    before = paints(scene)
    tiled.edit.select_all()
    tiled.grab()
    again = repainted(scene, before)
    box_tiles = {k for k in drawn(scene) if k[0] == overview_module.BOXES}
    assert again == box_tiles
    selected = overview_module.style.SELECTED.rgba()
    assert all(key == selected for t in scene.overview.tiles.values() for key, _r in t.boxes.values())


def test_a_zoom_redraws_every_tile_in_view(tiled):
    scene, view = tiled.scene, tiled.view
    assert 0.06 < view.zoom < overview_module.OVERVIEW_ZOOM / 1.5
    before = paints(scene)
    view.zoom_by(1.2)  # still far out: the tiles' pixmaps were drawn at the old scale
    assert scene.overview.on
    tiled.grab()
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    in_view = {k for k in drawn(scene) if scene.overview.tiles[k].rect().intersects(shown)}
    assert in_view and in_view <= repainted(scene, before)
