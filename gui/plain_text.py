"""User text (box labels, column names, file names, messages quoting them) shown as text.

Qt guesses: a QLabel, a tooltip or a message box whose text starts like HTML renders it
as rich text, and ``<img src="/dev/zero">`` in a label then reads that file — it aborted
the window. pyqtgraph's titles, axis labels and legend entries are always HTML. So every
piece of text that may hold user text goes through one of these.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def plain_label(text: str = "") -> QLabel:
    """A QLabel that never interprets its text as HTML."""
    label = QLabel()
    label.setTextFormat(Qt.PlainText)
    label.setText(text)
    return label


def escaped(text) -> str:
    """Text to embed in HTML (pyqtgraph labels, our own rich text)."""
    return html.escape(str(text), quote=True)


def safe_text(text) -> str:
    """Text for a place where Qt guesses the format (message boxes, tooltips): unchanged when
    it cannot look like HTML, else the same text escaped inside a paragraph, so it shows
    exactly as written."""
    text = str(text)
    if "<" not in text and "&" not in text:
        return text
    return "<p style='white-space:pre-wrap'>" + escaped(text) + "</p>"
