"""Settings fields that show the value a file holds and never rewrite one nobody touched.

A QDoubleSpinBox rounds to its decimals and clamps to its range, so a file's lr 1e6 or
1e-9 would show (and then be written back) as something else. ``NumberSpinBox`` keeps
the exact number and shows it in short scientific form. ``keep_untouched`` is the rule
every panel's write follows: a field still showing what was read keeps the file's value.
"""
from __future__ import annotations

import math
import sys

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox

SHOWN_DIGITS = 10
MAX_DECIMALS = 323  # Qt's largest: no finite double is rounded away


class NumberSpinBox(QDoubleSpinBox):
    """A spin box for any finite number in its range, typed as 0.01, 1e-9 or 1e6."""

    def __init__(self, lo: float, hi: float, step: float, parent=None):
        super().__init__(parent)
        self.setDecimals(MAX_DECIMALS)
        self.setRange(lo, hi)
        self.setSingleStep(step)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:
        return f"{value:.{SHOWN_DIGITS}g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            v = float(text)
        except ValueError:
            return QValidator.Intermediate, text, pos  # "1e" on the way to "1e-3"
        ok = math.isfinite(v) and self.minimum() <= v <= self.maximum()
        return (QValidator.Acceptable if ok else QValidator.Intermediate), text, pos


SMALLEST_POSITIVE = sys.float_info.min
LARGEST = sys.float_info.max


def keep_untouched(new: dict, shown: dict, old: dict) -> dict:
    """``new`` with every key whose field still shows what was read (``shown``) set back to
    the file's own value (``old``): a control never rewrites a value the learner did not touch."""
    out = dict(new)
    for key, value in new.items():
        if key in old and key in shown and value == shown[key]:
            out[key] = old[key]
    return out
