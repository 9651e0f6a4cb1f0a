"""The errors graphcore raises: one small hierarchy, every message names the boxes involved.

Each error's ``str()`` is one line fit to show a learner as it is (the CLI prints it
after ``error:``, the window in a dialog or at the cursor)."""
from __future__ import annotations


def one_line(message, limit: int = 500) -> str:
    """A message quotes text from files (keys, columns, paths): escape its newlines and
    other control characters, and cut a huge quoted value, so it stays one short line."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(message))
    return text if len(text) <= limit else text[:limit - 1] + "…"


def short_path(path, limit: int = 120) -> str:
    """A path for a message: cut in the middle when long (a 100,000-character path is no line)."""
    text = str(path)
    if len(text) <= limit:
        return text
    return text[:limit // 2 - 1] + "…" + text[-(limit // 2):]


class GraphError(Exception):
    """Base of every error about a graph. ``nodes`` lists the box ids involved."""

    def __init__(self, message: str, nodes: tuple[str, ...] | list[str] = ()):
        super().__init__(one_line(message))
        self.nodes = tuple(nodes)


# --- building the graph -------------------------------------------------------------
class UnknownFunctionError(GraphError):
    """An op name that is not in the Function catalogue."""


class BadIdError(GraphError):
    """A box id that is not a valid identifier."""


class DuplicateIdError(GraphError):
    """Two boxes with the same id."""


class UnknownNodeError(GraphError):
    """A reference to a box id the graph does not hold."""


class BadAttributeError(GraphError):
    """A missing, unknown or ill-typed attribute (value, column, slope, k, ...)."""


class PortError(GraphError):
    """An input or output port number out of range for its box."""


class PortTakenError(PortError):
    """An input port that already has an incoming arrow."""


class CycleError(GraphError):
    """An arrow that would close a loop: a computation graph is acyclic."""


# --- evaluating it ------------------------------------------------------------------
class EvaluationError(GraphError):
    """The graph could not be evaluated as it stands."""


class UnwiredPortError(EvaluationError):
    """A box with an input port that has no arrow."""


class MissingDataError(EvaluationError):
    """An ``input`` box with neither a data column nor a value."""


class DomainError(EvaluationError):
    """A Function applied outside its domain (log of x <= 0, a class index that is no class)."""


class NonFiniteError(EvaluationError):
    """A nan or inf appeared; ``nodes[0]`` is the first box that produced it."""

    def __init__(self, message: str, nodes=(), phase: str = "forward"):
        super().__init__(message, nodes)
        self.phase = phase


class DivergenceError(EvaluationError):
    """Training diverged: the cost rose far above its first epoch's (``Trainer``'s rule);
    ``nodes[0]`` is the box that blew up first, or the loss box when its outputs saturated."""


# --- files and data -----------------------------------------------------------------
class FileFormatError(GraphError):
    """A graph file that breaks a rule of the file format (SPEC §3)."""


class DataError(GraphError):
    """A data set that cannot be used: a malformed CSV, a missing column, a bad generator."""
