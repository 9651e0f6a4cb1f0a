"""The canvas following the Graph one event at a time: one handler per ``EventKind``
(a batch's ``reset`` goes to ``scene_sync.apply_changes``)."""
from __future__ import annotations

from graphcore.graph import EventKind

from .scene_sync import apply_changes, gc_paused, one_selection_signal, place


def follow(scene, ev):
    """Bring ``scene``'s items up to date after the change ``ev``."""
    HANDLERS[ev.kind](scene, ev)


def _reset(scene, ev):
    with one_selection_signal(scene), gc_paused():
        done = apply_changes(scene, ev.changes)
    if not done:
        scene.rebuild()
        return
    scene.overview.follow_zoom(scene.overview.zoom)  # a paste or a delete may cross its threshold
    scene.refresh_loss_marks()
    if scene.overlay is not None:
        scene.set_overlay(scene.overlay)


def _node_added(scene, ev):
    scene.add_node_item(ev.node)


def _node_removed(scene, ev):
    scene.remove_node_item(ev.node)


def _node_changed(scene, ev):
    item = scene.node_items.get(ev.node)
    if item is not None:
        item.refresh()
        scene.overview.touch(ev.node)  # its kind (colour) may have changed
        if ev.key == "attrs":  # the ports may have changed
            scene.rewire_node(ev.node)


def _edge_added(scene, ev):
    scene.add_edge_item(ev.edge)
    scene.refresh_loss_marks()


def _edge_removed(scene, ev):
    scene.remove_edge_item(ev.edge)


def _graph_changed(scene, ev):
    scene.refresh_loss_marks()


HANDLERS = {
    EventKind.RESET: _reset,
    EventKind.NODE_ADDED: _node_added,
    EventKind.NODE_REMOVED: _node_removed,
    EventKind.NODE_CHANGED: _node_changed,
    EventKind.NODE_MOVED: lambda scene, ev: place(scene, ev.node),
    EventKind.EDGE_ADDED: _edge_added,
    EventKind.EDGE_REMOVED: _edge_removed,
    EventKind.GRAPH_CHANGED: _graph_changed,
}
