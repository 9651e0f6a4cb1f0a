"""Undo commands the training and data panels push: they call Graph methods only.

Setting one field (a column, the dataset or training block) uses the editor's own
commands (``gui.commands``); what is new here is setting many parameter values as one
step — the result of a training run, or a re-initialisation.
"""
from __future__ import annotations

from gui.commands import GraphCommand


class SetValuesCommand(GraphCommand):
    """Many parameter values at once: ``old`` and ``new`` map box id → value."""

    def __init__(self, graph, old: dict[str, float], new: dict[str, float], text: str):
        super().__init__(graph, text)
        self.old, self.new = dict(old), dict(new)

    def touched(self) -> set[str]:
        return set(self.old) | set(self.new)

    def do(self):
        self.graph.set_values(self.new)

    def undo_it(self):
        self.graph.set_values(self.old)


class TrainRunCommand(SetValuesCommand):
    """A run of Train as one undo step, on the stack from the run's start (an undo during
    the run must find it there, not undo the edit before it). Until the run ends its
    ``new`` values are not known: undoing it then first calls ``stop_run(self)``, which
    stops the run and fills ``new``, so redo gives back exactly the values it stopped at."""

    def __init__(self, graph, old: dict[str, float], text: str, stop_run):
        super().__init__(graph, old, old, text)
        self.stop_run = stop_run

    def undo_it(self):
        if self.stop_run is not None:
            self.stop_run(self)
        super().undo_it()


def parameter_values(graph, ids=None) -> dict[str, float]:
    """The graph's current value of each parameter (or of ``ids``)."""
    return {p: graph.value(p) for p in (graph.parameters() if ids is None else ids)}
