"""``NodeRecord``: everything that makes one box — what the file stores of it, plus where it
stands — so that a box can be taken out and put back (undo, paste, a checker's copy) by one
``Graph.add_record`` call rather than a copy of ``add_node``'s argument list."""
from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import NamedTuple

FIELDS = ("label", "value", "column", "attrs")  # a box's optional fields, in the file's order


@dataclass(frozen=True)
class NodeRecord:
    id: str
    op: str
    label: str | None = None
    value: float | None = None
    column: str | None = None
    attrs: dict | None = None
    pos: tuple[float, float] | None = None

    @classmethod
    def from_dict(cls, d: dict, node_id: str | None = None, pos=None) -> "NodeRecord":
        """From a file's node object (or ``Graph.node``'s copy, given its id); not checked:
        ``Graph.add_record`` checks it as ``add_node`` does."""
        return cls(d["id"] if node_id is None else node_id, d["op"], d.get("label"), d.get("value"),
                   d.get("column"), copy.deepcopy(d.get("attrs")), None if pos is None else tuple(pos))

    def to_dict(self) -> dict:
        """The file's node object: id, op and the fields set (no position: the file keeps those apart)."""
        d = {"id": self.id, "op": self.op}
        for key in FIELDS:
            if getattr(self, key) is not None:
                d[key] = copy.deepcopy(getattr(self, key))
        return d

    def placed(self, node_id: str, pos=None) -> "NodeRecord":
        """The same box under another id and position (a pasted copy)."""
        return replace(self, id=node_id, pos=None if pos is None else tuple(pos))


class Removal(NamedTuple):
    """What ``Graph.remove_node`` took out: the box, its arrows, and the graph fields that
    named it (``loss``, ``output``: key → the reference, now None). Undo puts all three back."""

    record: NodeRecord
    edges: list
    cleared: dict


def copy_box(box: dict) -> dict:
    """A copy of a box's stored fields, as deepcopy makes it: its op, label, column and value
    are str and float (immutable), so only the attrs are copied deeply (10,000 deepcopies
    were a tenth of opening or pasting 10,000 boxes)."""
    out = dict(box)
    if "attrs" in out:
        out["attrs"] = copy.deepcopy(out["attrs"])
    return out
