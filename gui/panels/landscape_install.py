"""``install_landscape(window)``: the Loss landscape and Optimizer race docks (issue #14
items 3, 4), listed in the View menu (as every dock) and the Train menu. Returns
``LandscapeParts``: the window keeps them (``window.landscape``, ``window.race``, their docks)."""
from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDockWidget

from .landscape_panel import LandscapePanel
from .race_panel import RacePanel


class _StopOnClose(QObject):
    """The race runs in a thread: a closing window ends it first (a grid's late answer is dropped)."""

    def __init__(self, window, race: RacePanel):
        super().__init__(window)
        self.window = window
        self.race = race

    def eventFilter(self, obj, event):
        if obj is self.window and event.type() == QEvent.Close:
            self.race.shutdown()
        return False


class LandscapeParts(NamedTuple):
    landscape: LandscapePanel
    race: RacePanel
    landscape_dock: QDockWidget
    race_dock: QDockWidget


def install_landscape(window, runner) -> LandscapeParts:
    """``runner``: the TrainingRunner, whose live run the landscape follows."""
    landscape = LandscapePanel(window, runner)
    race = RacePanel(window, landscape)
    landscape_dock = window.add_dock("Loss landscape", landscape, Qt.BottomDockWidgetArea)
    race_dock = window.add_dock("Optimizer race", race, Qt.BottomDockWidgetArea)
    menu = window.menu("Train")
    menu.addAction(landscape_dock.toggleViewAction())
    menu.addAction(race_dock.toggleViewAction())
    window.installEventFilter(_StopOnClose(window, race))
    return LandscapeParts(landscape, race, landscape_dock, race_dock)
