"""Groups: named sets of boxes a learner reads as one vector Function (a neuron, a layer).

A group lists every box it holds — a layer lists its neurons' boxes too — and groups
nest by holding: two groups either share no box, or one holds every box of the other
(equal sets nest in file order: the earlier one is the outer). The engine never sees
groups; it still evaluates the flat graph.

A group's boundary ports come from the arrows that cross it:

* inputs ``a₁ … aₙ``: the Variables made outside the group and read inside it;
* outputs ``b₁ … bₖ``: the Variables made inside and read outside it, or named by the
  graph's ``loss`` or ``output``.

Both are ordered by the graph's topological order of the box making the Variable
(ties by the file's box order, as ``Graph.topological_order``), then by its output
port — so the order is the same on every load.

The groups live beside the Graph (``groups_of(graph)``), follow its edits through its
change events (a removed box leaves its groups; a group left empty is removed) and
are read and written by ``fileformat`` as the optional top-level ``groups`` block
(docs/FILE_FORMAT_GROUPS.md).
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from . import functions
from .errors import GraphError
from .graph import EventKind, Graph, GraphEvent
from .variable_ref import VariableRef

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
GROUP_KEYS = {"name", "members", "collapsed"}
MAX_NAME = 200


class GroupError(GraphError):
    """A group that breaks a rule: unknown or repeated members, an empty group, a name
    already taken, an overlap that is not nesting, a cycle through the outside."""


@dataclass
class Group:
    name: str
    members: list[str]  # box ids, in the order given (the file's order)
    collapsed: bool = False  # how the window shows it; no meaning to the engine

    def to_dict(self) -> dict:
        d = {"name": self.name, "members": list(self.members)}
        if self.collapsed:
            d["collapsed"] = True
        return d


@dataclass(frozen=True)
class Port:
    """One boundary port: its name (a₁, b₂, …) and the Variable it carries."""

    name: str
    variable: str  # Variable key: box id, or "id:k" for output k of a multi-output box
    box: str
    out: int


@dataclass
class Ports:
    inputs: list[Port] = field(default_factory=list)
    outputs: list[Port] = field(default_factory=list)


@dataclass(frozen=True)
class OpenPort:
    """A port of a group with no arrow across its edge yet, where one could be plugged: an
    inner box's unwired input, or an inner box's output that nothing reads. Not a boundary
    port (no Variable crosses it); the canvas offers it for wiring."""

    name: str  # "label.x": the box as messages name it, then its port's name
    box: str
    index: int  # the input port, or the output


@dataclass
class OpenPorts:
    inputs: list[OpenPort] = field(default_factory=list)
    outputs: list[OpenPort] = field(default_factory=list)


def port_name(letter: str, i: int) -> str:
    return f"{letter}{str(i).translate(_SUB)}"


class Groups:
    """The groups of one graph, in file order. Every change is checked first; a refused
    change leaves the groups as they were."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self._groups: dict[str, Group] = {}
        self._parents: dict[str, str | None] | None = None  # the nesting, cached until a change
        graph.subscribe(self._follow)

    # --- reading ---------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._groups)

    def __contains__(self, name) -> bool:
        return name in self._groups

    def names(self) -> list[str]:
        return list(self._groups)

    def get(self, name: str) -> Group:
        try:
            return self._groups[name]
        except (KeyError, TypeError):
            raise GroupError(f"there is no group '{name}'") from None

    def members(self, name: str) -> list[str]:
        return list(self.get(name).members)

    def parent(self, name: str) -> str | None:
        """The smallest group holding this one (None at the top level)."""
        self.get(name)
        return self._tree()[name]

    def children(self, name: str | None) -> list[str]:
        """Groups directly inside ``name`` (``None``: the top-level groups), in file order."""
        tree = self._tree()
        return [g for g in self._groups if tree[g] == name]

    def _tree(self) -> dict[str, str | None]:
        """Each group's parent, found once per change: larger groups first (equal sizes in file
        order), a group's parent is the innermost group so far that holds its first box —
        groups nest or share nothing, so that one holds all of it."""
        if self._parents is None:
            innermost: dict[str, str] = {}
            parents: dict[str, str | None] = {}
            ranked = sorted(enumerate(self._groups.values()), key=lambda ig: (-len(ig[1].members), ig[0]))
            for _, group in ranked:
                parents[group.name] = innermost.get(group.members[0])
                for m in group.members:
                    innermost[m] = group.name
            self._parents = parents
        return self._parents

    def ports(self, name: str) -> Ports:
        """The boundary ports of a group (see the module's doc for the order)."""
        return boundary_ports(self.graph, set(self.get(name).members))

    def open_ports(self, name: str) -> OpenPorts:
        """The ports inside a group still free to wire from outside (see ``open_ports``)."""
        return open_ports(self.graph, self.get(name).members)

    def to_list(self) -> list[dict]:
        return [g.to_dict() for g in self._groups.values()]

    # --- changing --------------------------------------------------------------------
    def add(self, name: str, members, collapsed: bool = False, at: int | None = None) -> Group:
        """Make a group of ``members`` (box ids); refused with a GroupError naming it."""
        group = self._checked(name, members, collapsed)
        items = list(self._groups.items())
        items.insert(len(items) if at is None else max(0, at), (group.name, group))
        self._groups = dict(items)
        self._announce()
        return group

    def remove(self, name: str) -> Group:
        """Ungroup: the boxes stay, the group goes."""
        group = self.get(name)
        del self._groups[name]
        self._announce()
        return group

    def rename(self, old: str, new: str):
        group = self.get(old)
        if new != old:
            self._check_name(new)
        self._groups = {(new if k == old else k): g for k, g in self._groups.items()}
        group.name = new
        self._announce()

    def set_collapsed(self, name: str, collapsed: bool):
        self.get(name).collapsed = bool(collapsed)
        self._announce()

    def load(self, records) -> None:
        """Replace every group with ``records`` (the file's ``groups`` list), all or nothing."""
        if not isinstance(records, list):
            raise GroupError("'groups' must be a list of {\"name\", \"members\"} objects")
        before = self._groups
        self._groups, self._parents = {}, None
        try:
            for i, rec in enumerate(records):
                if not isinstance(rec, dict):
                    raise GroupError(f"group #{i}: must be an object")
                name = rec.get("name")
                where = f"group '{name}'" if isinstance(name, str) else f"group #{i}"
                extra = set(rec) - GROUP_KEYS
                if extra:
                    raise GroupError(f"{where}: unknown key '{sorted(extra)[0]}' "
                                     f"(a group has only {', '.join(sorted(GROUP_KEYS))})")
                if "members" not in rec:
                    raise GroupError(f"{where}: missing 'members'")
                collapsed = rec.get("collapsed", False)
                if not isinstance(collapsed, bool):
                    raise GroupError(f"{where}: 'collapsed' must be true or false")
                group = self._checked(name, rec["members"], collapsed)
                self._groups[group.name] = group
        except GroupError:
            self._groups, self._parents = before, None
            raise
        self._parents = None

    def set_members(self, name: str, members) -> Group:
        """A group's boxes changed in place (same name, place and state), checked as ``add``."""
        items = list(self._groups.items())
        at = [k for k, _ in items].index(self.get(name).name)
        old = self._groups.pop(name)
        try:
            group = self._checked(name, members, old.collapsed)
        except GroupError:
            self._groups = dict(items)
            raise
        items[at] = (name, group)
        self._groups = dict(items)
        self._announce()
        return group

    def replace(self, records) -> None:
        """``load``, announced: an undo puts a snapshot of the groups back."""
        self.load(records)
        self._announce()

    def _checked(self, name, members, collapsed) -> Group:
        self._check_name(name)
        where = f"group '{name}'"
        if not isinstance(members, (list, tuple)) or not all(isinstance(m, str) for m in members):
            raise GroupError(f"{where}: 'members' must be a list of box ids")
        if not members:
            raise GroupError(f"{where} is empty: a group holds at least one box")
        seen: set[str] = set()
        for m in members:
            if m not in self.graph:
                raise GroupError(f"{where}: no box '{m}' in the graph", [m])
            if m in seen:
                raise GroupError(f"{where}: box '{self.graph.label(m)}' is listed twice", [m])
            seen.add(m)
        for other in self._groups.values():
            theirs = set(other.members)
            if seen.isdisjoint(theirs) or seen <= theirs or theirs <= seen:
                continue
            shared = next(m for m in members if m in theirs)
            raise GroupError(f"{where} and group '{other.name}' overlap without one holding the other "
                             f"(both hold box '{self.graph.label(shared)}')", [shared])
        check_no_cycle_outside(self.graph, name, seen)
        return Group(name, list(members), bool(collapsed))

    def _check_name(self, name):
        if not isinstance(name, str) or not name.strip():
            raise GroupError(f"a group needs a name (non-empty text), not {name!r}")
        if len(name) > MAX_NAME:
            raise GroupError(f"group name '{name[:40]}…' is longer than {MAX_NAME} characters")
        if name in self._groups:
            raise GroupError(f"there is already a group '{name}'")

    def _announce(self):
        self._parents = None
        # Not structural: the engine evaluates the flat graph whatever the groups are.
        self.graph.announce(GraphEvent(EventKind.GRAPH_CHANGED, key="groups"), structural=False)

    def _follow(self, event: GraphEvent):
        """A removed box leaves its groups; a group left empty goes (``reset``: after a batch)."""
        if event.kind not in (EventKind.NODE_REMOVED, EventKind.RESET):
            return
        self._parents = None
        for name in list(self._groups):
            group = self._groups[name]
            group.members = [m for m in group.members if m in self.graph]
            if not group.members:
                del self._groups[name]


