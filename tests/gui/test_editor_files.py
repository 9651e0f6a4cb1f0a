"""Files and clipboard: save/reopen, a broken file, recovery after a crash, cut/paste, rename, layout."""
import json

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication, QMessageBox

from graphcore import fileformat
from graphcore.graph import Graph
from gui.commands import SetValueCommand
from gui.file_actions import EXAMPLES_DIR
from gui.main_window import MainWindow
from tests.gui.helpers import drop_from_palette, wire


def small_graph(win):
    g = win.document.graph
    a = drop_from_palette(win, "parameter", QPointF(0, 0))
    b = drop_from_palette(win, "constant", QPointF(0, 140))
    m = drop_from_palette(win, "add", QPointF(300, 60))
    wire(win, a, m, 0)
    wire(win, b, m, 1)
    return g, a, b, m


def test_save_reopen_compare(main_window, tmp_path):
    win = main_window
    g, a, b, m = small_graph(win)
    path = tmp_path / "sum.graph.json"
    assert win.files._write(str(path))
    assert not win.document.dirty
    saved = json.loads(path.read_text())
    assert saved["layout"][m] == list(g.layout[m])  # positions are kept in the file
    win.document.new()
    assert len(g) == 0
    assert win.files.open(str(path), ask=False)
    assert json.loads(win.document.dumps()) == saved
    assert set(win.scene.node_items) == {a, b, m}
    assert str(path.resolve()) in win.files.recent()


def test_broken_file_shows_loader_message_and_keeps_graph(main_window, tmp_path, monkeypatch):
    win = main_window
    g, *_ = small_graph(win)
    before = win.document.dumps()
    bad = tmp_path / "bad.graph.json"
    bad.write_text('{"format": "backprop-studio.graph", "version": 7, "nodes": []}')
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    assert not win.files.open(str(bad), ask=False)
    assert shown and "version 7" in shown[0]
    assert win.document.dumps() == before
    assert "version 7" in win.statusBar().currentMessage()
    monkeypatch.setattr(win.files, "maybe_save", lambda: True)
    win.files.new()  # the failed open's message does not stay over the new graph
    assert "version 7" not in win.statusBar().currentMessage()


def test_a_panel_failing_on_a_file_leaves_the_window_as_it_was(main_window, tmp_path, monkeypatch):
    """Open is all or nothing even past the loader: a panel that cannot show the file puts
    the previous graph back, and the path, title and undo history are never switched."""
    win = main_window
    _, a, _, _ = small_graph(win)
    assert win.files._write(str(tmp_path / "mine.graph.json"))
    win.document.push(SetValueCommand(win.document.graph, a, 4.0))
    before = (win.document.dumps(), win.document.path, win.windowTitle(), win.document.undo_stack.count())
    panel = type(win.training.panel)
    real = panel.read_settings

    def fails_on_other_files(self):
        if len(self.document.graph) != 3:  # not the learner's three boxes
            raise OverflowError("Python int too large to convert to C int")
        real(self)
    monkeypatch.setattr(panel, "read_settings", fails_on_other_files)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    assert not win.files.open(str(EXAMPLES_DIR / "logistic_regression.graph.json"), ask=False)
    assert shown and "cannot open logistic_regression.graph.json" in shown[0] and "\n" not in shown[0]
    assert (win.document.dumps(), win.document.path, win.windowTitle(), win.document.undo_stack.count()) == before
    win.document.undo_stack.undo()  # the history still fits the graph
    assert win.document.graph.value(a) != 4.0


def test_recover_after_crash(qtbot, app_dirs, monkeypatch):
    # A session autosaves, then "crashes" (the window is never closed properly).
    first = MainWindow(offer_recovery=False)
    small_graph(first)
    first.files.autosave()
    crashed = first.document.dumps()
    assert first.files.recovery_path().exists()
    first.document.undo_stack.setClean()
    first.files.timer.stop()
    first.files.recovery._lock.close()  # what the system does when the process dies: the lock goes
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Yes)
    second = MainWindow(offer_recovery=True)
    try:
        assert asked and "Recover" in asked[0]
        assert json.loads(second.document.dumps()) == json.loads(crashed)
        assert second.document.dirty  # recovered work still needs saving
    finally:
        for w in (first, second):
            w.document.undo_stack.setClean()
            w.document.set_dirty(False)
            w.deleteLater()


def test_unsaved_prompt_cancel_keeps_window_open(main_window, monkeypatch):
    win = main_window
    small_graph(win)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Cancel)
    assert win.document.dirty
    assert not win.close()
    assert win.isVisible()


def test_cut_paste_and_duplicate(main_window):
    win = main_window
    g, a, b, m = small_graph(win)
    win.select_nodes([a, m])
    win.actions_by_name["cut"].trigger()
    assert g.nodes() == [b] and g.edges() == []
    win.actions_by_name["paste"].trigger()
    assert sorted(g.op(n) for n in g.nodes()) == ["add", "constant", "parameter"]
    # The arrow between the cut boxes came back; the one from b did not (b stayed behind).
    (e,) = g.edges()
    assert g.op(e.src) == "parameter" and g.op(e.dst) == "add"
    assert set(win.scene.selected_nodes()) == {e.src, e.dst}
    win.actions_by_name["duplicate"].trigger()
    assert len(g) == 5 and len(g.edges()) == 2
    win.document.undo_stack.undo()
    assert len(g) == 3


