"""``install_training(window)``: the Data, Train and Plots docks, the Train menu and toolbar.

Uses only the MainWindow integration points in docs/ARCHITECTURE.md (``document``,
``scene.set_overlay``, ``add_dock``, ``menu("Train")``, ``toolbar``, ``select_nodes``,
``show_message``) and the stepper it is given. Returns ``TrainingParts``: the window keeps
them (``window.training`` is the ``TrainingView`` below).

The plots redraw from one place, ``TrainingView.refresh``: on the runner's frames while
training (≤ FPS_LIMIT a second) and, when idle, a frame after the graph last changed.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QSplitter, QTabWidget, QVBoxLayout, QWidget

from graphcore.boundary import boundary_axes, curve_input, decision_boundary
from graphcore.errors import GraphError
from graphcore.graph import VariableRef
from graphcore.train_history import mean_abs
from graphcore.train_settings import Status

from ..canvas.overlay import CanvasOverlay
from ..panels.data_panel import DataPanel
from ..panels.plots_boundary import BoundaryPlot
from ..panels.plots_common import FPS_LIMIT
from ..panels.plots_cost import CostPlot
from ..panels.plots_derivative import DerivativePlot
from ..panels.plots_gradients import GradientBars, ParameterHistory, box_gradients
from ..panels.replay_timeline import ReplayTimeline
from ..panels.stable_size import scrolling
from ..panels.training_panel import TrainingPanel
from .runner import TrainingRunner

MAX_EDGE_WIDTH = 5.0  # the arrow with the largest |dJ/dv| is drawn this many times wider


class PlotsPanel(QWidget):
    """Decision boundary (or f(x) for a one-input lesson) above; cost, gradients, parameters below."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("plots_panel")
        self.boundary = BoundaryPlot()
        self.derivative = DerivativePlot()
        self.cost = CostPlot()
        self.gradients = GradientBars()
        self.parameters = ParameterHistory()
        self.top = QTabWidget()
        self.top.addTab(self.boundary, "Decision boundary")
        self.top.addTab(self.derivative, "f(x) and df/dx")
        self.bottom = QTabWidget()
        self.bottom.addTab(self.cost, "Cost")
        self.bottom.addTab(self.gradients, "Gradients")
        self.bottom.addTab(self.parameters, "Parameters")
        self.split = split = QSplitter(Qt.Vertical)
        split.addWidget(self.top)
        split.addWidget(self.bottom)
        split.setSizes([520, 380])
        self.setMinimumWidth(440)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(split)


    def follow_dock_area(self, area):
        """Along the bottom the two groups of plots sit side by side; in a side column, stacked."""
        wide = area in (Qt.BottomDockWidgetArea, Qt.TopDockWidgetArea)
        self.split.setOrientation(Qt.Horizontal if wide else Qt.Vertical)
        self.setMinimumWidth(600 if wide else 440)


