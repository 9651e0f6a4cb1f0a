"""Boxes hidden behind a collapsed group get their canvas item when first needed.

A file of 1,000 boxes in collapsed groups shows ten group boxes; building a NodeItem, its
ports and its arrows for every hidden box was a large part of File ▸ Open. ``NodeItems``
is the scene's box id → NodeItem map, in which a *deferred* box has no item yet:

- ``items[nid]`` builds a deferred box's item (hidden, brought up to date with the values,
  marks and overlay the others show), so every ``scene.node_items[nid]`` keeps working;
- ``get``, ``in``, ``len`` and iteration see the built items only: a hidden box is neither
  drawn, selected, placed nor given values until it has an item.

The group layer builds the items of the boxes an expand, a drill-in or an ungroup shows,
and the arrows that then have both ends drawn (the scene's *pending* arrows: an end on a
deferred box). Items once built stay (hidden on collapse), as before.
"""
from __future__ import annotations

from types import SimpleNamespace

from .scene_sync import show_values


class NodeItems(dict):
    def __init__(self, build):
        super().__init__()
        self.deferred: set[str] = set()
        self._build = build  # ids → {id: item}: the scene's build_deferred

    def __missing__(self, nid):
        if nid in self.deferred:
            made = self._build([nid])
            if nid in made:
                return made[nid]
        raise KeyError(nid)


def behind_collapsed(layer) -> set[str]:
    """The boxes a collapsed group hides at the level the group layer shows (its focus)."""
    groups = layer.groups
    focus = layer.focus if layer.focus in groups else None  # a focus the new file lacks: the top
    hidden: set[str] = set()

    def visit(container):
        for child in groups.children(container):
            group = groups.get(child)
            if group.collapsed:
                hidden.update(group.members)
            else:
                visit(child)
    visit(focus)
    return hidden


def catch_up(scene, items: dict):
    """New items of deferred boxes shown as the scene shows its others: visibility, data
    feeds, exercise marks, values, the overlay."""
    if not items:
        return
    rep = scene.group_layer.rep
    for nid, item in items.items():  # (the loss mark is set as the item is made)
        item.setVisible(rep.get(nid) == nid)
    scene.show_feeds(items)
    hidden = scene.show_exercise(items)
    ev = scene.document.evaluation
    if ev is not None:
        show_values(SimpleNamespace(node_items=items), ev, hidden)  # these items only
    for nid in scene.failed_at.intersection(items):  # the last evaluation failed at it
        items[nid].set_error(True)
    if scene.overlay is not None:
        scene.set_overlay(scene.overlay)


def build_shown(layer):
    """The items of deferred boxes the group layer now shows (an expand, a drill-in, an ungroup)."""
    shown = [n for n in layer.scene.node_items.deferred if layer.rep.get(n) == n]
    if shown:
        layer.scene.build_deferred(shown)


def build_pending_edges(layer):
    """Arrows at deferred boxes that now have two ends to go to (a group's port, a box shown)."""
    scene, graph = layer.scene, layer.graph
    built = False
    for e in list(scene.pending_edges):
        if graph.edge_into(e.dst, e.port) != e:  # gone (or replaced) meanwhile
            scene.pending_edges.discard(e)
            continue
        src, dst = layer.ends(e)[2:]
        if src is not None and dst is not None:
            scene.adopt_edge(e, src, dst)
            built = True
    if built and scene.overlay is not None:
        scene.set_overlay(scene.overlay)  # the new arrows' labels