def test_clipboard_survives_between_windows(main_window, qtbot, app_dirs):
    win = main_window
    g, a, b, m = small_graph(win)
    win.select_nodes([a, b, m])
    assert win.edit.copy()
    text = QApplication.clipboard().text()
    assert json.loads(text)["format"] == "backprop-studio.graph"
    other = MainWindow(offer_recovery=False)
    try:
        new = other.edit.paste()
        assert len(new) == 3 and len(other.document.graph.edges()) == 2
    finally:
        other.document.undo_stack.setClean()
        other.deleteLater()


def test_paste_refuses_foreign_text(main_window):
    QApplication.clipboard().setText('{"format": "backprop-studio.graph", "version": 1, "nodes": [{"id": "x"}]}')
    assert main_window.edit.paste() == []
    assert len(main_window.document.graph) == 0


def test_rename_with_f2(main_window, qtbot):
    win = main_window
    g, a, b, m = small_graph(win)
    win.select_nodes([m])
    win.actions_by_name["rename"].trigger()
    editor = win.scene.inline_editor
    assert editor is not None and editor.line.text() == m
    editor.line.setText("z = w + b")
    editor.line.returnPressed.emit()
    assert g.label(m) == "z = w + b"
    assert win.scene.node_items[m].label == "z = w + b"
    win.document.undo_stack.undo()
    assert g.label(m) == m


def test_auto_layout_puts_every_arrow_left_to_right(main_window):
    win = main_window
    g, a, b, m = small_graph(win)
    sq = drop_from_palette(win, "square", QPointF(-400, -300))  # placed left of its input on purpose
    wire(win, m, sq, 0)
    win.actions_by_name["layout"].trigger()
    for e in g.edges():
        assert g.layout[e.src][0] < g.layout[e.dst][0]
    assert g.layout[a][0] == g.layout[b][0]  # same generation, same column
    win.document.undo_stack.undo()
    assert g.layout[sq][0] < g.layout[m][0]


def test_screenshot_command(tmp_path, app_dirs):
    from gui.app import main

    g = Graph("demo")
    x = g.add_node("parameter", "w", value=2.0)
    s = g.add_node("square", "s")
    g.connect(x, s, 0)
    g.set_meta("loss", "s")
    path = tmp_path / "demo.graph.json"
    fileformat.save(g, path)
    out = tmp_path / "shot.png"
    assert main([str(path), "--screenshot", str(out), "--size", "900x600"]) == 0
    from PySide6.QtGui import QImage
    img = QImage(str(out))
    assert img.width() >= 900 and img.height() >= 600 and not img.isNull()
    assert main([str(tmp_path / "missing.graph.json"), "--screenshot", str(out)]) == 2


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_export_canvas(main_window, tmp_path, suffix):
    small_graph(main_window)
    out = tmp_path / f"canvas.{suffix}"
    assert main_window.files.export_image(str(out))
    data = out.read_bytes()
    assert data[:4] == b"\x89PNG" if suffix == "png" else b"<svg" in data


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_export_canvas_to_a_missing_folder_says_so(main_window, tmp_path, suffix, no_modal_dialogs):
    """QSvgGenerator fails silently on a path it cannot open: the window must not then claim
    'Exported' for a file that was never written."""
    small_graph(main_window)
    out = tmp_path / "no" / "such" / f"canvas.{suffix}"
    assert main_window.files.export_image(str(out)) is False
    assert not out.exists()
    assert ("warning", "Cannot export", f"cannot write {out}: the folder {out.parent} does not exist") \
        in no_modal_dialogs.seen
    assert "Exported" not in main_window.statusBar().currentMessage()


def test_export_of_a_huge_canvas_is_scaled_down(main_window, tmp_path):
    """Two boxes 200,000 units apart (a 10,000-box graph is ~130,000 tall): the PNG is bounded
    (one pixel per unit was gigabytes, the window frozen drawing it) and still written."""
    from PySide6.QtGui import QImage

    from gui.file_actions import PNG_MAX_PIXELS, PNG_MAX_SIDE

    g = main_window.document.graph
    g.add_node("input", node_id="a", pos=(0.0, 0.0))
    g.add_node("input", node_id="b", pos=(3000.0, 200000.0))
    out = tmp_path / "huge.png"
    assert main_window.files.export_image(str(out))
    img = QImage(str(out))
    assert not img.isNull()
    assert max(img.width(), img.height()) <= PNG_MAX_SIDE
    assert img.width() * img.height() <= PNG_MAX_PIXELS
    assert img.height() > 10 * img.width()  # the canvas's shape kept
