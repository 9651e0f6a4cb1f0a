"""The inspector's neuron picture: when the selection lies in one neuron (a group with one output)
of a two-input network, a small heatmap of that neuron's output over the input plane
(graphcore.neuron_map), redrawn after each evaluation and, while training, at most
``MAX_HZ`` times a second from the run's live parameters.

Colours: the diverging table of the decision boundary, centred on 0 (white) and scaled by the
largest |output| — a relu neuron shows where it is off (white) and how strongly it fires.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from graphcore.errors import GraphError
from graphcore.groups import groups_of
from graphcore.neuron_map import neuron_map, neuron_of
from graphcore.numbers import format_number

from ..plain_text import plain_label
from .plots_common import diverging_lut, make_plot
from ..training.runner import trained_values

MAX_HZ = 10
SIDE = 140  # pixels: a picture, not a plot to read numbers from


class NeuronHeatmap(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("NeuronHeatmap")
        self.caption = plain_label()
        self.caption.setWordWrap(True)
        self.plot = make_plot("", "neuron_heatmap")
        self.plot.setFixedHeight(SIDE)
        self.plot.setMinimumWidth(SIDE)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 6, 0, 0)
        lay.addWidget(self.caption)
        lay.addWidget(self.plot)
        self.map = None
        self.hide()

    def show_map(self, m, graph):
        self.map = m
        top = float(np.nanmax(np.abs(m.values))) if np.isfinite(m.values).any() else 0.0
        t = 0.5 + 0.5 * np.nan_to_num(m.values) / (top if top > 0 else 1.0)
        self.image.setImage(diverging_lut()[np.clip((t * 255).astype(int), 0, 255)], autoLevels=False)
        x0, x1, y0, y1 = m.xs[0], m.xs[-1], m.ys[0], m.ys[-1]
        self.image.setRect(pg.QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
        pi = self.plot.getPlotItem()
        pi.setLabel("bottom", m.axes[0])
        pi.setLabel("left", m.axes[1])
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self.caption.setText(f"{m.group}: output {graph.box_name(m.variable.split(':')[0])} over the "
                             f"{m.axes[0]}–{m.axes[1]} plane (white 0, largest |value| {format_number(top, 3)})")
        self.show()


class NeuronHeatmapView(QObject):
    """Follows the selection, the evaluations and a run's frames (throttled to MAX_HZ)."""

    def __init__(self, window, widget: NeuronHeatmap):
        super().__init__(window)
        self.window, self.widget = window, widget
        self.group: str | None = None
        self._timer = QTimer(self, singleShot=True, interval=1000 // MAX_HZ)
        self._timer.timeout.connect(self.refresh)
        window.scene.selectionChanged.connect(self._on_selection)
        window.document.evaluated.connect(lambda _ev: self.soon())
        window.training.runner.frame.connect(self.soon)

    def _on_selection(self):
        try:
            boxes = self.window.scene.selected_nodes()
        except RuntimeError:  # the scene is being torn down with the window
            return
        self.show_group(neuron_of(self.window.document.graph, boxes))

    def show_group(self, group: str | None):
        """Picture this group (None: none) — also for a canvas that selects a collapsed group."""
        self.group = group
        self.refresh()

    def soon(self):
        if self.group is not None and not self._timer.isActive():
            self._timer.start()

    def refresh(self):
        doc, graph = self.window.document, self.window.document.graph
        if self.group is None or self.group not in groups_of(graph):
            self.group = None
            self.widget.hide()
            return
        runner = self.window.training.runner
        t = self.window.training.current_trainer()
        params = trained_values(t) if t is not None and runner.state == "running" else None
        try:
            ds = doc.dataset()
            m = neuron_map(graph, self.group, params, ds.columns if ds is not None else None)
        except (GraphError, OSError, ValueError):
            self.widget.hide()  # no picture for this one (not two inputs, unwired): the inspector says the rest
            return
        self.widget.show_map(m, graph)


def install_neuron_heatmap(window) -> NeuronHeatmapView:
    """The picture under the inspector's fields (its widget: the view's ``widget``)."""
    widget = NeuronHeatmap()
    lay = window.inspector.layout()
    lay.insertWidget(lay.count() - 1, widget)  # above the stretch at the end
    return NeuronHeatmapView(window, widget)
