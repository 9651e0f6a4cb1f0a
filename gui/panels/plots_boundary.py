"""The decision boundary plot: the model's output as a heatmap, the 0.5 contour, the data on top.

It is also the data plot: a left click on empty ground adds a point of the chosen class,
a right click on the dot of a point removes it (right click elsewhere, or with Shift or
Ctrl held, opens the plot's menu, with export). The plot only paints and reports clicks;
the data panel turns clicks into undoable commands.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from graphcore.boundary import Boundary, grid_extent
from graphcore.labels import classes
from gui.plain_text import escaped

from .stable_size import ElidedLabel
from .plots_common import CLASS_COLORS, blend_to_white, class_color, diverging_lut, make_plot

UNDECIDED = 0.05  # an output this close to the threshold everywhere has not drawn a boundary yet
MIN_REGION = 0.02  # a class winning less of the plot than this is a sliver of the first weights, not a region
PICK_RADIUS_PX = 8  # how near (in screen pixels) a left click must be to pick a sample
POINT_SIZE_PX = 9
HIT_RADIUS_PX = POINT_SIZE_PX / 2 + 1  # a right click removes a point only on the dot itself (and its rim)
LEGEND_CLASSES = 10  # classes named in the legend; more are summed up in one line
MAX_DRAWN = 5000  # more points are drawn as an even subsample: a million scatter points would stall the window


class DataViewBox(pg.ViewBox):
    """A ViewBox that reports clicks in data coordinates instead of swallowing them."""

    left_clicked = Signal(float, float)
    right_clicked = Signal(float, float, object)  # x, y, the event (accept it to suppress the menu)
    took_click = False  # set by a right_clicked slot that used the click: no menu then

    def mouseClickEvent(self, ev):
        p = self.mapSceneToView(ev.scenePos())
        if ev.button() == Qt.MouseButton.LeftButton and not ev.modifiers():
            ev.accept()
            self.left_clicked.emit(p.x(), p.y())
            return
        if ev.button() == Qt.MouseButton.RightButton:
            self.took_click = False  # a slot that takes the click (a point removed) sets it
            self.right_clicked.emit(p.x(), p.y(), ev)
            if self.took_click:
                return
        super().mouseClickEvent(ev)


class BoundaryPlot(QWidget):
    add_point = Signal(float, float, int)  # x, y, class
    remove_point = Signal(int)  # row of the data set
    sample_clicked = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.view_box = DataViewBox()
        self.plot = make_plot("Decision boundary", "decision_boundary", "x1", "x2", view_box=self.view_box)
        # Not aspect-locked: a locked aspect in a wide dock stretches the axes far past the data
        # (−0.5…1.5 for the unit square). The axes fit the data instead (see _fit_axes).
        self.plot.setMinimumSize(220, 220)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        self.contour = pg.PlotCurveItem(pen=pg.mkPen("#333", width=2), connect="pairs")
        self.train_points = pg.ScatterPlotItem(size=POINT_SIZE_PX, pxMode=True)
        self.test_points = pg.ScatterPlotItem(size=POINT_SIZE_PX, pxMode=True)
        for item in (self.image, self.contour, self.train_points, self.test_points):
            self.plot.addItem(item)
        for item in (self.train_points, self.test_points):
            # A ScatterPlotItem keeps a left click on one of its points from the view box: pass
            # it on, so a click on a point picks that sample for the step-through.
            item.sigClicked.connect(self._on_points_clicked)
        self.legend = pg.LegendItem(labelTextColor="#222")
        self.legend.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        # Beside the data, right of the plot area, so it never covers a point.
        self.plot.getPlotItem().layout.addItem(self.legend, 2, 3, Qt.AlignTop)
        self._legend_key = None
        self._fitted = None  # the extent the axes were last fitted to

        self.discretize = QCheckBox("Discretize")
        self.discretize.setToolTip("Show only the predicted class, not the output's value")
        self.discretize.toggled.connect(self._redraw_boundary)
        self.add_class = QComboBox()
        self.add_class.setToolTip("Left click on the plot adds a point of this class; "
                                  "right click on a point's dot removes it")
        self.clicks_edit = QCheckBox("Click adds points")
        self.clicks_edit.setChecked(True)
        self.status = ElidedLabel("")
        self.status.setStyleSheet("color: #666")
        row = QHBoxLayout()
        row.addWidget(self.discretize)
        row.addStretch(1)
        row.addWidget(self.clicks_edit)
        row.addWidget(self.add_class)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.status)
        self.set_n_classes(2)

        self.boundary: Boundary | None = None
        self.columns: dict | None = None
        self._mask_given = None
        self.test_mask = None
        self.axes = ("x1", "x2")
        self.view_box.left_clicked.connect(self._on_left)
        self.view_box.right_clicked.connect(self._on_right)

    # --- data --------------------------------------------------------------------------
    def set_n_classes(self, k: int):
        if self.add_class.count() != k:
            current = self.add_class.currentIndex()
            self.add_class.clear()
            self.add_class.addItems([f"class {c}" for c in range(k)])
            self.add_class.setCurrentIndex(min(max(current, 0), k - 1))

    def set_data(self, columns: dict | None, test_mask=None, axes=("x1", "x2")):
        """The data set's points: train filled with a white rim, test outlined in black."""
        if columns is not None and columns is self.columns and test_mask is self._mask_given \
                and tuple(axes) == self.axes:
            return  # the same table (every training frame): a million points are not gone over again
        self._mask_given = test_mask
        self.columns, self.axes = columns, tuple(axes)
        self.notice = ""
        # pyqtgraph's axis labels are HTML, and a column name is anything a CSV holds
        self.plot.getPlotItem().setLabel("bottom", escaped(self.axes[0]), color="#333")
        self.plot.getPlotItem().setLabel("left", escaped(self.axes[1]), color="#333")
        if not columns or any(a not in columns for a in self.axes):
            self.train_points.setData([])
            self.test_points.setData([])
            self.test_mask = None
            self._update_legend(0, False)
            return
        x, y = np.asarray(columns[self.axes[0]]), np.asarray(columns[self.axes[1]])
        labels = np.asarray(columns.get("y", np.zeros(len(x))))
        mask = np.zeros(len(x), bool) if test_mask is None else np.asarray(test_mask, bool)
        self.test_mask = mask
        brushes = np.array([pg.mkBrush(class_color(c)) for c in range(len(CLASS_COLORS))], dtype=object)
        cls = np.clip(labels, 0, len(CLASS_COLORS) - 1).astype(int)  # clipped first: y = 1e300 is no int
        idx = np.arange(len(x))
        if len(x) > MAX_DRAWN:
            idx = np.linspace(0, len(x) - 1, MAX_DRAWN).astype(int)
            x, y, cls, mask = x[idx], y[idx], cls[idx], mask[idx]
            self.notice = f"showing {MAX_DRAWN:,} of {len(labels):,} points"  # set_boundary shows it
        self.train_points.setData(x[~mask], y[~mask], brush=list(brushes[cls[~mask]]), pen=pg.mkPen("w", width=1.2),
                                  data=idx[~mask])
        self.test_points.setData(x[mask], y[mask], brush=list(brushes[cls[mask]]), pen=pg.mkPen("k", width=2),
                                 symbol="s", data=idx[mask])
        k = classes(labels)  # bounded: never one class per value up to a huge label
        self.set_n_classes(k)
        self._update_legend(k, bool(mask.any()))
        if self.boundary is None:
            self._fit_axes(grid_extent(columns, self.axes))

    def _fit_axes(self, extent):
        """Axes on the data's box (the unit square for the generators, plus a margin); only
        when that box changes, so a learner's own zoom survives the redraws while training."""
        extent = tuple(round(v, 9) for v in extent)
        if extent != self._fitted:
            self._fitted = extent
            x0, x1, y0, y1 = extent
            self.view_box.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def _update_legend(self, k: int, has_test: bool):
        key = (k, has_test)
        if key == self._legend_key:
            return
        self._legend_key = key
        self.legend.clear()
        for c in range(min(k, LEGEND_CLASSES)):
            self.legend.addItem(pg.ScatterPlotItem(brush=class_color(c), pen="w", size=9), f"class {c}")
        if k > LEGEND_CLASSES:
            self.legend.addItem(pg.ScatterPlotItem(brush=pg.mkBrush("#bbb"), pen="w", size=9),
                                f"… {k - LEGEND_CLASSES} more classes")
        if has_test:
            self.legend.addItem(pg.ScatterPlotItem(brush=pg.mkBrush("#bbb"), pen=pg.mkPen("k", width=2), symbol="s",
                                                   size=9), "test point")

    # --- the boundary ------------------------------------------------------------------
    def set_boundary(self, boundary: Boundary | None, message: str = ""):
        self.boundary = boundary
        self.status.setText("   ".join(t for t in (message, getattr(self, "notice", "")) if t))
        self._redraw_boundary()

    def _redraw_boundary(self):
        b = self.boundary
        if b is None:
            self.image.clear()
            self.contour.setData([], [])
            if self.columns:  # the points alone: on them, not on the last graph's boundary's box
                self._fit_axes(grid_extent(self.columns, self.axes))
            return
        self.image.setImage(self.rgba(b, self.discretize.isChecked()), autoLevels=False)
        x0, x1, y0, y1 = b.extent
        dx, dy = (x1 - x0) / max(len(b.xs) - 1, 1), (y1 - y0) / max(len(b.ys) - 1, 1)
        # Pixel centres sit on the grid points.
        self.image.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, x1 - x0 + dx, y1 - y0 + dy))
        # An untrained network's output is nearly flat around the threshold: where it crosses
        # is an accident of the first weights, drawn as stray fragments. No line until it decides.
        self.contour.setData(*(([], []) if self.undecided(b) else self.contour_lines(b)))
        self._fit_axes(b.extent)

    @staticmethod
    def undecided(b: Boundary) -> bool:
        if b.probs is None and min(np.mean(b.classes), 1 - np.mean(b.classes)) < MIN_REGION:
            return True  # one side of the threshold is only a sliver (an untrained network's corner)
        if b.probs is None:
            v = b.values[np.isfinite(b.values)]
            return not len(v) or float(np.abs(v - b.threshold).max()) < UNDECIDED
        return float(b.values.max()) - 1 / len(b.probs) < UNDECIDED

    @staticmethod
    def rgba(b: Boundary, discrete: bool) -> np.ndarray:
        """(ny, nx, 4) colours: diverging through white at the threshold for one output;
        each class's colour, paler where the model is less sure, for a softmax."""
        if b.probs is None:
            v = b.classes if discrete else np.nan_to_num(b.values, nan=b.threshold)
            # Map the threshold to the white middle of the table, whatever the threshold.
            t = np.where(v < b.threshold, 0.5 * v / max(b.threshold, 1e-12),
                         0.5 + 0.5 * (v - b.threshold) / max(1 - b.threshold, 1e-12))
            lut = diverging_lut()
            rgba = lut[np.clip((np.clip(t, 0, 1) * 255).astype(int), 0, 255)]
            return rgba
        k = len(b.probs)
        strength = np.ones_like(b.values) if discrete else (b.values - 1 / k) / (1 - 1 / k)
        rgb = np.zeros(b.values.shape + (3,))
        for c in range(k):
            sel = b.classes == c
            rgb[sel] = blend_to_white(CLASS_COLORS[c % len(CLASS_COLORS)], strength[sel])
        return np.concatenate([rgb, np.full(b.values.shape + (1,), 255.0)], axis=2).astype(np.ubyte)

    @staticmethod
    def contour_lines(b: Boundary) -> tuple[np.ndarray, np.ndarray]:
        """The boundary as line segments (pairs of points) in data coordinates: output = threshold
        for one output; for a softmax, where a class's probability meets the best other one."""
        fields = []
        if b.probs is None:
            fields.append(np.nan_to_num(b.values, nan=b.threshold) - b.threshold)
        else:
            # Only between classes that hold a real region: a corner sliver is no boundary.
            probs = b.probs[[c for c in range(len(b.probs)) if np.mean(b.classes == c) >= MIN_REGION]]
            for c in range(len(probs) if len(probs) > 1 else 0):
                fields.append(probs[c] - np.delete(probs, c, axis=0).max(axis=0))
        if not fields:
            return np.zeros(0), np.zeros(0)
        xs, ys = [], []
        for f in fields:
            sx, sy = contour_segments(f)
            xs.append(np.interp(sx, np.arange(len(b.xs)), b.xs))
            ys.append(np.interp(sy, np.arange(len(b.ys)), b.ys))
        return np.concatenate(xs), np.concatenate(ys)

    # --- clicks ------------------------------------------------------------------------
    def nearest_point(self, x: float, y: float, radius: float = PICK_RADIUS_PX) -> int | None:
        """The data row drawn within ``radius`` screen pixels of (x, y), if any."""
        if not self.columns or any(a not in self.columns for a in self.axes):
            return None
        px, py = self.view_box.viewPixelSize()
        dx = (np.asarray(self.columns[self.axes[0]]) - x) / max(px, 1e-12)
        dy = (np.asarray(self.columns[self.axes[1]]) - y) / max(py, 1e-12)
        d = np.hypot(dx, dy)
        if not len(d):
            return None
        i = int(d.argmin())
        return i if d[i] <= radius else None

    def _on_points_clicked(self, _item, _points, ev):
        if ev.modifiers():
            return
        p = self.view_box.mapSceneToView(ev.scenePos())
        self._on_left(p.x(), p.y())

    def _on_left(self, x: float, y: float):
        i = self.nearest_point(x, y)
        if i is not None:
            self.sample_clicked.emit(i)
        elif self.clicks_edit.isChecked():
            self.add_point.emit(x, y, self.add_class.currentIndex())

    def _on_right(self, x: float, y: float, ev):
        if ev.modifiers():
            return  # Shift/Ctrl + right click: always the plot's menu, even over a point
        i = self.nearest_point(x, y, HIT_RADIUS_PX)
        if i is not None and self.clicks_edit.isChecked():
            ev.accept()
            self.view_box.took_click = True
            self.remove_point.emit(i)



