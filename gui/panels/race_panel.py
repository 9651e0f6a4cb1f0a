"""The optimizer race dock (issue #14 item 4): SGD, momentum, Adagrad, RMSprop and Adam
(any subset, each its own learning rate) from the graph's current parameters, on its data
and seed, side by side: the cost curves overlaid, a table of epochs to the lesson's goal,
and each path drawn on the loss landscape in the optimizer's colour.

The race never changes the learner's graph (it runs on a copy, race_worker.py), so it is
no undo step; a racer that diverges is marked "diverged at epoch k" and the others go on.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QGridLayout, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from graphcore import optim
from graphcore.errors import GraphError
from graphcore.numbers import format_number

from ..plain_text import escaped, plain_label
from .landscape_view import RACE_COLORS
from .plots_common import make_plot, place_legend
from .race_worker import RaceThread, freeze, quick_gil
from .settings_fields import NumberSpinBox

DEFAULT_LR = {"sgd": 0.1, "momentum": 0.1, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01}
# Every racer keeps its parameters after every epoch (P × epochs × 8 B, drawn whole on the
# landscape) and each progress report copies them: 10,000 epochs of the xor network's 41
# parameters are 3.3 MB a racer.
MAX_RACE_EPOCHS = 10_000
COLUMNS = ("Optimizer", "Epochs to goal", "Final J", "Status")  # each lr is beside its tick box


class RacePanel(QWidget):
    def __init__(self, window, landscape, parent=None):
        super().__init__(parent)
        self.setObjectName("race_panel")
        self.window = window
        self.landscape = landscape  # the LandscapePanel: it draws each racer's path
        self.document = window.document
        self.thread: RaceThread | None = None
        self.view = None  # the last RaceView
        self.message = ""
        self.enabled, self.lrs = {}, {}
        left = QVBoxLayout()
        left.addLayout(self._optimizer_rows())
        left.addLayout(self._run_rows())
        self.status = plain_label("Each optimizer starts from the graph's current parameters.")
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.setMaximumHeight(170)
        self.cost_plot = make_plot("Cost J per epoch", "race_cost", "epoch", "J")
        self.cost_plot.getPlotItem().addLegend(offset=(-4, 4), labelTextColor="#222",
                                               brush=pg.mkBrush(255, 255, 255, 200))
        self.cost_plot.setLogMode(y=True)
        self.curves: dict = {}
        left.addWidget(self.status)
        left.addWidget(self.table)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(left, 1)
        lay.addWidget(self.cost_plot, 1)
        self.run_button.clicked.connect(self.run)
        self.stop_button.clicked.connect(self.stop)
        self.document.file_changed.connect(self._on_file)
        self._on_file()

    def _optimizer_rows(self) -> QGridLayout:
        """A row per optimizer: its colour, a tick box and its learning rate."""
        grid = QGridLayout()
        for row, name in enumerate(optim.NAMES):
            box = QCheckBox(optim.TITLES[name])
            box.setObjectName(f"race_{name}")
            box.setChecked(True)
            lr = NumberSpinBox(1e-12, 1e6, 0.01)
            lr.setValue(DEFAULT_LR[name])
            lr.setObjectName(f"race_lr_{name}")
            swatch = QLabel("━━")
            swatch.setStyleSheet(f"color: {RACE_COLORS[name]}; font-weight: bold")
            grid.addWidget(swatch, row, 0)
            grid.addWidget(box, row, 1)
            grid.addWidget(QLabel("lr"), row, 2)
            grid.addWidget(lr, row, 3)
            self.enabled[name], self.lrs[name] = box, lr
        return grid

    def _run_rows(self) -> QVBoxLayout:
        """Epochs and start, then Run race / Stop."""
        self.epochs = QSpinBox()
        self.epochs.setRange(1, MAX_RACE_EPOCHS)
        self.epochs.setToolTip(f"At most {MAX_RACE_EPOCHS:,}: every racer keeps its parameters after every epoch")
        self.epochs.setValue(100)
        self.start = QComboBox()
        self.start.addItem("current parameters", None)
        for seed in range(3):
            self.start.addItem(f"fresh parameters (seed {seed})", seed)
        self.start.setToolTip("Where every optimizer starts: the graph's values now, or the values "
                              "Reset parameters gives with that seed")
        self.run_button, self.stop_button = QPushButton("Run race"), QPushButton("Stop")
        self.stop_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(QLabel("Epochs:"))
        row.addWidget(self.epochs)
        row.addWidget(QLabel("from"))
        row.addWidget(self.start, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        rows = QVBoxLayout()
        rows.addLayout(row)
        rows.addLayout(buttons)
        return rows

    def _on_file(self, _path=""):
        block = self.document.graph.meta.get("training") or {}
        epochs = block.get("epochs")
        if isinstance(epochs, int) and not isinstance(epochs, bool) and 1 <= epochs <= MAX_RACE_EPOCHS:
            self.epochs.setValue(epochs)

    # --- running -------------------------------------------------------------------------------
    def chosen(self) -> list[str]:
        return [n for n in optim.NAMES if self.enabled[n].isChecked()]

    def run(self):
        """Start a race of the ticked optimizers (a race under way is stopped first)."""
        self.stop()
        names = self.chosen()
        if not names:
            return self._say("tick at least one optimizer to race")
        try:
            ds = self.document.dataset()
        except (GraphError, OSError, ValueError) as exc:
            return self._say(f"cannot race: the data set cannot be read: {exc}")
        try:
            request = freeze(self.document.graph, ds, names, [self.lrs[n].value() for n in names],
                             self.epochs.value(), self.start.currentData())
        except GraphError as exc:
            return self._say(f"cannot race: {exc}")
        self.thread = thread = RaceThread(request)
        thread.progress.connect(self._on_progress)
        thread.ended.connect(self._on_ended)
        thread.finished.connect(self._on_finished)
        self.run_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self._say(f"racing {len(names)} optimizer{'s' * (len(names) != 1)} over {self.epochs.value()} epochs…")
        quick_gil(True)
        thread.start()

    def stop(self):
        thread = self.thread
        if thread is not None:
            thread.cancel()
            self._release(thread)
            self._say("race stopped")

    def _on_finished(self):
        if self.thread is not None and self.sender() is self.thread:
            self._release(self.thread)

    def _release(self, thread):
        thread.wait()  # finished is emitted just before the thread ends: let it end before it is dropped
        if thread is self.thread:
            quick_gil(False)
            self.thread = None
            self.run_button.setEnabled(True)
            self.stop_button.setEnabled(False)

    def _on_progress(self, view):
        if self.sender() is self.thread:
            self._show(view)
            self._say(f"racing: epoch {view.epoch} of {view.epochs}…")

    def _on_ended(self, view, error: str):
        if self.sender() is not self.thread and self.sender() is not None:
            return
        if error:
            return self._say(error)
        self._show(view)
        done = [r for r in view.racers if r.diverged_at is None]
        self._say(f"race over: {len(done)} of {len(view.racers)} finished"
                  + ("" if view.goal else " (this graph is no lesson with a goal: no epochs to goal)"))

    def _say(self, text: str):
        self.message = text
        self.status.setText(text)

    # --- showing -------------------------------------------------------------------------------
    def _show(self, view):
        self.view = view
        for name in [n for n in self.curves if n not in {r.optimizer for r in view.racers}]:
            self.cost_plot.getPlotItem().legend.removeItem(self.curves[name])
            self.cost_plot.removeItem(self.curves.pop(name))
        for r in view.racers:
            curve = self.curves.get(r.optimizer)
            if curve is None:
                curve = self.cost_plot.plot(pen=pg.mkPen(RACE_COLORS[r.optimizer], width=2), name=escaped(r.title))
                self.curves[r.optimizer] = curve
            ok = np.isfinite(r.costs) & (r.costs > 0)
            curve.setData(np.arange(1, len(r.costs) + 1)[ok], r.costs[ok])
        place_legend(self.cost_plot)
        self._fill_table(view)
        self.landscape.set_race([(r.optimizer, r.title, r.params) for r in view.racers])

    def _fill_table(self, view):
        self.table.setRowCount(len(view.racers))
        goal = view.goal
        for i, r in enumerate(view.racers):
            final = r.costs[-1] if len(r.costs) and np.isfinite(r.costs[-1]) else None
            to_goal = "no goal" if goal is None else (str(r.goal_epoch) if r.goal_epoch else "not reached")
            cells = (r.title, to_goal, "—" if final is None else format_number(final, 4), r.status)
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == 0:
                    item.setForeground(pg.mkColor(RACE_COLORS[r.optimizer]).darker(130))
                if j in (1, 2):
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(i, j, item)

    def shutdown(self):
        if self.thread is not None:
            self.thread.cancel()
            self._release(self.thread)
