"""The window under failure: an exception inside a handler, a file that will not load, a
save that fails, non-finite values while evaluating, stepping and training.

Each time the learner is told in a line, nothing they made is lost, and the graph stays
open and editable."""
from __future__ import annotations

import errno
import json
import os
import sys

import pytest
from PySide6.QtCore import QPointF
from tests.reliability.reliability_docs import RandomChooser, as_bytes, lessons, mutate, render

from graphcore import fileformat, paths
from gui import crash

FORMAT = "backprop-studio.graph"


def open_doc(win, tmp_path, doc, name="lesson.graph.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert win.files.open(str(path), ask=False)
    return path


# --- the global exception hook ---------------------------------------------------------------
@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_handler_is_logged_and_the_graph_stays_editable(window, tmp_path, data_dir, dialogs,
                                                                           monkeypatch, qtbot):
    open_doc(window, tmp_path, lessons()[0])
    before = window.document.dumps()
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    crash.install(show_dialog=True)

    def broken(*args):
        raise ZeroDivisionError("a bug in a panel\nsecond line of detail")
    monkeypatch.setattr(window.inspector, "show_selection", broken)
    window.select_nodes(["w1"])  # selection changed → the inspector's handler raises
    qtbot.waitUntil(lambda: bool(dialogs), timeout=3000)

    kind, title, text = dialogs[-1]
    first_line = text.splitlines()[0]
    assert "ZeroDivisionError: a bug in a panel" in first_line and "second line" not in first_line
    assert len(first_line) <= 300
    log = (data_dir / "error.log").read_text(encoding="utf-8")
    assert str(data_dir / "error.log") in text  # the learner is told where the details are
    assert "Traceback" in log and "second line of detail" in log and "broken" in log
    # The graph is untouched and still takes edits (and their undo).
    assert window.isVisible() and window.document.dumps() == before
    monkeypatch.undo()
    nid = window.edit.add_box("sin", QPointF(300, 300))
    assert nid in window.document.graph
    window.document.undo_stack.undo()
    assert window.document.dumps() == before


# --- a file that fails to load -------------------------------------------------------------
def test_a_file_that_fails_to_load_leaves_the_open_graph_untouched(window, tmp_path, dialogs):
    open_doc(window, tmp_path, lessons()[1])
    window.edit.add_box("cos", QPointF(500, 0))  # unsaved work in the open graph
    before, path_before = window.document.dumps(), window.document.path
    bad = []
    for seed in range(40):
        ch = RandomChooser(1000 + seed)
        content = render(mutate(ch.choice(lessons()), ch, ch.integer(1, 3)), ch)
        try:
            fileformat.loads(content)
        except Exception:
            bad.append(content)
    bad.append(b"\x89PNG\r\n" + bytes(range(200)))
    assert len(bad) >= 10
    for i, content in enumerate(bad):
        path = tmp_path / f"bad{i}.graph.json"
        path.write_bytes(as_bytes(content))
        expected = None
        try:
            fileformat.load(path)
        except Exception as exc:
            expected = str(exc)
        dialogs.clear()
        assert window.files.open(str(path), ask=False) is False
        assert dialogs and dialogs[-1][2] == expected  # the loader's own message
        assert window.document.dumps() == before and window.document.path == path_before
        assert window.document.dirty
    assert window.files.open(str(tmp_path / "no such file.graph.json"), ask=False) is False
    assert window.document.dumps() == before


# --- a save that fails ------------------------------------------------------------------------
class FullDisk:
    def __init__(self, real):
        self.real = real

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.real.close()

    def write(self, text):
        self.real.write(text[: len(text) // 3])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.mark.parametrize("failure", ["disk full", "permission denied"])
def test_a_failed_save_says_so_and_keeps_the_old_file(window, tmp_path, dialogs, monkeypatch, failure):
    path = open_doc(window, tmp_path, lessons()[0])
    old = path.read_bytes()
    window.edit.add_box("tanh", QPointF(400, 300))
    edited = window.document.dumps()
    window.files.autosave()  # the recovery copy must survive a failed save too
    if failure == "disk full":
        real = os.fdopen
        monkeypatch.setattr(fileformat.os, "fdopen", lambda *a, **k: FullDisk(real(*a, **k)))
        words = os.strerror(errno.ENOSPC)
    else:
        def refuse(*a, **k):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        monkeypatch.setattr(paths.tempfile, "mkstemp", refuse)
        words = "does not allow new files"  # the folder is named, not a hidden temporary file
    assert window.files.save() is False
    kind, title, text = dialogs[-1]
    assert words in text and path.name in text
    assert path.read_bytes() == old
    assert [n for n in os.listdir(tmp_path) if n.endswith(".tmp")] == []
    assert window.document.dirty and window.document.dumps() == edited
    assert window.files.recovery_path().exists()
    monkeypatch.undo()
    assert window.files.save() is True  # once the disk has room again, the work is saved
    assert fileformat.dumps(fileformat.load(path)) == edited and not window.files.recovery_path().exists()


# --- non-finite values name the first box and select it ----------------------------------------
def overflow_doc():
    """c = 800; e0 = exp(c) is inf (the first); e1 = sin(e0) passes it on; J = mean(e1)."""
    return {"format": FORMAT, "version": 1, "name": "overflow",
            "nodes": [{"id": "c", "op": "parameter", "value": 800.0}, {"id": "e0", "op": "exp"},
                      {"id": "e1", "op": "sin"}, {"id": "J", "op": "mean"}],
            "edges": [{"src": "c", "dst": "e0", "port": 0}, {"src": "e0", "dst": "e1", "port": 0},
                      {"src": "e1", "dst": "J", "port": 0}],
            "loss": "J", "layout": {"c": [0, 0], "e0": [150, 0], "e1": [300, 0], "J": [450, 0]}}


def selected(win):
    return set(win.scene.selected_nodes())


def test_evaluate_now_names_and_selects_the_first_non_finite_box(window, tmp_path):
    open_doc(window, tmp_path, overflow_doc())
    window.scene.clearSelection()
    window.actions_by_name["evaluate"].trigger()
    assert "'e0'" in window.document.error and "'e1'" not in window.document.error
    assert selected(window) == {"e0"}
    assert "e0" in window.statusBar().currentMessage()


def test_stepping_names_and_selects_the_first_non_finite_box(window, tmp_path):
    open_doc(window, tmp_path, overflow_doc())
    window.scene.clearSelection()
    window.stepper.actions["step_forward"].trigger()
    assert selected(window) == {"e0"}
    assert "e0" in window.statusBar().currentMessage()


def test_training_names_and_selects_the_first_non_finite_box(window, tmp_path, qtbot):
    doc = {"format": FORMAT, "version": 1, "name": "diverges", "nodes": [
        {"id": "x", "op": "input", "column": "x1"}, {"id": "y", "op": "input", "column": "y"},
        {"id": "w", "op": "parameter", "value": 1.0}, {"id": "wx", "op": "mul"},
        {"id": "L", "op": "squared_error"}],
        "edges": [{"src": "x", "dst": "wx", "port": 0}, {"src": "w", "dst": "wx", "port": 1},
                  {"src": "wx", "dst": "L", "port": 0}, {"src": "y", "dst": "L", "port": 1}],
        "loss": "L", "output": "wx", "dataset": {"generator": "simple", "n": 20, "seed": 0},
        "training": {"optimizer": "sgd", "lr": 1e200, "epochs": 50}}  # (wx)² overflows in epoch 2
    open_doc(window, tmp_path, doc)
    window.scene.clearSelection()
    runner = window.training.runner
    runner.train()
    qtbot.waitUntil(lambda: runner.state == "failed", timeout=10_000)
    assert selected(window) & {"wx", "L"}
    assert "non-finite" in window.statusBar().currentMessage()
    assert window.document.graph.value("w") is not None  # the graph is intact and finite
    assert all(abs(window.document.graph.value(p)) < float("inf") for p in window.document.graph.parameters())
