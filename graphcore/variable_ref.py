"""``VariableRef``: one Variable of a graph — an output of a box — and its text form, the one
the file format (``loss``, ``output``, a group's port) and the plan's slot keys use:
``id`` for a box's only output, ``id:k`` for output k of a multi-output box. Built and
read here only, so no caller splits or joins that text itself."""
from __future__ import annotations

import re
from typing import NamedTuple

from .errors import BadAttributeError, PortError, UnknownNodeError

PORT_RE = re.compile(r"0|[1-9][0-9]*")  # ASCII digits only: 'L: 0', 'L:-0' and 'L:٠' are no port


class VariableRef(NamedTuple):
    """Output ``out`` of box ``node``; ``out`` None when the text named the box alone (``id``)."""

    node: str
    out: int | None = None

    @classmethod
    def parse(cls, text: str) -> "VariableRef":
        """``id`` or ``id:k``; ValueError when k is no port number (the box is not checked)."""
        node, sep, k = text.partition(":")
        if not sep:
            return cls(node)
        if not k:  # "id:" has always meant output 0
            return cls(node, 0)
        if not PORT_RE.fullmatch(k):
            raise ValueError(f"output port {k!r} is not a number")
        return cls(node, int(k))

    @classmethod
    def of_output(cls, node: str, out: int, n_outputs: int) -> "VariableRef":
        """Output ``out`` of a box with ``n_outputs`` outputs, as the plan names it."""
        return cls(node) if n_outputs == 1 else cls(node, out)

    @staticmethod
    def keys_of(node: str, n_outputs: int) -> list[str]:
        """The keys of every output of a box: ``[id]``, or ``[id:0, id:1, …]``."""
        return [node] if n_outputs == 1 else [f"{node}:{k}" for k in range(n_outputs)]

    @staticmethod
    def box_of(text) -> str | None:
        """The box a reference or key names (not checked); None for no text."""
        return text.partition(":")[0] if isinstance(text, str) else None

    @property
    def port(self) -> int:
        return 0 if self.out is None else self.out

    @property
    def key(self) -> str:
        """The text form: ``id`` or ``id:k``."""
        return self.node if self.out is None else f"{self.node}:{self.out}"

    def renamed(self, node: str) -> "VariableRef":
        return self._replace(node=node)

    def __str__(self) -> str:
        return self.key


def check_ref(graph, ref, what: str = "reference") -> tuple[str, int]:
    """Parse ``id`` or ``id:k`` into (box, output port), checking both exist in ``graph``."""
    if not isinstance(ref, str):
        raise BadAttributeError(f"{what} must name a box, not {ref!r}")
    node = VariableRef.box_of(ref)
    if node not in graph:
        raise UnknownNodeError(f"{what} names no box '{node}'", [node])
    try:
        port = VariableRef.parse(ref).port
    except ValueError:
        raise BadAttributeError(f"{what} '{ref}': output port must be a number", [node]) from None
    if not 0 <= port < graph.n_outputs(node):
        raise PortError(f"{what} '{ref}': box '{node}' has no output {port}", [node])
    return node, port
