"""Replay (issue #14): a timeline slider under the training progress scrubs to any kept epoch.

At epoch k < N the canvas, the inspector, the decision boundary and f(x) show the
parameters the run had after epoch k (``graphcore.replay.params_at``, read from the
Trainer's History, never trained again), the cost, accuracy and parameter plots carry a
marker at k, and the label says "epoch k of N — replay". The values are written into the
graph without an undo step, as live training writes them; the trained values come back
("live") on the Back-to-live button, the slider at N, Train, a step, a reset, any edit
(before it applies) and a save (before it writes), so nothing made in replay is lost and
no file holds a replayed epoch. An undo or redo while replaying keeps what it changed and
puts the trained values back on every other parameter.

"Restart from the same start" trains again from the parameters and the shuffling seed the
run began with (``TrainingRunner.restart_same_start``), so the same epochs come again.

Memory: the History keeps (2 P + V) × 8 B per epoch (P parameters: values and dJ/dθ;
V Variables: |dJ/dv|) for up to 2048 epochs, then keeps every 2nd, 4th, ... epoch; the
slider still moves one epoch at a time and shows the nearest kept epoch, saying so.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QPushButton, QSlider, QWidget

from graphcore import replay
from graphcore.errors import GraphError
from graphcore.graph import EventKind
from graphcore.numbers import format_number

from .plots_common import TEST_COLOR
from .stable_size import MessageLabel
from ..training.runner import trained_values

REPLAY_STYLE = "background: #FFE9A8; color: #222; padding: 2px 4px; border-radius: 3px"


class ReplayTimeline(QWidget):
    def __init__(self, view, parent=None):
        super().__init__(parent)
        self.setObjectName("replay_timeline")
        self.view, self.runner, self.document = view, view.runner, view.document
        self.shown: replay.Snapshot | None = None  # the epoch on show; None: live
        self._trainer = None  # the Trainer whose epoch is on show
        self._writing = False
        self._syncing = False
        self._touched: set[str] = set()  # parameters an undo or redo changed while replaying
        self._markers: list[pg.InfiniteLine] = []
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setObjectName("replay_slider")
        self.slider.setToolTip("Drag to see any epoch of the run: the canvas, the boundary and the plots follow")
        self.label = MessageLabel(lines=2)  # never widens the dock: "epoch k of N — replay", cost, accuracy
        self.label.setObjectName("replay_label")
        self.label.setTextFormat(Qt.PlainText)
        self.live_button = QPushButton("Back to live")
        self.live_button.setObjectName("replay_live")
        self.restart_button = QPushButton("Restart from the same start")
        self.restart_button.setObjectName("restart_same_start")
        self.restart_button.setToolTip("Train again from the parameters and the shuffling seed this run started from")
        lay = QGridLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.slider, 0, 0, 1, 2)
        lay.addWidget(self.label, 1, 0, 1, 2)
        lay.addWidget(self.live_button, 2, 0)
        lay.addWidget(self.restart_button, 2, 1)
        self.slider.valueChanged.connect(self._on_slider)
        self.live_button.clicked.connect(self.go_live)
        self.restart_button.clicked.connect(self.runner.restart_same_start)
        for signal in (self.runner.frame, self.runner.trainer_changed, self.runner.state_changed):
            signal.connect(self.sync)
        self.runner.before_action.append(self.go_live)
        self.document.before_edit.append(self.go_live)
        self._unsubscribe = self.document.graph.subscribe(self._on_graph_event)
        self.destroyed.connect(lambda *_: self._unsubscribe())
        self.sync()

    # --- following the run ----------------------------------------------------------------
    def last_epoch(self) -> int:
        t = self.view.current_trainer()
        return t.epoch if t is not None and len(t.history) else 0

    def sync(self, *_):
        """The slider spans the run's epochs 0 … N; live, it sits at N."""
        t = self.view.current_trainer()
        if self.shown is not None and t is not self._trainer:
            self._drop()  # a new run or a changed graph: that history is gone
        n = self.last_epoch()
        self._syncing = True
        try:
            self.slider.setRange(0, n)
            self.slider.setValue(n if self.shown is None else self.shown.asked)
        finally:
            self._syncing = False
        self.slider.setEnabled(n > 0)
        self.restart_button.setEnabled(bool(self.runner.run_start))
        self._show_label(n)

    def _show_label(self, n: int):
        s = self.shown
        self.live_button.setEnabled(s is not None)
        if s is None:
            self.label.setStyleSheet("color: #555")
            self.label.setText(f"epoch {n} of {n} — live" + ("  (drag to replay)" if n else ""))
            return
        text = f"epoch {s.asked} of {n} — replay"
        h = self._trainer.history
        if s.epoch >= 1:
            entry = h.entry(s.epoch - 1)  # every epoch's cost and accuracy are kept
            text += f"   cost {format_number(entry['cost'], 4)}" if entry["cost"] is not None else ""
            text += f"   accuracy {entry['accuracy']:.0%}" if entry["accuracy"] is not None else ""
        if not s.exact:
            text += f" — {s.note}"
        self.label.setStyleSheet(REPLAY_STYLE)
        self.label.setText(text)

    # --- scrubbing -----------------------------------------------------------------------
    def _on_slider(self, k: int):
        if self._syncing:
            return
        if self.runner.state == "running":
            self.runner.pause()  # the run becomes its undo step; its epochs can then be replayed
        t = self.view.current_trainer()
        if t is None or k >= t.epoch:
            self.go_live()
        else:
            self.show_epoch(k)

    def show_epoch(self, k: int):
        """Show the parameters the run had after epoch k (0: before its first step)."""
        t = self.view.current_trainer()
        if t is None:
            return
        start = self.runner.run_start or {}
        begin = [start[p] for p in t.param_ids] if all(p in start for p in t.param_ids) else None
        try:
            snap = replay.params_at(t.history, k, begin)
        except GraphError as exc:
            self.view.window.show_message(str(exc), 8000)
            return
        self.shown, self._trainer, self._touched = snap, t, set()
        self._write_silently(dict(zip(t.param_ids, map(float, snap.params), strict=True)), keep_trainer=True)
        self.view.replay = snap
        self.view.window.show_message(f"Replay of epoch {k}: Back to live, Train or any edit returns to the "
                                      "trained values", 8000)
        self._place_markers(snap.epoch)
        self.sync()
        self.view.schedule_refresh()  # one redraw after a drag settles, not one per epoch passed

    def go_live(self):
        """Put the trained values back (nothing to do when live)."""
        if self.shown is None:
            return
        t = self._trainer
        self._drop()
        if t is not None and t is self.runner.trainer:
            self._write_silently(trained_values(t), keep_trainer=True)
        self.sync()
        self.view.schedule_refresh()

    def _drop(self):
        self.shown, self._trainer = None, None
        self.view.replay = None
        self._place_markers(None)

    def _write_silently(self, values: dict, keep_trainer: bool):
        self._writing = True
        try:
            if keep_trainer:
                self.runner.show_values(values)
            else:  # the graph changed under the run: the Trainer stays stale, to be rebuilt
                self.document.graph.set_values(values)
        finally:
            self._writing = False

    # --- an undo or redo while replaying -----------------------------------------------------
    def _on_graph_event(self, event):
        if self.shown is None or self._writing or self.runner.writing:
            return
        if event.kind is EventKind.RESET:  # another file: nothing of the run to put back
            self._drop()
            QTimer.singleShot(0, self, self.sync)
            return
        if event.node is not None and (event.kind is EventKind.NODE_REMOVED or event.key == "value"):
            self._touched.add(event.node)
        QTimer.singleShot(0, self, self._after_outside_change)

    def _after_outside_change(self):
        """The undo or redo keeps what it set; every other parameter gets its trained value back."""
        if self.shown is None:
            return
        t, touched = self._trainer, self._touched
        self._drop()
        g = self.document.graph
        back = {p: v for p, v in trained_values(t).items() if p in g and p not in touched}
        self._write_silently(back, keep_trainer=False)
        self.sync()

    # --- markers on the plots ------------------------------------------------------------------
    def _place_markers(self, epoch: int | None):
        if not self._markers:
            p = self.view.plots
            for pw in (p.cost.cost_plot, p.cost.acc_plot, p.parameters.value_plot, p.parameters.grad_plot):
                line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(TEST_COLOR, width=1, style=Qt.DashLine))
                line.setObjectName("replay_marker")
                pw.addItem(line, ignoreBounds=True)
                self._markers.append(line)
        for line in self._markers:
            line.setVisible(epoch is not None)
            if epoch is not None:
                line.setValue(epoch)
