"""Undo commands for groups: group, ungroup, collapse or expand, rename — one step each.

Like gui/commands.py they call the model only (``graphcore.groups``); the canvas's group
layer follows the graph's ``groups`` change event. Moving, deleting and pasting a group
are the box commands on its boxes (a group has no position of its own).
"""
from __future__ import annotations

from graphcore.groups import groups_of

from .commands import GraphCommand


def default_name(graph) -> str:
    """The first free "group N"."""
    taken = set(groups_of(graph).names())
    n = 1
    while f"group {n}" in taken:
        n += 1
    return f"group {n}"


def free_name(graph, wanted: str) -> str:
    """``wanted``, or ``wanted (2)``, ``(3)`` … when a group already has that name (a paste)."""
    taken = set(groups_of(graph).names())
    name, n = wanted, 1
    while name in taken:
        n += 1
        name = f"{wanted} ({n})"
    return name


class GroupCommand(GraphCommand):
    """Ctrl+G: make a group of boxes (refused by graphcore.groups with its reason)."""

    def __init__(self, graph, members, name: str | None = None, collapsed: bool = False):
        self.name = name or default_name(graph)
        super().__init__(graph, f"Group {len(members)} box{'es' * (len(members) != 1)} as '{self.name}'")
        self.members, self.collapsed = [n for n in graph.nodes() if n in set(members)], collapsed

    def do(self):
        groups_of(self.graph).add(self.name, self.members, self.collapsed)

    def undo_it(self):
        groups_of(self.graph).remove(self.name)

    def rename_now(self, new: str):
        """The name typed right after Ctrl+G: still the same one undo step."""
        groups_of(self.graph).rename(self.name, new)
        self.name = new
        self.setText(f"Group {len(self.members)} box{'es' * (len(self.members) != 1)} as '{new}'")


class UngroupCommand(GraphCommand):
    """Ctrl+Shift+G: the group goes, its boxes stay; undo puts it back at its place in the file."""

    def __init__(self, graph, name: str):
        super().__init__(graph, f"Ungroup '{name}'")
        self.name = name

    def do(self):
        groups = groups_of(self.graph)
        self.at = groups.names().index(self.name)
        self.record = groups.remove(self.name)

    def undo_it(self):
        r = self.record
        groups_of(self.graph).add(r.name, list(r.members), r.collapsed, at=self.at)


class CollapseCommand(GraphCommand):
    def __init__(self, graph, name: str, collapsed: bool):
        super().__init__(graph, f"{'Collapse' if collapsed else 'Expand'} '{name}'")
        self.name, self.collapsed = name, collapsed

    def do(self):
        groups = groups_of(self.graph)
        self.was = groups.get(self.name).collapsed
        groups.set_collapsed(self.name, self.collapsed)

    def undo_it(self):
        groups_of(self.graph).set_collapsed(self.name, self.was)


class RenameGroupCommand(GraphCommand):
    def __init__(self, graph, old: str, new: str):
        super().__init__(graph, f"Rename group '{old}' to '{new}'")
        self.old, self.new = old, new

    def do(self):
        groups_of(self.graph).rename(self.old, self.new)

    def undo_it(self):
        groups_of(self.graph).rename(self.new, self.old)


class JoinGroupCommand(GraphCommand):
    """Boxes join a group and every group around it (so the groups still nest)."""

    def __init__(self, graph, name: str, ids):
        super().__init__(graph, f"Add to '{name}'")
        self.name, self.ids = name, list(ids)

    def do(self):
        groups = groups_of(self.graph)
        chain, g = [], self.name
        while g is not None:
            chain.insert(0, g)
            g = groups.parent(g)
        self.before = []  # (name, members) as they were, outermost first
        try:
            for g in chain:
                old = list(groups.get(g).members)
                groups.set_members(g, old + [i for i in self.ids if i not in old])
                self.before.append((g, old))
        except Exception:
            self.undo_it()
            raise

    def undo_it(self):
        groups = groups_of(self.graph)
        for name, old in reversed(self.before):  # innermost first: the groups nest at every step
            groups.set_members(name, old)
        self.before = []


class InsideCommand(GraphCommand):
    """A command that adds boxes, run while drilled into a group: they join it too, one step."""

    def __init__(self, graph, inner: GraphCommand, name: str, new_ids):
        super().__init__(graph, inner.text())
        self.inner, self.name, self.new_ids = inner, name, new_ids

    def do(self):
        self.inner.do()
        self.join = JoinGroupCommand(self.graph, self.name, self.new_ids())
        try:
            self.join.do()
        except Exception:
            self.inner.undo_it()
            raise

    def undo_it(self):
        self.join.undo_it()
        self.inner.undo_it()
