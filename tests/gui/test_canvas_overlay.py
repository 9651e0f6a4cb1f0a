"""The overlay the stepper and trainer paint, the exception hook, and the inspector."""
import sys

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QMessageBox

from gui import crash
from gui.canvas.overlay import CanvasOverlay
from tests.gui.helpers import drop_from_palette, wire


def test_overlay_marks_boxes_and_labels_arrows(main_window):
    win = main_window
    a = drop_from_palette(win, "parameter", QPointF(0, 0))
    s = drop_from_palette(win, "square", QPointF(300, 0))
    wire(win, a, s, 0)
    (e,) = win.document.graph.edges()
    win.scene.set_overlay(CanvasOverlay(current=s, done={a}, edge_values={e: "0.5"}, edge_grads={e: "1"},
                                        edge_widths={e: 3.0}, badges={s: "dJ/dJ = 1"}))
    item, edge = win.scene.node_items[s], win.scene.edge_items[e]
    assert item.current and not item.done and item.badge == "dJ/dJ = 1"
    assert win.scene.node_items[a].done
    assert (edge.value_label, edge.grad_label, edge.width_factor) == ("0.5", "1", 3.0)
    win.grab()  # paints without error, legend included
    win.scene.set_overlay(None)
    assert not item.current and not item.badge and edge.value_label == ""
    assert len(win.document.graph) == 2  # only paint: the model is untouched


def test_inspector_edits_value_through_undo(main_window, qtbot):
    win = main_window
    a = drop_from_palette(win, "parameter", QPointF(0, 0))
    win.select_nodes([a])
    field = win.inspector.fields["value"]
    field.setText("1.25")
    field.editingFinished.emit()
    assert win.document.graph.value(a) == 1.25
    qtbot.waitUntil(lambda: "1.25" in win.inspector.value_label.text())
    win.document.undo_stack.undo()
    assert win.document.graph.value(a) == 0.5
    qtbot.waitUntil(lambda: win.inspector.fields["value"].text() == "0.5")


def test_exception_hook_logs_and_keeps_graph(main_window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    old = sys.excepthook
    try:
        hook = crash.install()
        drop_from_palette(main_window, "mul", QPointF(0, 0))
        try:
            raise ZeroDivisionError("boom")
        except ZeroDivisionError:
            hook(*sys.exc_info())
    finally:
        sys.excepthook = old
    assert shown and "ZeroDivisionError: boom" in shown[0]
    assert "ZeroDivisionError" in crash.log_path().read_text()
    assert len(main_window.document.graph) == 1