def groups_of(graph: Graph) -> Groups:
    """The graph's groups, made (empty) on first use and kept beside the graph."""
    groups = graph.attached.get("groups")
    if groups is None:
        groups = graph.attached["groups"] = Groups(graph)
    return groups


def has_groups(graph: Graph) -> bool:
    groups = graph.attached.get("groups")
    return groups is not None and len(groups) > 0


def boundary_ports(graph: Graph, inside: set[str]) -> Ports:
    """Inputs and outputs of the set of boxes ``inside`` (ordered as the module's doc says)."""
    rank = topological_rank(graph)
    ins: set[tuple[str, int]] = set()
    outs: set[tuple[str, int]] = set()
    for e in graph.edges():
        if e.dst in inside and e.src not in inside:
            ins.add((e.src, e.out))
        elif e.src in inside and e.dst not in inside:
            outs.add((e.src, e.out))
    for key in ("loss", "output"):
        ref = graph.meta.get(key)
        if not isinstance(ref, str):
            continue
        var = VariableRef.parse(ref)
        if var.node in inside:
            if var.out is not None or graph.n_outputs(var.node) == 1:
                outs.add((var.node, var.port))
            else:  # a softmax named whole: all its outputs
                outs.update((var.node, j) for j in range(graph.n_outputs(var.node)))

    def ports(pairs, letter):
        ordered = sorted(pairs, key=lambda p: (rank[p[0]], p[1]))
        return [Port(port_name(letter, i), _variable_key(graph, box, out), box, out)
                for i, (box, out) in enumerate(ordered, start=1)]

    return Ports(ports(ins, "a"), ports(outs, "b"))


