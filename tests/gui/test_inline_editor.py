"""The inline editor is never taken out of the scene inside its own Enter/Escape/focus-out:
with real X input that left Qt delivering the rest of the key event to a removed proxy (a
segfault; tests/e2e drives it for real). Here: removal waits for the event loop, and the
edit is committed exactly once."""
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from tests.gui.helpers import drop_from_palette


def test_enter_commits_once_and_the_editor_leaves_the_scene_later(main_window, qtbot):
    win = main_window
    nid = drop_from_palette(win, "constant", QPointF(0, 0))
    editor = win.scene.edit_value(nid)
    editor.line.setText("4")
    editor.line.returnPressed.emit()
    editor.line.editingFinished.emit()  # Qt sends this after returnPressed, and again on focus-out
    assert win.document.graph.value(nid) == 4.0
    assert win.scene.inline_editor is None
    assert editor.scene() is win.scene  # still there while its own signal is being delivered
    qtbot.waitUntil(lambda: editor not in win.scene.items(), timeout=2000)
    assert win.document.undo_stack.count() == 2  # the drop, and one value edit (not two)


def test_escape_cancels_and_removal_is_deferred(main_window, qtbot):
    win = main_window
    nid = drop_from_palette(win, "constant", QPointF(0, 0))
    before = win.document.graph.value(nid)
    editor = win.scene.edit_value(nid)
    editor.line.setText("9")
    editor.line.cancelled.emit()
    assert editor.scene() is win.scene
    editor.line.editingFinished.emit()  # the focus-out that removal causes must not commit
    QApplication.processEvents()
    qtbot.waitUntil(lambda: editor not in win.scene.items(), timeout=2000)
    assert win.document.graph.value(nid) == before
