"""The training panel's speed control: how many epochs a second a run shows (issue #14).

The first choice is the lesson's pace, ``lesson_pace(epochs)``: epochs / WATCH_SECONDS
rounded (at least 1), so Train on any lesson takes about 15 s to watch, whatever its
number of epochs (xor network: 500 epochs at 33 epochs/s). Then fixed speeds and "max"
(as fast as the machine allows; the plots then redraw less often). A choice is the
window's, not the file's: nothing is saved or undone. The environment variable
BACKPROP_STUDIO_SPEED ("max" or a number of epochs per second) chooses the starting speed.
"""
from __future__ import annotations

import os

from PySide6.QtWidgets import QComboBox

WATCH_SECONDS = 15
SPEEDS = (1, 5, 20, 100)  # epochs per second, after the lesson's pace and before "max"
ENV = "BACKPROP_STUDIO_SPEED"


def lesson_pace(epochs: int) -> int:
    """Epochs per second that make a run of ``epochs`` last about WATCH_SECONDS."""
    return max(1, round(epochs / WATCH_SECONDS))


def speed_from_env(text: str | None):
    """The starting choice BACKPROP_STUDIO_SPEED asks for: "pace" (unset or unreadable),
    None (max) or a whole number of epochs per second ≥ 1."""
    text = (text or "").strip().lower()
    if text == "max":
        return None
    try:
        value = int(text)
    except ValueError:
        return "pace"
    return value if value >= 1 else "pace"


class SpeedChoice(QComboBox):
    """Epochs per second: the lesson's pace, 1, 5, 20, 100 or max; ``speed()`` is None for max."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("training_speed")
        self.setToolTip("Epochs per second while training. The first choice makes the lesson's run last "
                        f"about {WATCH_SECONDS} s; max trains as fast as it can and redraws less often")
        self.addItem("", "pace")
        for s in SPEEDS:
            self.addItem(f"{s} epoch{'s' if s != 1 else ''}/s", s)
        self.addItem("max", None)
        self._epochs = 100
        self.set_epochs(self._epochs)
        start = speed_from_env(os.environ.get(ENV))
        i = self.findData(start)
        if i < 0:  # a number not in the list: offered as one more choice
            self.insertItem(self.count() - 1, f"{start} epochs/s", start)
            i = self.count() - 2
        self.setCurrentIndex(i)

    def set_epochs(self, epochs: int):
        """The run's epochs changed: the lesson's pace follows."""
        self._epochs = max(int(epochs), 0)
        self.setItemText(0, f"{lesson_pace(self._epochs)} epochs/s (≈{WATCH_SECONDS} s)")

    def speed(self) -> float | None:
        data = self.currentData()
        return float(lesson_pace(self._epochs)) if data == "pace" else (None if data is None else float(data))
