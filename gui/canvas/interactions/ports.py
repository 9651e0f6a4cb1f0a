"""Wiring ends: a box's port (PortItem) or a collapsed group's port (GroupPort), and which
box port in the model each one stands for.

A collapsed group's output bᵢ (or open output) is the inner box output behind it; its open
input is the inner box's unwired input. An input aⱼ already carries a Variable from outside,
read by one or more inner boxes: it is taken (the group is opened to rewire those)."""
from __future__ import annotations

from ..group_item import GroupPort
from ..port_item import PortItem


def port_at(scene, pos):
    """The wiring end under a scene point (the topmost shown), or None. A box's ports are not
    items: the box under the point says which of its ports is there (port_item.py)."""
    from ..node_item import NodeItem
    for item in scene.items(pos):
        if isinstance(item, NodeItem):
            port = item.port_near(item.mapFromScene(pos))
            if port is not None:
                return port
        elif isinstance(item, GroupPort):
            return item
    return None


def node_at(scene, pos):
    """The box under a scene point (its port counts as the box), or None."""
    from ..node_item import NodeItem
    for item in scene.items(pos):
        if isinstance(item, NodeItem):
            return item
    return None


def source_of(end) -> tuple[str, int]:
    """(box, output) an output end stands for."""
    if isinstance(end, PortItem):
        return end.node_id, end.index
    return end.box, end.index


def sink_of(end, graph) -> tuple[str, int] | str:
    """(box, input port) an input end stands for, or why nothing can be plugged into it."""
    if isinstance(end, PortItem):
        return end.node_id, end.index
    if end.open:
        return end.box, end.index
    return (f"{end.name} of group '{end.group}' is taken: it carries {graph.box_name(end.box)} — "
            "open the group (double-click) to rewire the boxes that read it")


def refusal_at_start(end, graph) -> str | None:
    """An end no arrow can start from (a taken aⱼ), and why; None for every other end."""
    if isinstance(end, GroupPort) and end.is_input:
        found = sink_of(end, graph)
        return found if isinstance(found, str) else None
    return None


def arrow_into(end, graph):
    """The arrow a press on a box's wired input picks up (its output end stays put), or None."""
    if isinstance(end, PortItem) and end.is_input:
        return graph.edge_into(end.node_id, end.index)
    return None
