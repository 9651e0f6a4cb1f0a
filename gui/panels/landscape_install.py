"""``install_landscape(window)``: the Loss landscape and Optimizer race docks (issue #14
items 3, 4), listed in the View menu (as every dock) and the Train menu. Sets
``window.landscape`` (LandscapePanel) and ``window.race`` (RacePanel)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt

from .landscape_panel import LandscapePanel
from .race_panel import RacePanel


class _StopOnClose(QObject):
    """The race runs in a thread: a closing window ends it first (a grid's late answer is dropped)."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window

    def eventFilter(self, obj, event):
        if obj is self.window and event.type() == QEvent.Close:
            self.window.race.shutdown()
        return False


def install_landscape(window):
    window.landscape = LandscapePanel(window)
    window.race = RacePanel(window)
    window.landscape_dock = window.add_dock("Loss landscape", window.landscape, Qt.BottomDockWidgetArea)
    window.race_dock = window.add_dock("Optimizer race", window.race, Qt.BottomDockWidgetArea)
    menu = window.menu("Train")
    menu.addAction(window.landscape_dock.toggleViewAction())
    menu.addAction(window.race_dock.toggleViewAction())
    window.installEventFilter(_StopOnClose(window))