class TrainingView(QObject):
    def __init__(self, window, stepper):
        super().__init__(window)
        self.window = window
        self.stepper = stepper  # a StepperController: it owns the canvas overlay while stepping
        self.document = doc = window.document
        self.runner = TrainingRunner(doc, self)
        self.runner.wants_box_grads = self.wants_box_grads
        self.panel = TrainingPanel(self.runner)
        self.data_panel = DataPanel(doc)
        self.plots = PlotsPanel()
        self._overlay_painted = False
        self._last_kind = None
        self.boundary_error = ""
        self.replay = None  # the replay.Snapshot on show, set by the timeline; None: live
        self._eval_mags = (None, None)  # (an evaluation, its mean |dJ/dv| per Variable)
        self.timeline = ReplayTimeline(self)
        self.panel.add_timeline(self.timeline)
        self._idle = QTimer(self, singleShot=True, interval=1000 // FPS_LIMIT)
        self._idle.timeout.connect(self.refresh)

        self.runner.frame.connect(self.refresh)
        self.runner.frame.connect(self._show_live_cost)
        self.runner.trainer_changed.connect(self.schedule_refresh)
        self.runner.failed.connect(self._on_failed)
        doc.changed.connect(lambda: None if doc.moved_only else self.schedule_refresh())  # moves change no plot
        doc.evaluated.connect(lambda _ev: self.schedule_refresh())
        # After the window has shown the evaluation: a run keeps its J and epoch in view between frames.
        doc.evaluated.connect(lambda _ev: QTimer.singleShot(0, self, self._show_live_cost))
        window.scene.selectionChanged.connect(self._on_selection)
        b = self.plots.boundary
        b.add_point.connect(lambda x, y, c: self.data_panel.add_point(x, y, c, b.axes))
        b.remove_point.connect(self.data_panel.remove_point)
        b.sample_clicked.connect(self._on_sample)
        self.panel.edge_widths.toggled.connect(lambda _on: self.refresh())
        self.plots.bottom.currentChanged.connect(lambda _i: self.refresh())
        self.plots.top.currentChanged.connect(lambda _i: self.refresh())
        self.plots.installEventFilter(self)

    def eventFilter(self, obj, event):
        if obj is self.plots and event.type() == QEvent.Show:
            # Hidden plots are not redrawn (see refresh): catch up when they come back into view,
            # or they show a graph that no longer exists (an undone edit, a deleted output box).
            QTimer.singleShot(0, self.refresh)
            return False
        # Closing the window mid-run: pause first, so the run becomes an undo step and the
        # window's "unsaved changes" question covers the trained values.
        if obj is self.window and event.type() == QEvent.Close and self.runner.state == Status.RUNNING:
            self.runner.pause()
        return False

    def _show_live_cost(self):
        t = self.runner.trainer
        last = t.history.last() if t is not None and self.runner.state == Status.RUNNING and len(t.history) else None
        if last is not None and last["cost"] is not None:
            self.window.show_training_cost(last["cost"], t.epoch)

    def schedule_refresh(self):
        if self.runner.state != Status.RUNNING:
            self._idle.start()

    # --- what the plots show ---------------------------------------------------------------
    def current_trainer(self):
        return self.runner.current_trainer()

    def refresh(self):
        """Redraw every visible plot from the graph, its data set and the Trainer's history."""
        self._idle.stop()
        if self.runner.slice_in_flight:  # the worker thread is writing the history: a moment later
            self._idle.start()
            return
        g = self.document.graph
        t = self.current_trainer()
        params = self.runner.live_params() if t is not None and self.runner.state == Status.RUNNING else None
        try:
            ds = self.document.dataset()
        except (GraphError, OSError, ValueError):
            ds = None
        self._choose_top_tab(g)
        if self.plots.boundary.isVisible():
            self._refresh_boundary(g, ds, params)
        if self.plots.derivative.isVisible():
            self.plots.derivative.set_graph(g, params)
        history = t.history if t is not None else None
        shown = self.plots.bottom.currentWidget()
        # Hidden tabs keep their old picture; a tab shown later is redrawn then (see __init__).
        if shown is self.plots.cost:
            self.plots.cost.set_history(history)
        if shown is self.plots.parameters:
            self.plots.parameters.set_history(history, {n: g.label(n) for n in g.nodes()})
        # |dJ/dv| of every Variable only for what shows it: 10,000 boxes' means are no free lunch
        wanted = shown is self.plots.gradients or self.panel.edge_widths.isChecked()
        keys, mags, caption = self._variable_gradients(t) if wanted else ([], None, "")
        if shown is self.plots.gradients:
            boxes, values = box_gradients(g, keys, mags) if keys else ([], [])
            self.plots.gradients.set_gradients(boxes, values, [g.label(b) if b in g else b for b in boxes], caption)
            self.plots.gradients.set_selected(self.window.scene.selected_nodes())
        self._paint_edges(g, keys, mags)

    def wants_box_grads(self) -> bool:
        """Whether something on screen draws each Variable's |dJ/dv| (else training skips it)."""
        gradients = self.plots.bottom.currentWidget() is self.plots.gradients and self.plots.isVisible()
        return gradients or self.panel.edge_widths.isChecked()

    def _choose_top_tab(self, g):
        kind = "curve" if curve_input(g) is not None else "boundary"
        if kind != self._last_kind:
            self._last_kind = kind
            self.plots.top.setCurrentWidget(self.plots.derivative if kind == "curve" else self.plots.boundary)

    def _refresh_boundary(self, g, ds, params):
        plot = self.plots.boundary
        columns = ds.columns if ds is not None else None
        try:
            axes = boundary_axes(g, list(columns) if columns is not None else None)
        except GraphError:
            axes = tuple((ds.features + ["x1", "x2"])[:2]) if ds is not None else ("x1", "x2")
        plot.set_data(columns, ds.test_mask if ds is not None else None, axes)
        try:
            plot.set_boundary(decision_boundary(g, params, columns, axes=axes))
            self.boundary_error = ""
        except GraphError as exc:
            self.boundary_error = str(exc)
            plot.set_boundary(None, f"No boundary: {exc}")

    def _variable_gradients(self, t):
        """|dJ/dv| per Variable: the Trainer's last epoch, else one evaluation at the current values."""
        h = t.history if t is not None else None
        row = _history_row(h, None if self.replay is None else self.replay.epoch)
        if row is not None and np.isfinite(h.box_grads[row]).all():
            return (list(h.var_keys), h.box_grads[row],
                    f"epoch {int(h.row_epochs[row])}: mean |dJ/dv| over the samples of its last batch")
        ev = self.document.evaluation
        if ev is None or ev.grads is None:
            return [], np.zeros(0), "no gradients yet: the graph needs a cost J that can be evaluated"
        if self._eval_mags[0] is not ev:  # once per evaluation, not once per frame
            self._eval_mags = (ev, mean_abs(ev.grads))
        return list(ev.plan.keys), self._eval_mags[1], "one evaluation at the current values: mean |dJ/dv| over samples"

    def _paint_edges(self, g, keys, mags):
        if self.stepper.index >= 0:
            return  # the step-through owns the overlay while stepping
        if not self.panel.edge_widths.isChecked() or not keys:
            if self._overlay_painted:
                self.window.scene.set_overlay(None)
                self._overlay_painted = False
            return
        self.window.scene.set_overlay(CanvasOverlay(edge_widths=edge_widths(g, keys, mags), legend=False))
        self._overlay_painted = True

    # --- reactions -------------------------------------------------------------------------
    def _on_failed(self, message: str, nodes: list):
        if nodes:
            self.window.select_nodes([n for n in nodes if n in self.document.graph])
        self.window.show_message(message, 15000)

    def _on_selection(self):
        try:
            selected = self.window.scene.selected_nodes()
            self.plots.gradients.set_selected(selected)
            if len(selected) == 1:
                self.plots.parameters.show_parameter(selected[0])
        except RuntimeError:  # the scene is torn down with the window (a selected scene says so), plots first
            return

    def _on_sample(self, row: int):
        """A click on a training point picks that sample in the step-through, if there is one."""
        plot = self.plots.boundary
        if plot.test_mask is None or plot.test_mask[row]:
            return
        self.stepper.select_sample(int(np.sum(~plot.test_mask[:row])))


def _history_row(history, epoch: int | None) -> int | None:
    """The History row of ``epoch`` (None: the last row); None if it keeps no such row."""
    if history is None or not len(history.row_epochs):
        return None
    if epoch is None:
        return len(history.row_epochs) - 1
    i = int(np.searchsorted(history.row_epochs, epoch))
    return i if i < len(history.row_epochs) and history.row_epochs[i] == epoch else None


def edge_widths(graph, keys: list[str], mags) -> dict:
    """Arrow width factor per Edge: 1 + (MAX_EDGE_WIDTH − 1)·√(|dJ/dv| / largest)."""
    m = dict(zip(keys, np.asarray(mags, dtype=float), strict=True))
    per_edge = {}
    for e in graph.edges():
        key = VariableRef.of_output(e.src, e.out, graph.n_outputs(e.src)).key
        per_edge[e] = m.get(key, 0.0)
    top = max(per_edge.values(), default=0.0)
    if not top > 0:
        return {e: 1.0 for e in per_edge}
    return {e: 1.0 + (MAX_EDGE_WIDTH - 1.0) * float(np.sqrt(v / top)) for e, v in per_edge.items()}


class TrainingParts(NamedTuple):
    view: TrainingView
    data_dock: QDockWidget
    training_dock: QDockWidget
    plots_dock: QDockWidget


def install_training(window, stepper) -> TrainingParts:
    view = TrainingView(window, stepper)
    window.installEventFilter(view)
    data_dock = window.add_dock("Data", scrolling(view.data_panel), Qt.LeftDockWidgetArea)
    training_dock = window.add_dock("Train", scrolling(view.panel), Qt.RightDockWidgetArea)
    plots_dock = window.add_dock("Plots", view.plots, Qt.RightDockWidgetArea)
    plots_dock.dockLocationChanged.connect(view.plots.follow_dock_area)
    r = view.runner
    menu = window.menu("Train")
    actions = {}
    for key, text, slot, shortcut in (("train", "Train", r.train, "F5"), ("pause", "Pause", r.pause, "F6"),
                                      ("stop", "Stop", r.stop, "Shift+F5"),
                                      ("step_batch", "Step one batch", r.step_batch, "F7"),
                                      ("step_epoch", "Step one epoch", r.step_epoch, "F8"),
                                      ("reset", "Reset parameters",
                                       lambda: r.reset_parameters(view.panel.reset_seed.value()), None)):
        a = QAction(text, window)
        a.setObjectName(f"train_{key}_action")
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        a.triggered.connect(slot)
        menu.addAction(a)
        actions[key] = a
    menu.addSeparator()
    for dock in (data_dock, training_dock, plots_dock):
        menu.addAction(dock.toggleViewAction())
    window.toolbar.addSeparator()
    for key in ("train", "pause", "step_epoch"):
        window.toolbar.addAction(actions[key])

    def on_state(state):
        if state == Status.RUNNING:
            training_dock.raise_()  # Pause and the progress stay in view
            if stepper.index >= 0:
                stepper.reset()  # training ends the step-through: its numbers would be stale at once
            plots_dock.show()
        actions["pause"].setEnabled(state == Status.RUNNING)
        actions["train"].setEnabled(state != Status.RUNNING)
        actions["stop"].setEnabled(state in (Status.RUNNING, Status.PAUSED))
    r.state_changed.connect(on_state)
    on_state(r.state)
    view.actions = actions
    QTimer.singleShot(0, view.refresh)
    return TrainingParts(view, data_dock, training_dock, plots_dock)
