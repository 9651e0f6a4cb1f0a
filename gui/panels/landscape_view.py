"""The landscape's picture: J as a heatmap with contour lines, the training path, the
current point, and the race's paths — paint only (landscape_panel.py decides what).

Colours: viridis (dark is a low cost, yellow a high one; readable in grey and by the
colour-blind); a hole (J not finite there) is left transparent, so the white background
shows through. Log scale draws log₁₀ J (or log₁₀ of J above its minimum when J reaches 0
or below), which separates the contours near a minimum.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ..plain_text import escaped
from .plots_common import make_plot, place_legend

LUT = pg.colormap.get("viridis").getLookupTable(nPts=256)
N_CONTOURS = 10
PATH_COLOR = "#D55E00"  # vermilion: stands out on viridis
HERE_COLOR = "#FFFFFF"
RACE_COLORS = {"sgd": "#E69F00", "momentum": "#56B4E9", "adagrad": "#009E73", "rmsprop": "#F0E442",
               "adam": "#CC79A7"}  # Okabe–Ito, one per optimizer (cost curves use the same)


def shade(J: np.ndarray, log: bool) -> np.ndarray:
    """The numbers the colours and contours are drawn from (NaN where J is a hole)."""
    z = np.array(J, dtype=float)
    z[~np.isfinite(z)] = np.nan
    if log and np.isfinite(z).any():
        lo = np.nanmin(z)
        if lo <= 0:  # a cost that reaches 0 (or below): log of the height above its minimum
            span = np.nanmax(z) - lo
            z = z - lo + (span * 1e-6 if span > 0 else 1.0)
        with np.errstate(all="ignore"):
            z = np.log10(z)
    return z


def colours(z: np.ndarray) -> np.ndarray:
    """RGBA (rows × cols × 4, uint8) of ``z`` on viridis; holes transparent."""
    ok = np.isfinite(z)
    rgba = np.zeros(z.shape + (4,), dtype=np.ubyte)
    if ok.any():
        lo, hi = np.nanmin(z), np.nanmax(z)
        t = (z - lo) / (hi - lo) if hi > lo else np.zeros_like(z)
        idx = np.clip(np.nan_to_num(t) * 255, 0, 255).astype(int)
        rgba[..., :3] = LUT[idx]
        rgba[..., 3] = np.where(ok, 255, 0)
    return rgba


# Marching squares: for each of the 16 ways a cell's corners (bit 1: bottom left, 2: bottom
# right, 4: top right, 8: top left) lie above a level, the cell edges a contour crosses, in
# pairs (0 bottom, 1 right, 2 top, 3 left); the two saddles get two segments each.
SEGMENTS = {1: [(3, 0)], 2: [(0, 1)], 3: [(3, 1)], 4: [(1, 2)], 5: [(3, 0), (1, 2)], 6: [(0, 2)], 7: [(3, 2)],
            8: [(2, 3)], 9: [(0, 2)], 10: [(0, 1), (2, 3)], 11: [(1, 2)], 12: [(1, 3)], 13: [(0, 1)], 14: [(0, 3)]}


def _segments(z, xs, ys, level):
    """(x, y) endpoint pairs of the contour segments of ``z`` at ``level``, numpy throughout."""
    a, b, c, d = z[:-1, :-1], z[:-1, 1:], z[1:, 1:], z[1:, :-1]  # corners of every cell
    case = (a > level) * 1 + (b > level) * 2 + (c > level) * 4 + (d > level) * 8
    x0, x1 = np.broadcast_to(xs[:-1], a.shape), np.broadcast_to(xs[1:], a.shape)
    y0, y1 = np.broadcast_to(ys[:-1, None], a.shape), np.broadcast_to(ys[1:, None], a.shape)
    with np.errstate(all="ignore"):
        t = [(level - a) / (b - a), (level - b) / (c - b), (level - d) / (c - d), (level - a) / (d - a)]
    edges = [(x0 + t[0] * (x1 - x0), y0), (x1, y0 + t[1] * (y1 - y0)), (x0 + t[2] * (x1 - x0), y1),
             (x0, y0 + t[3] * (y1 - y0))]
    px, py = [], []
    for k, pairs in SEGMENTS.items():
        cells = case == k
        if not cells.any():
            continue
        for e, f in pairs:
            px.append(np.column_stack([edges[e][0][cells], edges[f][0][cells]]).ravel())
            py.append(np.column_stack([edges[e][1][cells], edges[f][1][cells]]).ravel())
    return px, py


def contour_lines(z: np.ndarray, xs: np.ndarray, ys: np.ndarray, n: int = N_CONTOURS):
    """(x, y) of the contour segments of ``z`` at ``n`` evenly spaced levels, as consecutive
    pairs (drawn with connect="pairs"); a hole counts as high ground, so lines go round it."""
    ok = np.isfinite(z)
    if not ok.any() or np.nanmax(z) <= np.nanmin(z):
        return np.zeros(0), np.zeros(0)
    lo, hi = np.nanmin(z), np.nanmax(z)
    filled = np.where(ok, z, hi + (hi - lo))
    px, py = [], []
    for level in np.linspace(lo, hi, n + 2)[1:-1]:
        sx, sy = _segments(filled, np.asarray(xs, float), np.asarray(ys, float), level)
        px += sx
        py += sy
    return (np.concatenate(px), np.concatenate(py)) if px else (np.zeros(0), np.zeros(0))


class LandscapePlot(QWidget):
    """The plot; ``clicked(x, y)`` in the plane's coordinates (a left click inside the grid)."""

    clicked = Signal(float, float)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.pw = make_plot("Cost J", "landscape")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.pw)
        pi = self.pw.getPlotItem()
        pi.addLegend(offset=(-4, 4), labelTextColor="#222", labelTextSize="8pt", colCount=2,
                     brush=pg.mkBrush(255, 255, 255, 190))  # two columns: six paths in a short plot
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        pi.addItem(self.image)
        self.contours = pi.plot(pen=pg.mkPen(255, 255, 255, 140, width=1), connect="pairs")
        self.path = pi.plot(pen=pg.mkPen(PATH_COLOR, width=2), name="training path")
        self.start = pg.ScatterPlotItem(size=9, symbol="s", pen=pg.mkPen("#222"), brush=pg.mkBrush(PATH_COLOR))
        self.here = pg.ScatterPlotItem(size=14, symbol="star", pen=pg.mkPen("#222", width=1.5),
                                       brush=pg.mkBrush(HERE_COLOR))
        pi.addItem(self.start)
        pi.addItem(self.here)
        self.race: dict[str, pg.PlotDataItem] = {}
        self.rect: QRectF | None = None
        self.pw.scene().sigMouseClicked.connect(self._on_click)

    # --- what is drawn ---------------------------------------------------------------------
    def show_grid(self, ls, log: bool):
        z = shade(ls.J, log)
        self.image.setImage(colours(z), autoLevels=False)
        dx = (ls.xs[-1] - ls.xs[0]) / (len(ls.xs) - 1)
        dy = (ls.ys[-1] - ls.ys[0]) / (len(ls.ys) - 1)
        self.rect = QRectF(ls.xs[0] - dx / 2, ls.ys[0] - dy / 2, dx * len(ls.xs), dy * len(ls.ys))
        self.image.setRect(self.rect)
        self.contours.setData(*contour_lines(z, ls.xs, ls.ys))
        pi = self.pw.getPlotItem()
        pi.setLabel("bottom", escaped(ls.labels[0]), color="#333")
        pi.setLabel("left", escaped(ls.labels[1]), color="#333")
        pi.setTitle(escaped("log₁₀ cost J" if log else "Cost J"), color="#222", size="10pt")
        self.pw.getViewBox().setRange(self.rect, padding=0)

    def clear_grid(self):
        self.image.clear()
        self.contours.setData([], [])
        self.path.setData([], [])
        self.start.setData([])
        self.here.setData([])
        self.set_race([])
        self.rect = None

    def set_path(self, xy: np.ndarray | None):
        if xy is None or len(xy) == 0:
            self.path.setData([], [])
            self.start.setData([])
            return
        self.path.setData(xy[:, 0], xy[:, 1])
        self.start.setData([xy[0, 0]], [xy[0, 1]])

    def set_here(self, xy):
        self.here.setData([] if xy is None else [xy[0]], [] if xy is None else [xy[1]])

    def set_race(self, paths: list):
        """``paths``: (optimizer, title, xy) per racer, drawn in the optimizer's colour."""
        keep = {name for name, _, _ in paths}
        for name in [n for n in self.race if n not in keep]:
            curve = self.race.pop(name)
            legend = self.pw.getPlotItem().legend
            if legend is not None:
                legend.removeItem(curve)
            self.pw.getPlotItem().removeItem(curve)
        for name, title, xy in paths:
            curve = self.race.get(name)
            if curve is None:
                curve = self.pw.getPlotItem().plot(pen=pg.mkPen(RACE_COLORS.get(name, "#000"), width=2),
                                                name=escaped(title))
                self.race[name] = curve
            if xy is not None and len(xy):
                curve.setData(xy[:, 0], xy[:, 1])
            else:
                curve.setData([], [])
        place_legend(self.pw)

    # --- clicks ------------------------------------------------------------------------------
    def _on_click(self, ev):
        if ev.button() != Qt.LeftButton or self.rect is None:
            return
        vb = self.pw.getViewBox()
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        p = vb.mapSceneToView(ev.scenePos())
        if self.rect.contains(p):
            ev.accept()
            self.clicked.emit(float(p.x()), float(p.y()))
