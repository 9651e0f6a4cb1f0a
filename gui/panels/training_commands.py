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

    def do(self):
        self.graph.set_values(self.new)

    def undo_it(self):
        self.graph.set_values(self.old)


def parameter_values(graph, ids=None) -> dict[str, float]:
    """The graph's current value of each parameter (or of ``ids``)."""
    return {p: graph.value(p) for p in (graph.parameters() if ids is None else ids)}
