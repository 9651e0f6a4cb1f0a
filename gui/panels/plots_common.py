"""What every training plot shares: class colours, the diverging colour map, and export.

Colours are Okabe–Ito (colour-blind safe), as on the canvas: class 0 orange, class 1
blue (TensorFlow Playground's pair), class 2 green. Every plot's right-click menu
keeps pyqtgraph's own "Export..." dialog and adds direct "Export PNG…" / "Export SVG…"
actions built on the same exporters.
"""
from __future__ import annotations

import sys
import weakref

import numpy as np


import pyqtgraph as pg  # noqa: E402
import pyqtgraph.exporters  # noqa: F401  (registers the exporters used below)
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QFileDialog, QMessageBox

from graphcore.fileformat import atomic_write
from graphcore.paths import write_failure

from ..plain_text import escaped

CLASS_COLORS = ["#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9"]
TRAIN_COLOR = "#0072B2"
TEST_COLOR = "#D55E00"
ACCURACY_COLOR = "#009E73"
HIGHLIGHT_COLOR = "#D55E00"
FPS_LIMIT = 30  # plots redraw at most this often: about the screen's rate, never faster

pg.setConfigOptions(antialias=True)


def _close_paths_explicitly(d: str) -> str:
    """SVG path data with each "Z" (close path) written as a line back to the subpath's start."""
    out, start = [], None
    for token in d.split():
        if token in ("Z", "z"):
            if start is not None:
                out.append("L" + start)
            continue
        if token[:1] == "M":
            start = token[1:]
        out.append(token)
    return " ".join(out)


_OUR_PATCHES: set = set()  # the exporter functions this module put in place (patched once)


def _patch_svg_exporter():
    """pyqtgraph 0.14's SVG exporter reads path data as "x,y" pairs only, but Qt's SVG writer
    puts a bare "Z" to close a path (every ViewBox background has one), so SVG export fails on
    every plot ("not enough values to unpack"). Still needed: checked without the patch on
    PySide6 6.11.3 (the pinned version) and 6.12 with pyqtgraph 0.14.0 — both fail. Rewriting
    each Z as an explicit line before pyqtgraph's coordinate pass fixes it; the patch steps
    aside if a later pyqtgraph renames the function it wraps."""
    module = sys.modules.get("pyqtgraph.exporters.SVGExporter")
    original = getattr(module, "correctCoordinates", None)
    if original is None or original in _OUR_PATCHES:
        return

    def correct_coordinates(node, defs, item, options):
        for path in node.getElementsByTagName("path"):
            d = path.getAttribute("d")
            if "Z" in d or "z" in d:
                path.setAttribute("d", _close_paths_explicitly(d))
        return original(node, defs, item, options)

    _OUR_PATCHES.add(correct_coordinates)
    module.correctCoordinates = correct_coordinates


_patch_svg_exporter()


def class_color(c: int) -> QColor:
    return QColor(CLASS_COLORS[int(c) % len(CLASS_COLORS)])


def diverging_lut(n: int = 256, lo: str = CLASS_COLORS[0], hi: str = CLASS_COLORS[1]) -> np.ndarray:
    """An (n, 4) uint8 table from class 0's colour through white (at 0.5) to class 1's, pale
    enough that the points stay readable on top."""
    a = np.array(QColor(lo).getRgb()[:3], float)
    b = np.array(QColor(hi).getRgb()[:3], float)
    w = np.array([255.0, 255.0, 255.0])
    t = np.linspace(-1.0, 1.0, n)[:, None]
    rgb = np.where(t < 0, w + (a - w) * (-t), w + (b - w) * t)
    rgb = w + (rgb - w) * 0.75  # never fully saturated
    return np.concatenate([rgb, np.full((n, 1), 255.0)], axis=1).astype(np.ubyte)


def blend_to_white(color: str, strength: np.ndarray) -> np.ndarray:
    """RGB of ``color`` faded towards white: strength 0 is white, 1 the (softened) colour."""
    c = np.array(QColor(color).getRgb()[:3], float)
    s = np.clip(strength, 0.0, 1.0)[..., None] * 0.75
    return 255.0 + (c - 255.0) * s


def export_plot(item, path: str) -> str:
    """Write a plot (a PlotItem, or a PlotWidget) as PNG or SVG, chosen by the file's suffix.
    Rendered in memory, then written atomically like a graph file: a full disk or a refused
    path raises OSError and leaves any old file whole, never a 0-byte or cut-off one."""
    plot_item = item.getPlotItem() if hasattr(item, "getPlotItem") else item
    if str(path).lower().endswith(".svg"):
        data = pg.exporters.SVGExporter(plot_item).export(toBytes=True)
    else:
        exporter = pg.exporters.ImageExporter(plot_item)
        # Twice the on-screen size, so an exported figure stays sharp on a slide.
        width = max(int(plot_item.sceneBoundingRect().width() * 2), 400)
        exporter.parameters()["width"] = width
        data = png_bytes(exporter.export(toBytes=True))
    atomic_write(path, data)
    return str(path)


def png_bytes(image) -> bytes:
    buf = QBuffer()
    buf.open(QIODevice.WriteOnly)
    if not image.save(buf, "PNG"):
        raise OSError("the image could not be encoded as PNG")
    return bytes(buf.data())


