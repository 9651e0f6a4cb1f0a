"""Zooming from a fit below the wheel's lowest zoom (a 10,000-box graph fits at ~0.003; the
wheel's floor is 0.05): one notch out zoomed in 15×, one notch in jumped 15× (issue #18 item 5
review)."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from gui.canvas import view as view_module


def wheel(win, dy: int):
    vp = win.view.viewport()
    at = QPoint(200, 150)
    QApplication.sendEvent(vp, QWheelEvent(QPointF(at), QPointF(vp.mapToGlobal(at)), QPoint(0, 0), QPoint(0, dy),
                                           Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False))


def test_a_notch_from_a_tiny_fit_zooms_by_a_notch(main_window):
    win = main_window
    g = win.document.graph
    g.add_node("input", node_id="a", pos=(0.0, 0.0))
    g.add_node("input", node_id="b", pos=(0.0, 130000.0))
    win.view.fit()
    fitted = win.view.zoom
    assert fitted < view_module.MIN_ZOOM / 4
    wheel(win, -120)  # out
    assert win.view.zoom <= fitted
    win.view.fit()
    wheel(win, 120)  # in: one notch, not up to the floor
    assert fitted < win.view.zoom < 1.5 * fitted
    win.view.fit()
    win.view.zoom_by(0.8)
    assert win.view.zoom <= fitted
    win.view.fit()
    win.view.zoom_by(1.25)
    assert win.view.zoom < 1.5 * fitted
    for _ in range(60):
        win.view.zoom_by(1.25)
    assert win.view.zoom <= view_module.MAX_ZOOM


def test_a_graph_taller_than_the_canvas_is_fitted_whole_and_a_zoom_stays_anchored(main_window):
    """Boxes 94,000 apart (a 10,000-box graph is 130,000 tall) on a canvas of ±50,000: the fit cut
    off its end and a wheel zoom drifted away from the cursor."""
    win = main_window
    g = win.document.graph
    g.add_node("input", node_id="a", pos=(0.0, 0.0))
    g.add_node("input", node_id="b", pos=(5000.0, 94000.0))  # as a 3,000-box network in groups
    win.view.fit()
    view = win.view
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(win.scene.items_rect())
    at = view.mapFromScene(QPointF(0.0, 1000.0))  # by box a
    before = view.mapToScene(at)
    for _ in range(3):  # (each notch may round the centre by a pixel)
        vp = view.viewport()
        QApplication.sendEvent(vp, QWheelEvent(QPointF(at), QPointF(vp.mapToGlobal(at)), QPoint(0, 0),
                                               QPoint(0, 120), Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False))
    moved = view.mapFromScene(before) - at
    assert abs(moved.x()) <= 4 and abs(moved.y()) <= 4
