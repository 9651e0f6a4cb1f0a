"""Gradients through the graph: |dJ/dv| per box as bars, and each parameter's value and
gradient over the epochs.

The bars are horizontal, one per box in the graph's order from the top, so every box's
name stays readable however many there are; the selected box is drawn in the
highlight colour. A box with several outputs (softmax) shows the mean over them.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from .plots_common import HIGHLIGHT_COLOR, TRAIN_COLOR, make_plot
from ..plain_text import plain_label


def box_gradients(graph, var_keys: list[str], magnitudes) -> tuple[list[str], np.ndarray]:
    """Per box in graph order, the mean |dJ/dv| over its output Variables (from per-Variable values)."""
    index = {k: i for i, k in enumerate(var_keys)}
    mags = np.asarray(magnitudes, dtype=float)
    boxes, values = [], []
    for node in graph.nodes():
        cols = [index[k] for k in graph.variable_keys(node) if k in index]
        if not cols:
            continue
        boxes.append(node)
        values.append(float(np.mean(mags[cols])))
    return boxes, np.array(values)


class GradientBars(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = make_plot("Mean |dJ/dv| per box", "box_gradients", "|dJ/dv|  (mean over samples)", "")
        self.plot.getPlotItem().invertY(True)
        self.plot.getPlotItem().showGrid(x=True, y=False, alpha=0.15)
        self.bars = pg.BarGraphItem(x0=[0], y=[0], width=[0], height=0.7)
        self.plot.addItem(self.bars)
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.toggled.connect(lambda _: self._draw())
        self.caption = plain_label()
        self.caption.setStyleSheet("color: #666")
        # wraps in a narrow column rather than widening it (it was clipped at the right)
        self.caption.setWordWrap(True)
        self.caption.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        row = QHBoxLayout()
        row.addWidget(self.log_scale)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.caption)
        self.boxes: list[str] = []
        self.labels: list[str] = []
        self.values = np.zeros(0)
        self.selected: set[str] = set()

    def set_gradients(self, boxes: list[str], values, labels: list[str] | None = None, caption: str = ""):
        self.boxes, self.values = list(boxes), np.asarray(values, dtype=float)
        self.labels = list(labels) if labels is not None else list(boxes)
        self.caption.setText(caption)
        self._draw()

    def set_selected(self, ids):
        self.selected = set(ids)
        self._draw()

    def brushes(self) -> list[str]:
        return [HIGHLIGHT_COLOR if b in self.selected else TRAIN_COLOR for b in self.boxes]

    def _draw(self):
        n = len(self.boxes)
        widths = self.values
        if self.log_scale.isChecked():
            # log10 of the magnitude, measured from the smallest non-zero one so bars stay positive
            nz = widths[widths > 0]
            floor = np.log10(nz.min()) - 1 if len(nz) else 0.0
            widths = np.where(widths > 0, np.log10(np.maximum(widths, 1e-300)) - floor, 0.0)
            self.plot.getPlotItem().setLabel("bottom", f"log₁₀|dJ/dv| − ({floor:.0f})")
        else:
            self.plot.getPlotItem().setLabel("bottom", "|dJ/dv|  (mean over samples)")
        self.bars.setVisible(n > 0)
        if n:  # (pyqtgraph's BarGraphItem cannot take empty lists of brushes)
            self.bars.setOpts(x0=np.zeros(n), y=np.arange(n), width=widths, height=0.7,
                              brushes=[pg.mkBrush(c) for c in self.brushes()], pen=pg.mkPen(None))
        axis = self.plot.getPlotItem().getAxis("left")
        axis.setTicks([[(i, lab) for i, lab in enumerate(self.labels)]])
        if n:
            top = float(np.nanmax(widths)) if np.isfinite(widths).any() else 1.0
            self.plot.setXRange(0, top if top > 0 else 1.0, padding=0.05)
            self.plot.setYRange(-0.6, n - 0.4, padding=0)


class ParameterHistory(QWidget):
    """Each parameter's value and dJ/dθ (mean over the epoch's batches) against epochs."""

    ALL = "all parameters"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.value_plot = make_plot("Parameter values", "parameter_values", "epoch", "value")
        self.grad_plot = make_plot("Parameter gradients dJ/dθ", "parameter_gradients", "epoch", "dJ/dθ")
        self.grad_plot.setXLink(self.value_plot)
        self.choice = QComboBox()
        self.choice.setObjectName("parameter_choice")
        self.choice.currentIndexChanged.connect(lambda _: self._draw())
        row = QHBoxLayout()
        row.addWidget(QLabel("Show"))
        row.addWidget(self.choice, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.value_plot, 1)
        lay.addWidget(self.grad_plot, 1)
        self.history = None
        self.curves: dict[str, tuple] = {}
        self.labels: dict[str, str] = {}
        self._style_key = None

    def set_history(self, history, labels: dict[str, str] | None = None):
        self.history = history
        self.labels = labels or {}
        ids = list(history.param_ids) if history is not None else []
        # the learner picks a parameter by its label; the item's data is its id
        wanted = [(self.ALL, self.ALL)] + [(self.labels.get(p, p), p) for p in ids]
        if [(self.choice.itemText(i), self.choice.itemData(i)) for i in range(self.choice.count())] != wanted:
            current = self.choice.currentData()
            self.choice.blockSignals(True)
            self.choice.clear()
            for text, data in wanted:
                self.choice.addItem(text, data)
            self.choice.setCurrentIndex(max(self.choice.findData(current), 0))
            self.choice.blockSignals(False)
        self._draw()

    def show_parameter(self, node: str):
        i = self.choice.findData(node)
        if i >= 0:
            self.choice.setCurrentIndex(i)

    def showEvent(self, event):
        super().showEvent(event)
        self._draw()  # it skipped frames while hidden

    def _draw(self):
        h = self.history
        ids = list(h.param_ids) if h is not None else []
        for pid in list(self.curves):
            if pid not in ids:
                vc, gc = self.curves.pop(pid)
                self.value_plot.removeItem(vc)
                self.grad_plot.removeItem(gc)
        if h is None or not self.isVisible():
            return
        chosen = self.choice.currentData() or self.ALL
        style_key = (tuple(ids), chosen)
        if style_key != self._style_key:  # pens change only with the choice, not every frame
            self._style_key = style_key
            palette = pg.colormap.get("CET-C6").getLookupTable(nPts=max(len(ids), 1) + 1, alpha=False)
            for i, pid in enumerate(ids):
                if pid not in self.curves:
                    name = self.labels.get(pid, pid)
                    self.curves[pid] = (self.value_plot.plot(name=name), self.grad_plot.plot(name=name))
                color = tuple(int(c) for c in palette[i]) if chosen == self.ALL else TRAIN_COLOR
                vc, gc = self.curves[pid]
                vc.setPen(pg.mkPen(color, width=2 if chosen == pid else 1.5))
                gc.setPen(pg.mkPen(color if chosen == self.ALL else HIGHLIGHT_COLOR, width=2 if chosen == pid else 1.5))
                vc.setVisible(chosen in (self.ALL, pid))
                gc.setVisible(chosen in (self.ALL, pid))
        x = np.asarray(h.row_epochs, dtype=float)
        for i, pid in enumerate(ids):
            if chosen in (self.ALL, pid):
                vc, gc = self.curves[pid]
                vc.setData(x, h.params[:, i])
                gc.setData(x, h.grads[:, i])