def open_ports(graph: Graph, boxes) -> OpenPorts:
    """Unwired inputs and unread outputs of ``boxes``, ordered as the boundary ports (by the
    box's topological place, then its port). An output named by ``loss`` or ``output`` is
    already a boundary port, so it is not open."""
    rank, ends = topological_rank(graph), _open_ends(graph)
    named = _named_outputs(graph)
    ins, outs = [], []
    for box in sorted((b for b in boxes if b in ends), key=rank.__getitem__):
        free_in, free_out, single = ends[box]
        free_out = [(j, out) for j, out in free_out if (box, j) not in named]
        if free_in or free_out:
            who = graph.box_name(box)  # asked only here: it reads every label
            ins += [OpenPort(f"{who}.{port}", box, i) for i, port in free_in]
            outs += [OpenPort(who if single else f"{who}.{out}", box, j) for j, out in free_out]
    return OpenPorts(ins, outs)


def _open_ends(graph: Graph) -> dict:
    """box → (its unwired inputs, its unread outputs, whether it has one output), for the
    boxes that have any; found once per structure change (the canvas asks for every
    collapsed group at once)."""
    stamp = (graph.version, len(graph), len(graph.edges()))
    cached = _OPEN_ENDS.get(graph)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    read = {(e.src, e.out) for e in graph.edges()}
    ends = {}
    for box in graph.nodes():
        fn, attrs = functions.get(graph.op(box)), graph.attrs(box)
        free_in = [(i, port) for i, (port, edge) in
                   enumerate(zip(fn.input_names(attrs), graph.inputs_of(box), strict=False)) if edge is None]
        out_names = fn.output_names(attrs)
        free_out = [(j, out) for j, out in enumerate(out_names) if (box, j) not in read]
        if free_in or free_out:
            ends[box] = (free_in, free_out, len(out_names) == 1)
    _OPEN_ENDS[graph] = (stamp, ends)
    return ends


