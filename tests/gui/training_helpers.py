"""Shared by the training, data and plot tests: the lessons, and clicks on a pyqtgraph plot."""
from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"


def lesson_path(name: str, tmp_path) -> str:
    """The lesson file from assets/examples (written from graphcore.lessons if not there yet)."""
    p = EXAMPLES / f"{name}.graph.json"
    if p.exists():
        return str(p)
    from graphcore import fileformat, lessons
    out = Path(tmp_path) / f"{name}.graph.json"
    fileformat.save(lessons.LESSONS[name](), out)
    return str(out)


def open_lesson(win, name: str, tmp_path, qtbot):
    win.document.open(lesson_path(name, tmp_path))
    win.training.refresh()
    qtbot.wait(10)
    return win.document.graph


def plot_point(plot_widget, x: float, y: float):
    """Widget pixel of data point (x, y) on a PlotWidget."""
    vb = plot_widget.getPlotItem().vb
    scene_pos = vb.mapViewToScene(QPointF(x, y))
    return plot_widget.mapFromScene(scene_pos)


def click_plot(plot_widget, x: float, y: float, button=Qt.LeftButton):
    """A real mouse click (press and release) on the plot at data coordinates (x, y)."""
    pos = plot_point(plot_widget, x, y)
    vp = plot_widget.viewport()
    QTest.mouseMove(vp, pos)
    QTest.mousePress(vp, button, Qt.NoModifier, pos)
    QTest.mouseRelease(vp, button, Qt.NoModifier, pos)



def run_until_running(win, qtbot):
    """Start a run long enough to still be going when the test looks, wait until it is well
    under way, and return the training view."""
    tv = win.training
    tv.panel.epochs.setValue(100_000)
    tv.runner.train()
    qtbot.waitUntil(lambda: tv.runner.trainer is not None and tv.runner.trainer.epoch > 50, timeout=30_000)
    qtbot.wait(200)  # a few frames
    assert tv.runner.state == "running"
    return tv
