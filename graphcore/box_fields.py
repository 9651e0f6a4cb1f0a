"""Checks on the fields of a box (label, value, column), shared by every Graph setter, and
the label a constant shows for its value."""
from __future__ import annotations

import numpy as np

from . import limits
from .errors import BadAttributeError


def value_label(value: float) -> str:
    """A number written as a box's label: 3 for 3.0, six significant digits at most."""
    return format(float(value), ".6g")


def writes_value(label, value: float) -> bool:
    """Whether a label is just the value written out (the default a constant keeps in step with)."""
    if not isinstance(label, str):
        return False
    if label.strip() == value_label(value):
        return True
    try:
        return float(label) == value
    except ValueError:
        return False


def finite_number(value, what: str, node: str, graph=None) -> float:
    """``value`` as a float; refused with a message naming the box (by label, given the graph it is in)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        name = graph.box_name(node) if graph is not None else node
        raise BadAttributeError(f"box '{name}': {what} must be a number, not {value!r}", [node])
    value = float(value)
    if not np.isfinite(value):
        name = graph.box_name(node) if graph is not None else node
        raise BadAttributeError(f"box '{name}': {what} must be finite, not {value!r}", [node])
    return value


def checked_label(label, node_id: str) -> str:
    if not isinstance(label, str):
        raise BadAttributeError(f"box '{node_id}': label must be text", [node_id])
    if len(label) > limits.MAX_LABEL_CHARS:
        raise BadAttributeError(f"box '{node_id}': " + limits.too_long("the label", len(label), limits.MAX_LABEL_CHARS),
                                [node_id])
    return label


def checked_column(column, node_id: str, name: str | None = None) -> str:
    """``name``: how the message names the box (its label once it exists; the file's id while loading)."""
    name = node_id if name is None else name
    if not isinstance(column, str) or not column:
        raise BadAttributeError(f"box '{name}': column must be a non-empty name", [node_id])
    if len(column) > limits.MAX_COLUMN_CHARS:
        raise BadAttributeError(f"box '{name}': " + limits.too_long("the column name", len(column),
                                                                      limits.MAX_COLUMN_CHARS), [node_id])
    return column
