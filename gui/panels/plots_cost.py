"""The cost curve J against epochs for training and test points, with accuracy beneath."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from .plots_common import ACCURACY_COLOR, TEST_COLOR, TRAIN_COLOR, make_plot, place_legend


ACCURACY_TICKS = [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")]


class CostPlot(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.cost_plot = make_plot("Cost J", "cost", "epoch", "J")
        self.acc_plot = make_plot("Accuracy", "accuracy")  # its epoch axis is the cost plot's, labelled there
        self.acc_plot.setXLink(self.cost_plot)
        self.acc_plot.setYRange(-0.15, 1.15, padding=0)  # all of 0 … 100 %, with room for the end labels
        self.acc_plot.enableAutoRange(axis="y", enable=False)
        # Three ticks fit the short plot (pyqtgraph's automatic ones crowd it); no axis label,
        # which would be taller than the plot (the title says what it is).
        left = self.acc_plot.getPlotItem().getAxis("left")
        left.setTicks([ACCURACY_TICKS, []])
        self.acc_plot.setMaximumHeight(170)
        self.acc_plot.setMinimumHeight(120)
        for pw in (self.cost_plot, self.acc_plot):
            pw.getPlotItem().addLegend(offset=(-4, 4), labelTextColor="#222", brush=pg.mkBrush(255, 255, 255, 200))
        self.train_cost = self.cost_plot.plot(pen=pg.mkPen(TRAIN_COLOR, width=2), name="train")
        self.test_cost = self.cost_plot.plot(pen=pg.mkPen(TEST_COLOR, width=2, style=pg.QtCore.Qt.DashLine),
                                             name="test")
        self.train_acc = self.acc_plot.plot(pen=pg.mkPen(ACCURACY_COLOR, width=2), name="train")
        self.test_acc = self.acc_plot.plot(pen=pg.mkPen(TEST_COLOR, width=2, style=pg.QtCore.Qt.DashLine),
                                           name="test")
        for curve in (self.train_cost, self.test_cost, self.train_acc, self.test_acc):
            curve.setClipToView(True)
            curve.setDownsampling(auto=True, method="peak")
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setObjectName("cost_log_scale")
        self.log_scale.toggled.connect(self._on_log)
        self.history = None
        row = QHBoxLayout()
        row.addWidget(self.log_scale)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.cost_plot, 3)
        lay.addWidget(self.acc_plot, 1)

    def _on_log(self, on: bool):
        self.cost_plot.setLogMode(y=on)
        self.set_history(self.history)

    def set_history(self, history):
        """Draw a Trainer's History (or clear the plot for None)."""
        self.history = history
        if history is None or not len(history):
            for c in (self.train_cost, self.test_cost, self.train_acc, self.test_acc):
                c.setData([], [])
                _in_legend(c, c in (self.train_cost, self.train_acc))
            return
        e = np.asarray(history.epochs, dtype=float)
        self._set(self.train_cost, e, history.cost, positive=True)
        self._set(self.test_cost, e, history.test_cost, positive=True)
        self._set(self.train_acc, e, history.accuracy)
        self._set(self.test_acc, e, history.test_accuracy)
        for pw in (self.cost_plot, self.acc_plot):
            place_legend(pw)

    def _set(self, curve, x, y, positive=False):
        y = np.asarray(y, dtype=float)
        ok = np.isfinite(y)
        if positive and self.log_scale.isChecked():
            ok &= y > 0  # log of a zero cost cannot be drawn
        _in_legend(curve, ok.any())  # no test points: no "test" entry promising a curve
        if not ok.any():
            curve.setData([], [])
            return
        curve.setData(x[ok], y[ok])


def _in_legend(curve, show: bool):
    """Add or remove a curve's legend entry (pyqtgraph keeps entries for empty curves)."""
    legend = curve.getViewBox().parentItem().legend if curve.getViewBox() is not None else None
    if legend is None:
        return
    listed = any(sample.item is curve for sample, _ in legend.items)
    if show and not listed:
        legend.addItem(curve, curve.name())
    elif not show and listed:
        legend.removeItem(curve)