def contour_segments(f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Marching squares on a (ny, nx) field, vectorised over all cells: the zero level as
    segments, returned as x and y in grid-index units, two points per segment (pairs).

    Each cell's four edges are cut where the field changes sign (linear interpolation).
    A cell cut on two edges gets one segment; a saddle (all four) gets two, split the way
    the value at the cell's centre says."""
    f = np.asarray(f, dtype=float)
    a, b = f[:-1, :-1], f[:-1, 1:]  # corners at (x, y), (x + 1, y)
    d, e = f[1:, :-1], f[1:, 1:]  # (x, y + 1), (x + 1, y + 1)
    r, c = np.mgrid[0:a.shape[0], 0:a.shape[1]].astype(float)

    def cut(u, v):
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.clip(u / (u - v), 0.0, 1.0)
        return (u > 0) != (v > 0), np.nan_to_num(t)

    cb, tb = cut(a, b)
    ct, tt = cut(d, e)
    cl, tl = cut(a, d)
    cr, tr = cut(b, e)
    # edge points: bottom, top, left, right
    px = np.stack([c + tb, c + tt, c, c + 1])
    py = np.stack([r, r + 1, r + tl, r + tr])
    cuts = np.stack([cb, ct, cl, cr])
    n = cuts.sum(axis=0)
    segs_x, segs_y = [], []
    two = n == 2
    if two.any():
        order = np.argsort(~cuts[:, two], axis=0, kind="stable")[:2]  # the two cut edges, in edge order
        cols = np.flatnonzero(two.ravel())
        for k in range(2):
            segs_x.append(px.reshape(4, -1)[order[k], cols])
            segs_y.append(py.reshape(4, -1)[order[k], cols])
    four = n == 4
    if four.any():
        centre = (a + b + d + e)[four] / 4
        same_as_a = (centre > 0) == (a[four] > 0)
        idx = {"b": 0, "t": 1, "l": 2, "r": 3}
        fx, fy = px[:, four], py[:, four]
        for first, second, alt_first, alt_second in (("b", "r", "b", "l"), ("l", "t", "t", "r")):
            i = np.where(same_as_a, idx[first], idx[alt_first])
            j = np.where(same_as_a, idx[second], idx[alt_second])
            cols = np.arange(fx.shape[1])
            segs_x.append(np.stack([fx[i, cols], fx[j, cols]], axis=1).ravel())
            segs_y.append(np.stack([fy[i, cols], fy[j, cols]], axis=1).ravel())
    if not segs_x:
        return np.zeros(0), np.zeros(0)
    xs, ys = [], []
    if two.any():  # interleave the two endpoints of each segment
        xs.append(np.stack([segs_x[0], segs_x[1]], axis=1).ravel())
        ys.append(np.stack([segs_y[0], segs_y[1]], axis=1).ravel())
        segs_x, segs_y = segs_x[2:], segs_y[2:]
    xs += segs_x
    ys += segs_y
    return np.concatenate(xs), np.concatenate(ys)