def _named_outputs(graph: Graph) -> set[tuple[str, int]]:
    """The (box, output) pairs the graph's ``loss`` and ``output`` name (a whole softmax: all)."""
    named = set()
    for key in ("loss", "output"):
        text = graph.meta.get(key)
        if isinstance(text, str):
            ref = VariableRef.parse(text)
            if ref.out is not None:
                named.add((ref.node, ref.out))
            elif ref.node in graph:
                named.update((ref.node, j) for j in range(graph.n_outputs(ref.node)))
    return named


def topological_rank(graph: Graph) -> dict[str, int]:
    """Each box's place in ``graph.topological_order()``, kept until the structure changes
    (ports of many groups are asked for at once: one sort, not one per group)."""
    stamp = (graph.version, len(graph), len(graph.edges()))  # loading resets version to 0: counts too
    cached = _RANKS.get(graph)
    if cached is None or cached[0] != stamp:
        cached = _RANKS[graph] = (stamp, {n: i for i, n in enumerate(graph.topological_order())})
    return cached[1]


_RANKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # graph -> (stamp, rank): beside it, not on it
_OPEN_ENDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # graph -> (stamp, open ends), as _RANKS


def _variable_key(graph: Graph, box: str, out: int) -> str:
    return VariableRef.of_output(box, out, graph.n_outputs(box)).key


def check_no_cycle_outside(graph: Graph, name: str, inside: set[str]):
    """Refuse a group that an arrow leaves and re-enters through outside boxes: its
    outputs would feed its own inputs, so it could not be one Function."""
    after: dict[str, list[str]] = {}
    for e in graph.edges():
        after.setdefault(e.src, []).append(e.dst)
    succ = lambda n: after.get(n, ())  # noqa: E731
    came_from: dict[str, str] = {}
    todo = []
    for m in inside:
        for nxt in succ(m):
            if nxt not in inside and nxt not in came_from:
                came_from[nxt] = m
                todo.append(nxt)
    while todo:
        node = todo.pop()
        for nxt in succ(node):
            if nxt in inside:
                raise GroupError(f"group '{name}' would have a cycle through the outside: "
                                 f"'{graph.label(came_from[node])}' leaves it and comes back into "
                                 f"'{graph.label(nxt)}' through '{graph.label(node)}'", [node, nxt])
            if nxt not in came_from:
                came_from[nxt] = came_from[node]
                todo.append(nxt)
