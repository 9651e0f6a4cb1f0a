"""The Plots dock's "Layers" tab: gradient size per group, now and over the epochs.

Above, one bar per layer (or, with "per neuron", per neuron): ‖dJ/dW‖ of its weights,
on a log scale by default — the vanishing-gradient picture spans orders of magnitude.
Below, the same sizes against epochs, one line per layer, from the Trainer's History.
Only a graph with groups has anything to show; the numbers are graphcore.group_grads'.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from graphcore import group_grads

from ..plain_text import plain_label
from .plots_common import FPS_LIMIT, TRAIN_COLOR, make_plot, place_legend


class LayerGradients(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("layer_gradients")
        self.bar_plot = make_plot("‖dJ/dW‖ per layer", "layer_gradients", "", "")
        self.bar_plot.getPlotItem().invertY(True)
        self.bars = pg.BarGraphItem(x0=[0], y=[0], width=[0], height=0.7)
        self.bar_plot.addItem(self.bars)
        self.line_plot = make_plot("‖dJ/dW‖ per layer over epochs", "layer_gradients_epochs", "epoch")
        self.line_plot.getPlotItem().addLegend(offset=(-4, 4), labelTextColor="#222",
                                               brush=pg.mkBrush(255, 255, 255, 200))
        self.per_neuron = QCheckBox("Per neuron")
        self.per_neuron.setObjectName("layer_gradients_per_neuron")
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setChecked(True)
        self.over_epochs = QCheckBox("Over epochs")
        self.over_epochs.setObjectName("layer_gradients_over_epochs")
        self.over_epochs.setToolTip("The gradient size of each layer against the epochs (the vanishing-gradient "
                                    "picture), instead of the bars for the last epoch")
        self.caption = plain_label()
        self.caption.setStyleSheet("color: #666")
        self.caption.setWordWrap(True)
        self.caption.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        row = QHBoxLayout()
        row.addWidget(self.per_neuron)
        row.addWidget(self.log_scale)
        row.addWidget(self.over_epochs)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.bar_plot, 1)
        lay.addWidget(self.line_plot, 1)
        lay.addWidget(self.caption)
        self.names: list[str] = []
        self.values = np.zeros(0)
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.log_scale.toggled.connect(lambda _on: self._draw_bars())
        self.log_scale.toggled.connect(self._line_log)
        self._line_log(True)
        self.over_epochs.toggled.connect(self._which_plot)
        self._which_plot(False)

    def _which_plot(self, lines: bool):
        """One plot at a time: the dock is short, and each needs its height to stay readable."""
        self.bar_plot.setVisible(not lines)
        self.line_plot.setVisible(lines)

    def _line_log(self, on: bool):
        self.line_plot.setLogMode(y=on)

    def show_graph(self, graph, evaluation=None, history=None):
        """Bars from the History's last epoch (else from one evaluation); lines from the History."""
        names = group_grads.units(graph, self.per_neuron.isChecked())
        self.names = names
        self.bar_plot.getPlotItem().setTitle("‖dJ/dW‖ per neuron" if self.per_neuron.isChecked()
                                             else "‖dJ/dW‖ per layer", color="#222", size="10pt")
        if not names:
            self.values = np.zeros(0)
            self.caption.setText("No groups with weights: insert a network (Insert ▸ Network…) or group "
                                 "a layer's boxes to see its gradient size")
        elif history is not None and len(history.row_epochs):
            epochs, rows = group_grads.history_norms(graph, names, history)
            self.values = rows[-1]
            self.caption.setText(f"epoch {int(epochs[-1])}: ‖dJ/dW‖ of each group's weights "
                                 "(mean dJ/dθ over the epoch's batches)")
        elif evaluation is not None and evaluation.grads is not None:
            self.values = group_grads.evaluation_norms(graph, names, evaluation)
            self.caption.setText("one evaluation at the current values: ‖dJ/dW‖ of each group's weights")
        else:
            self.values = np.zeros(len(names))
            self.caption.setText("no gradients yet: the graph needs a cost J that can be evaluated")
        self._draw_bars()
        self._draw_lines(graph, history)

    def _draw_bars(self):
        n, widths = len(self.names), np.asarray(self.values, dtype=float)
        bottom = self.bar_plot.getPlotItem().getAxis("bottom")
        x0 = 0.0
        if self.log_scale.isChecked() and n:
            # bars from a power of ten below the smallest, on an axis labelled 10ᵏ: sizes that
            # differ a thousandfold stay comparable
            nz = widths[widths > 0]
            x0 = float(np.floor(np.log10(nz.min()))) if len(nz) else 0.0
            widths = np.where(widths > 0, np.log10(np.maximum(widths, 1e-300)) - x0, 0.0)
            top = int(np.ceil(x0 + (widths.max() if len(widths) else 1.0)))
            bottom.setTicks([[(k, power_of_ten(k)) for k in range(int(x0), max(top, int(x0) + 1) + 1)]])
        else:
            bottom.setTicks(None)
        self.bars.setVisible(n > 0)
        if n:
            self.bars.setOpts(x0=np.full(n, x0), y=np.arange(n), width=widths, height=0.7,
                              brush=pg.mkBrush(TRAIN_COLOR), pen=pg.mkPen(None))
            top = float(np.nanmax(widths)) if np.isfinite(widths).any() else 1.0
            self.bar_plot.setXRange(x0, x0 + (top if top > 0 else 1.0), padding=0.05)
            self.bar_plot.setYRange(-0.6, n - 0.4, padding=0)
        self.bar_plot.getPlotItem().getAxis("left").setTicks([[(i, s) for i, s in enumerate(self.names)]])

    def _draw_lines(self, graph, history):
        names = self.names if not self.per_neuron.isChecked() else group_grads.units(graph)
        for name in [k for k in self.curves if k not in names]:
            self.line_plot.removeItem(self.curves.pop(name))
        if history is None or not len(history.row_epochs) or not names:
            for c in self.curves.values():
                c.setData([], [])
            return
        epochs, rows = group_grads.history_norms(graph, names, history)
        colors = pg.colormap.get("viridis").getLookupTable(nPts=max(len(names), 2), alpha=False)
        for j, name in enumerate(names):
            if name not in self.curves:
                self.curves[name] = self.line_plot.plot(name=name)
            ok = rows[:, j] > 0  # a log axis cannot draw a zero
            self.curves[name].setPen(pg.mkPen(tuple(int(c) for c in colors[j]), width=2))
            self.curves[name].setData(np.asarray(epochs, dtype=float)[ok], rows[ok, j])
        legend = self.line_plot.getPlotItem().legend
        if legend is not None:  # many layers: the legend in columns, so it leaves the lines in view
            legend.setColumnCount(1 if len(names) <= 3 else 2 if len(names) <= 8 else 3)
        place_legend(self.line_plot)


