"""The loss landscape dock (issue #14 item 3): the cost J over a plane through parameter space.

Two planes (graphcore.landscape): two parameters the learner picks (two lists of
parameter labels, or select two parameter boxes on the canvas), ± a span around their
current values, the others held; or the two main directions of the training path (Li et
al. 2018). The grid is computed in a worker process (landscape_worker.py) and only
while the dock is visible; a newer request replaces a waiting one.

When the grid is redrawn: when the choices change, and when the graph's point leaves the
plane the grid was drawn on (an edit, a trained parameter that is not an axis) — not while
a run goes on, which would take its time; then only the path grows and the star (the
current point) moves, and the grid follows when the run stops. A click on the grid sets
the parameters to that point as one undo step (SetValuesCommand): the two axes' parameters,
or on the path's plane every parameter; the canvas and the boundary follow the graph.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QGridLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)

from graphcore.errors import GraphError
from graphcore.numbers import format_number

from ..plain_text import plain_label
from .landscape_view import LandscapePlot
from .landscape_jobs import freeze
from .landscape_worker import GridWorker
from ..training.commands import SetValuesCommand, parameter_values

DEBOUNCE_MS = 250
ON_PLANE = 1e-9  # relative distance from the plane below which a point is on it
MODE_TEXT = {"pair": "Two parameters", "path": "Main directions of the training path"}


# A grid costs (points × grid cells) forward runs: past this many training points the
# landscape is drawn over an evenly spaced sample of them (a million points would take
# minutes and gigabytes in the worker), and says so.
MAX_POINTS = 5_000


def sampled(data: dict | None) -> tuple[dict | None, str]:
    """The training points the grid uses, and a note when they are a sample."""
    m = len(next(iter(data.values()))) if data else 0
    if m <= MAX_POINTS:
        return data, ""
    rows = np.linspace(0, m - 1, MAX_POINTS).round().astype(int)
    return {c: np.asarray(v)[rows] for c, v in data.items()}, f" (over {MAX_POINTS:,} of the {m:,} training points)"


def distinct(lo: float, hi: float) -> tuple[str, str]:
    """Both ends of a range written with the fewest digits (4 to 12) that tell them apart."""
    for digits in range(4, 13):
        a, b = f"{lo:.{digits}g}", f"{hi:.{digits}g}"
        if a != b:
            break
    return a, b


# Above this many boxes an edit does not redraw the grid by itself (Redraw does).
AUTO_REDRAW_MAX_BOXES = 2000


class LandscapePanel(QWidget):
    def __init__(self, window, runner, parent=None):
        super().__init__(parent)
        self.setObjectName("landscape_panel")
        self.window = window
        self.document = window.document
        self.landscape = None  # the Landscape shown
        self.race_paths: list = []  # (optimizer, title, epochs × P) from the race panel
        self.message = ""
        self._serial = 0
        self._stale = True
        self._sample_note = ""  # " (over 5,000 of the … training points)" when the grid uses a sample
        self._start = None  # the current run's parameters before its first step
        self._trajectory = None  # epochs × P, plan order, of the last run seen
        self._ids: list[str] = []  # parameters listed in the two choosers
        self._labels: list[str] = []  # their names as listed ("w [w2]" when two boxes are "w")
        self._version = None  # the graph's structure the grid was asked for
        self._missed = True  # graph changes came while the dock was hidden
        self.worker = GridWorker(self)
        self.worker.ready.connect(self._on_ready)
        self.worker.failed.connect(self._on_failed)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer)
        # one look at the graph per burst of events (a click's two values, a run's live writes)
        self._follow = QTimer(self, singleShot=True, interval=0)
        self._follow.timeout.connect(self._follow_graph)
        self._build()
        self.document.changed.connect(self._follow.start)
        window.scene.selectionChanged.connect(self._on_selection)
        self.runner = runner
        runner.frame.connect(self._follow_run)
        runner.trainer_changed.connect(self._on_trainer)
        runner.state_changed.connect(lambda _s: self._schedule())
        self._fill_choices()

    def _build(self):
        self.mode = QComboBox()
        for key, text in MODE_TEXT.items():
            self.mode.addItem(text, key)
        self.x_choice, self.y_choice = QComboBox(), QComboBox()
        for c, name in ((self.x_choice, "landscape_x"), (self.y_choice, "landscape_y"), (self.mode, "landscape_mode")):
            c.setObjectName(name)
            c.setMinimumContentsLength(8)
            c.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.span = QDoubleSpinBox()
        self.span.setRange(0.001, 1000.0)
        self.span.setDecimals(3)
        self.span.setValue(2.0)
        self.span.setToolTip("How far each axis reaches either side of the parameter's current value")
        self.log_scale = QCheckBox("Log scale")
        self.fit = QPushButton("Fit paths")
        self.fit.setToolTip("Widen ± so that the training path and the race's paths lie on the grid")
        self.redraw = QPushButton("Redraw")
        self.redraw.setToolTip("Compute the grid again around the current point")
        self.status = plain_label()
        self.status.setWordWrap(True)
        self.plot = LandscapePlot()
        grid = QGridLayout()
        grid.addWidget(QLabel("Plane:"), 0, 0)
        grid.addWidget(self.mode, 0, 1, 1, 3)
        grid.addWidget(self.log_scale, 0, 4)
        grid.addWidget(QLabel("x:"), 1, 0)
        grid.addWidget(self.x_choice, 1, 1)
        grid.addWidget(QLabel("y:"), 1, 2)
        grid.addWidget(self.y_choice, 1, 3)
        grid.addWidget(QLabel("±"), 1, 4)
        grid.addWidget(self.span, 1, 5)
        grid.addWidget(self.redraw, 0, 5)
        grid.addWidget(self.fit, 1, 6)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(grid)
        lay.addWidget(self.status)
        lay.addWidget(self.plot, 1)
        self.mode.currentIndexChanged.connect(self._on_mode)
        for c in (self.x_choice, self.y_choice):
            c.currentIndexChanged.connect(lambda _i: self._changed_choice())
        self.span.valueChanged.connect(lambda _v: self._changed_choice())
        self.log_scale.toggled.connect(lambda _on: self._draw())
        self.redraw.clicked.connect(self.recompute)
        self.fit.clicked.connect(self.fit_paths)
        self.plot.clicked.connect(self.set_point)

    # --- choices -------------------------------------------------------------------------------
    def _fill_choices(self):
        g = self.document.graph
        ids = list(g.parameters())
        # The names, not the labels: another box taking or leaving a parameter's label adds or
        # drops its id (box_name reads the graph's kept label counts, not every label).
        names = [g.box_name(p) for p in ids]
        if ids == self._ids and names == self._labels:
            return  # the lists as they are: only when a parameter or a name changed
        self._labels = names
        keep = (self.x_choice.currentData(), self.y_choice.currentData())
        self._ids = ids
        for c, want, fallback in ((self.x_choice, keep[0], 0), (self.y_choice, keep[1], 1)):
            c.blockSignals(True)
            c.clear()
            for pid, name in zip(ids, names, strict=True):
                c.addItem(name, pid)
            i = c.findData(want) if want in ids else min(fallback, len(ids) - 1)
            c.setCurrentIndex(i)
            c.blockSignals(False)
        self._stale = True

    def choose(self, p1: str, p2: str):
        """Show J over parameters ``p1`` (x) and ``p2`` (y)."""
        self._fill_choices()  # the lists may not have caught up with the graph yet
        self.mode.setCurrentIndex(self.mode.findData("pair"))
        for c, pid in ((self.x_choice, p1), (self.y_choice, p2)):
            c.blockSignals(True)
            c.setCurrentIndex(c.findData(pid))
            c.blockSignals(False)
        self._changed_choice()

    def _on_mode(self, _i):
        pair = self.mode.currentData() == "pair"
        for w in (self.x_choice, self.y_choice, self.span, self.fit):
            w.setEnabled(pair)
        self._changed_choice()

    def _changed_choice(self):
        self._stale = True
        self._schedule()

    def fit_paths(self):
        """Set ± to reach every point of the training path and the race's paths (10 % more)
        from the graph's current values of the two parameters."""
        g, p1, p2 = self.document.graph, self.x_choice.currentData(), self.y_choice.currentData()
        ids = self._ids_of_paths()
        paths = [p for p in [self._trajectory] + [r for _, _, r in self.race_paths] if p is not None and len(p)]
        if p1 is None or p2 is None or ids is None or not paths or p1 not in ids or p2 not in ids:
            self._say("no path to fit yet: train, or run a race, first")
            return
        cols = [ids.index(p1), ids.index(p2)]
        here = np.array([g.value(p1), g.value(p2)])
        reach = max(float(np.max(np.abs(np.asarray(p)[:, cols] - here))) for p in paths)
        if np.isfinite(reach) and reach > 0:
            self.span.setValue(min(self.span.maximum(), max(self.span.minimum(), 1.1 * reach)))

    def _ids_of_paths(self):
        """The parameter order of the recorded paths: the plan's (the Trainer's and the race's)."""
        t = self.runner.trainer if self.runner is not None else None
        if t is not None:
            return list(t.param_ids)
        return list(self.landscape.param_ids) if self.landscape is not None else None

    def _on_selection(self):
        try:
            chosen = self.window.scene.selected_nodes()
        except RuntimeError:  # the scene is being torn down with the window
            return
        g = self.document.graph
        if len(chosen) == 2 and all(n in g and g.op(n) == "parameter" for n in chosen):
            order = [p for p in g.parameters() if p in chosen]
            self.choose(*order)

    # --- computing -----------------------------------------------------------------------------
    def _schedule(self):
        if self._stale and self.isVisible() and not self._running():
            if not self._too_big():
                self._timer.start()

    def _too_big(self) -> bool:
        # Copying a graph this big for the worker costs the window ~0.5 s (an open, a paste, each
        # edit): the learner asks for the grid with Redraw.
        n = len(self.document.graph)
        if n <= AUTO_REDRAW_MAX_BOXES:
            return False
        self._say("the graph changed since this grid was drawn: press Redraw" if self._serial > 0 else
                  f"a graph of {n:,} boxes: press Redraw to draw the grid")
        return True

    def _on_timer(self):
        if not self._too_big():  # it may have grown past the limit since the timer started (a paste)
            self.recompute()

    @property
    def settled(self) -> bool:
        """Nothing waiting: no graph change to look at, no grid asked for or under way."""
        return not (self._follow.isActive() or self._timer.isActive() or self.worker.busy)

    def _running(self) -> bool:
        return self.runner is not None and self.runner.state == "running"

    def showEvent(self, event):
        super().showEvent(event)
        if self._missed:
            self._follow_graph()
        self._schedule()

    def recompute(self):
        """Ask the worker for the grid the controls describe (at once; answers arrive later)."""
        self._timer.stop()
        self._serial += 1
        self._stale = False
        try:
            request = self._request()
        except GraphError as exc:
            self._on_failed(self._serial, str(exc))
            return
        self._version = self.document.graph.version
        self._say("computing the grid…")
        self.worker.submit(request)

    def _request(self):
        g = self.document.graph
        if not g.parameters():
            raise GraphError("no parameters: the landscape varies parameter boxes (a weight, a bias); "
                             "add one and wire it into the cost J")
        try:
            ds = self.document.dataset()
        except (GraphError, OSError, ValueError) as exc:
            raise GraphError(f"cannot read the data set: {exc}") from None
        data, self._sample_note = sampled(ds.train() if ds is not None else None)
        if self.mode.currentData() == "pair":
            return freeze(self._serial, g, data, "pair", p1=self.x_choice.currentData(),
                          p2=self.y_choice.currentData(), span=self.span.value())
        return freeze(self._serial, g, data, "path", trajectory=self._trajectory)

    def _on_ready(self, serial: int, ls):
        if serial != self._serial:
            return  # an answer to an older question
        self.landscape = ls
        holes = int(np.isnan(ls.J).sum())
        finite = ls.J[np.isfinite(ls.J)]
        text = "J from {} (dark) to {} (yellow)".format(*distinct(finite.min(), finite.max())) if len(finite) \
            else "J is not finite anywhere on this grid"
        if holes:
            text += f"; {holes} of {ls.J.size} points are holes: J is not finite there"
        if ls.explained is not None:
            text += (f"; the directions hold {100 * ls.explained[0]:.0f} % and {100 * ls.explained[1]:.0f} % "
                     "of the path's spread")
        self._say(text + self._sample_note + ". Click to move the parameters there.")
        self._draw()

    def _on_failed(self, serial: int, message: str):
        if serial != self._serial:
            return
        self.landscape = None
        self.plot.clear_grid()
        self._say(message)

    def _say(self, text: str):
        self.message = text
        self.status.setText(text)

    # --- drawing -------------------------------------------------------------------------------
    def _draw(self):
        if self.landscape is None:
            return
        self.plot.show_grid(self.landscape, self.log_scale.isChecked())
        self._draw_points()

    def _draw_points(self):
        ls = self.landscape
        if ls is None:
            return
        self.plot.set_path(self._project(self._trajectory))
        here = self._current()
        self.plot.set_here(None if here is None else self._project(here[None, :])[0])
        self._draw_race()

    def _draw_race(self):
        if self.race_paths or self.plot.race:
            self.plot.set_race([(name, title, self._project(p)) for name, title, p in self.race_paths])

    def _project(self, theta):
        """Plane coordinates (rows × 2) of parameter vectors in the landscape's order."""
        ls = self.landscape
        if theta is None or ls is None or np.shape(theta)[-1] != len(ls.param_ids):
            return None
        return (np.asarray(theta, dtype=float) - ls.centre) @ ls.directions.T

    def _current(self):
        ls, g = self.landscape, self.document.graph
        if ls is None or any(p not in g or g.op(p) != "parameter" for p in ls.param_ids):
            return None
        return np.array([g.value(p) for p in ls.param_ids], dtype=float)

    def _on_plane(self, theta) -> bool:
        ls = self.landscape
        off = (theta - ls.centre) - self._project(theta[None, :])[0] @ ls.directions
        return float(np.max(np.abs(off), initial=0.0)) <= ON_PLANE * (1.0 + float(np.max(np.abs(theta))))

    def set_race(self, paths: list):
        self.race_paths = list(paths)
        if self.landscape is not None:
            self._draw_race()

    # --- following the graph and the run -------------------------------------------------------
    def _follow_graph(self):
        if not self.isVisible():  # a hidden dock costs a run nothing: it catches up when shown
            self._missed = True
            return
        self._missed = False
        self._fill_choices()
        if self.landscape is not None:
            here = self._current()
            if self.document.graph.version != self._version or here is None or not self._on_plane(here):
                self._stale = True
        self._draw_points()
        self._schedule()

    def _on_trainer(self):
        t = self.runner.trainer if self.runner is not None else None
        if t is not None and t.epoch == 0:
            self._start = t.params.copy()
            self._trajectory = None

    def _follow_run(self):
        t = self.runner.trainer
        if t is None or self._start is None or len(self._start) != len(t.param_ids) or not len(t.history.row_epochs):
            return
        self._trajectory = np.vstack([self._start[None, :], t.history.params])
        if self.isVisible():
            self._draw_points()

    # --- clicking --------------------------------------------------------------------------------
    def set_point(self, x: float, y: float):
        """Move the graph's parameters to the grid point (x, y): one undo step."""
        ls, g = self.landscape, self.document.graph
        if ls is None:
            return
        if any(p not in g or g.op(p) != "parameter" for p in ls.param_ids):
            self._say("the graph changed since this grid was drawn: press Redraw")
            return
        theta = ls.centre + x * ls.directions[0] + y * ls.directions[1]
        moved = ls.axes if ls.path is None else ls.param_ids
        new = {p: float(theta[ls.param_ids.index(p)]) for p in moved}
        where = ", ".join(f"{g.box_name(p)} = {format_number(new[p], 4)}" for p in moved) if ls.path is None else \
            f"({format_number(x, 4)}, {format_number(y, 4)}) on the path's plane"
        refused = self.document.push(SetValuesCommand(g, parameter_values(g, moved), new, f"Landscape: {where}"))
        if refused:
            self._say(refused)
        else:
            self.window.show_message(f"Parameters set from the landscape: {where}")
