"""The one rule for what feeds an ``input`` box (SPEC: a data column, else the box's value).

The plan (engine.Source.feed), its two executors, the exports, the decision boundary's grid
and the canvas's note under an input box all ask here, so they can never disagree."""
from __future__ import annotations

COLUMN = "column"  # reads the data's column
VALUE = "value"  # uses its own value
MISSING = "missing"  # there is data, but not its column
NO_DATA = "no data"  # no data at all, and no value


def column_name(node: str, column: str | None) -> str:
    """The column an input box reads: the one it names, else its own id."""
    return column or node


def input_feed(node: str, column: str | None, value, columns) -> tuple[str, str]:
    """(how the box is fed, the column it would read), ``columns`` being the data's column
    names (None: no data). A column present in the data wins; else the box's value, when
    there is no data at all or the box names no column; else the feed is missing."""
    col = column_name(node, column)
    if columns is not None and col in columns:
        return COLUMN, col
    if value is not None and (columns is None or column is None):
        return VALUE, col
    return (NO_DATA if columns is None else MISSING), col


def reads_data(column: str | None, value) -> bool:
    """Whether an input box asks a data set for a column: it names one, or has no value."""
    return bool(column) or value is None
