"""The lecture's "Intuition: Derivative" figure for a graph of one input with a value.

f(x) over a range around the chosen x, the tangent at x whose slope is backprop's
df/dx, and the secant through x − h and x + h whose slope is the central difference
(f(x + h) − f(x − h)) / 2h. Shrinking h brings the secant onto the tangent. Clicking
on the plot moves the chosen x (the graph itself is not changed).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from graphcore.boundary import curve_input, function_curve
from graphcore.errors import GraphError
from graphcore.numbers import format_number

from .stable_size import MessageLabel
from .plots_common import HIGHLIGHT_COLOR, TRAIN_COLOR, make_plot, place_legend


class DerivativePlot(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        # A short title: the legend says which line is which, and a long one ran off the plot.
        self.plot = make_plot("f(x), tangent and secant", "derivative", "x", "f(x)")
        self.plot.getPlotItem().addLegend(offset=(4, 4), labelTextColor="#222", brush=pg.mkBrush(255, 255, 255, 200))
        self.f_curve = self.plot.plot(pen=pg.mkPen("#222", width=2), name="f(x)", connect="finite")
        self.tangent = self.plot.plot(pen=pg.mkPen(TRAIN_COLOR, width=2), name="tangent: df/dx by backprop")
        self.secant = self.plot.plot(pen=pg.mkPen(HIGHLIGHT_COLOR, width=2, style=Qt.DashLine),
                                     name="secant: central difference")
        self.points = pg.ScatterPlotItem(size=9, brush=pg.mkBrush(HIGHLIGHT_COLOR), pen=pg.mkPen("w"))
        self.point = pg.ScatterPlotItem(size=11, brush=pg.mkBrush(TRAIN_COLOR), pen=pg.mkPen("w", width=1.5))
        self.plot.addItem(self.points)
        self.plot.addItem(self.point)
        self.x0 = QDoubleSpinBox()
        self.x0.setRange(-1e6, 1e6)
        self.x0.setDecimals(4)
        self.x0.setSingleStep(0.1)
        self.x0.setKeyboardTracking(False)
        self.h = QDoubleSpinBox()
        self.h.setRange(1e-6, 100)
        self.h.setDecimals(6)
        self.h.setValue(0.5)
        self.h.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        self.h.setKeyboardTracking(False)
        self.readout = MessageLabel(lines=3)  # the figures wrap instead of running off the plot
        self.readout.setObjectName("derivative_readout")
        self.readout.setTextInteractionFlags(Qt.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(QLabel("x ="))
        row.addWidget(self.x0)
        row.addWidget(QLabel("h ="))
        row.addWidget(self.h)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.readout)
        self.graph = None
        self.params = None
        self.curve = None
        self._x_of_graph = None
        self.x0.valueChanged.connect(lambda _: self.redraw())
        self.h.valueChanged.connect(lambda _: self.redraw())
        self.plot.scene().sigMouseClicked.connect(self._on_click)

    @staticmethod
    def applies_to(graph) -> bool:
        return graph is not None and curve_input(graph) is not None

    def set_graph(self, graph, params=None):
        """Follow ``graph``; the chosen x follows the input box's value when that changes."""
        self.graph, self.params = graph, params
        x_id = curve_input(graph) if graph is not None else None
        if x_id is not None and graph.value(x_id) != self._x_of_graph:
            self._x_of_graph = graph.value(x_id)
            self.x0.blockSignals(True)
            self.x0.setValue(self._x_of_graph)
            self.x0.blockSignals(False)
        self.redraw()

    def redraw(self):
        g = self.graph
        if not self.applies_to(g):
            self._clear("For a graph with one input box that has a value (f(x) = sin 2x, x², ...)")
            return
        try:
            c = function_curve(g, x0=self.x0.value(), h=self.h.value(), params=self.params)
        except GraphError as exc:
            self._clear(str(exc))  # no old curve left standing beside a message that says there is none
            return
        self.curve = c
        self.f_curve.setData(c.xs, c.fs)
        ends = np.array([c.xs[0], c.xs[-1]])
        self.tangent.setData(ends, c.f0 + c.slope * (ends - c.x0))
        # The secant runs through (x − h, f(x − h)) and (x + h, f(x + h)).
        self.secant.setData(ends, (c.f_minus + c.f_plus) / 2 + c.secant * (ends - c.x0))
        self.points.setData([c.x0 - c.h, c.x0 + c.h], [c.f_minus, c.f_plus])
        self.point.setData([c.x0], [c.f0])
        finite = c.fs[np.isfinite(c.fs)]
        if len(finite):
            lo, hi = float(finite.min()), float(finite.max())
            pad = 0.1 * (hi - lo or 1.0)
            self.plot.setYRange(lo - pad, hi + pad, padding=0)
        self.plot.setXRange(c.xs[0], c.xs[-1], padding=0)
        place_legend(self.plot)
        err = abs(c.slope - c.secant)
        n = format_number
        self.readout.setText(f"x = {n(c.x0, 4)}   f(x) = {n(c.f0)}   backprop df/dx = {n(c.slope)}\n"
                             f"central difference (h = {n(c.h)}) = {n(c.secant)}   difference = {n(err, 2)}")

    def _clear(self, message: str):
        self.curve = None
        for c in (self.f_curve, self.tangent, self.secant):
            c.setData([], [])
        self.points.setData([])
        self.point.setData([])
        self.readout.setText(message)

    def _on_click(self, ev):
        if ev.button() != Qt.MouseButton.LeftButton or self.curve is None:
            return
        vb = self.plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        self.x0.setValue(vb.mapSceneToView(ev.scenePos()).x())