def add_export_actions(plot_widget: pg.PlotWidget, name: str):
    """Export PNG… / Export SVG… in the plot's right-click menu (beside pyqtgraph's Export...)."""
    menu = plot_widget.getPlotItem().getViewBox().menu
    menu.addSeparator()
    for fmt in ("PNG", "SVG"):
        action = QAction(f"Export {fmt}…", menu)
        action.triggered.connect(lambda _=False, f=fmt: _ask_and_export(plot_widget, name, f))
        menu.addAction(action)


def _ask_and_export(plot_widget, name: str, fmt: str):
    path, _ = QFileDialog.getSaveFileName(plot_widget, f"Export {name} as {fmt}", f"{name}.{fmt.lower()}",
                                          f"{fmt} files (*.{fmt.lower()})")
    if path:
        if not path.lower().endswith("." + fmt.lower()):
            path += "." + fmt.lower()
        try:
            export_plot(plot_widget, path)
        except OSError as exc:
            QMessageBox.warning(plot_widget, "Cannot export", write_failure(path, exc))


def make_plot(title: str, name: str, x_label: str = "", y_label: str = "", view_box=None) -> pg.PlotWidget:
    """A white-background plot with a title, axis labels and the export actions."""
    pw = pg.PlotWidget(viewBox=view_box, background="w")
    pi = pw.getPlotItem()
    pi.setTitle(escaped(title), color="#222", size="10pt")  # pyqtgraph's titles and labels are HTML
    for side, text in (("bottom", x_label), ("left", y_label)):
        axis = pi.getAxis(side)
        axis.setPen("#555")
        axis.setTextPen("#333")
        axis.enableAutoSIPrefix(False)  # "J", not "J (x0.001)"
        if text:
            pi.setLabel(side, escaped(text), color="#333")
    pi.showGrid(x=True, y=True, alpha=0.15)
    pw.setObjectName(f"plot_{name}")
    add_export_actions(pw, name)
    return pw


CORNERS = ((0, 0), (1, 0), (0, 1), (1, 1))  # (x, y) anchors: left/right, top/bottom
LEGEND_MARGIN = 4
_LEGEND_CORNERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # legend → the corner it sits in


def scene_points(plot_item) -> np.ndarray:
    """Every data item's displayed points in scene coordinates (short lines sampled along)."""
    vb = plot_item.getViewBox()
    vb.prepareForPaint()  # new data: apply the pending auto-range before reading the view
    view, scene = vb.viewRect(), vb.sceneBoundingRect()
    if view.width() <= 0 or view.height() <= 0:
        return np.zeros((0, 2))
    parts = []
    for item in plot_item.listDataItems():
        x, y = item.getData()
        if x is None or y is None or not len(x):
            continue
        x, y = np.asarray(x, float), np.asarray(y, float)
        if len(x) < 50:  # a straight line given by its ends still crosses the middle
            t = np.linspace(0.0, len(x) - 1.0, 50 * len(x))
            x, y = np.interp(t, np.arange(len(x)), x), np.interp(t, np.arange(len(y)), y)
        ok = np.isfinite(x) & np.isfinite(y)
        sx = scene.left() + (x[ok] - view.left()) / view.width() * scene.width()
        fy = (y[ok] - view.top()) / view.height()
        sy = scene.top() + (fy if vb.yInverted() else 1.0 - fy) * scene.height()
        parts.append(np.column_stack([sx, sy]))
    return np.concatenate(parts) if parts else np.zeros((0, 2))


def legend_corner(legend, default=None) -> tuple[int, int] | None:
    """The corner ``place_legend`` last put ``legend`` in (``default`` before it placed it)."""
    return _LEGEND_CORNERS.get(legend, default)


def place_legend(plot_widget) -> tuple[int, int]:
    """Anchor the plot's legend in the corner where it covers the fewest data points (a
    falling cost leaves the top right free, a rising accuracy the bottom right)."""
    plot_item = plot_widget.getPlotItem()
    legend = plot_item.legend
    if legend is None:
        return (1, 0)
    points = scene_points(plot_item)
    scene = plot_item.getViewBox().sceneBoundingRect()
    w, h = legend.boundingRect().width(), legend.boundingRect().height()
    # the current corner first: a tie (an empty plot, say) leaves the legend where it is
    offset = getattr(legend, "offset", None) or (-1, 1)
    current = _LEGEND_CORNERS.get(legend, (int(offset[0] < 0), int(offset[1] < 0)))
    best, fewest = None, None
    for ax, ay in (current,) + tuple(c for c in CORNERS if c != current):
        left = scene.left() + LEGEND_MARGIN if ax == 0 else scene.right() - LEGEND_MARGIN - w
        top = scene.top() + LEGEND_MARGIN if ay == 0 else scene.bottom() - LEGEND_MARGIN - h
        inside = ((points[:, 0] >= left) & (points[:, 0] <= left + w)
                  & (points[:, 1] >= top) & (points[:, 1] <= top + h)).sum() if len(points) else 0
        if fewest is None or inside < fewest:
            best, fewest = (ax, ay), inside
    if _LEGEND_CORNERS.get(legend) != best:
        _LEGEND_CORNERS[legend] = best
        offset = (LEGEND_MARGIN if best[0] == 0 else -LEGEND_MARGIN, LEGEND_MARGIN if best[1] == 0 else -LEGEND_MARGIN)
        legend.anchor(itemPos=best, parentPos=best, offset=offset)
    return best