def power_of_ten(k: int) -> str:
    return "1" if k == 0 else f"10{str(k).translate(_SUP)}"


_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class LayerGradientsView(QObject):
    """Keeps the tab drawn: after an evaluation, on every training frame (at most FPS_LIMIT a
    second), and when the tab comes into view; never while it is hidden."""

    def __init__(self, window, widget: LayerGradients):
        super().__init__(window)
        self.window, self.widget = window, widget
        self._timer = QTimer(self, singleShot=True, interval=1000 // FPS_LIMIT)
        self._timer.timeout.connect(self.refresh)
        training = window.training
        training.runner.frame.connect(self.soon)
        training.runner.trainer_changed.connect(self.soon)
        window.document.evaluated.connect(lambda _ev: self.soon())
        training.plots.bottom.currentChanged.connect(lambda _i: self.soon())
        widget.per_neuron.toggled.connect(lambda _on: self.refresh())

    def soon(self):
        """Throttled, not debounced: training frames keep coming, and each one must not put it off."""
        if not self._timer.isActive():
            self._timer.start()

    def refresh(self):
        if not self.widget.isVisible():
            return
        t = self.window.training.current_trainer()
        self.widget.show_graph(self.window.document.graph, self.window.document.evaluation,
                               t.history if t is not None else None)


def install_layer_gradients(window) -> LayerGradientsView:
    """The "Layers" tab beside Cost, Gradients and Parameters (its widget: the view's ``widget``)."""
    widget = LayerGradients()
    window.training.plots.bottom.addTab(widget, "Layers")
    return LayerGradientsView(window, widget)
