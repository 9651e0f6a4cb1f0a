"""Shared fixtures for the window's tests (pytest-qt, offscreen).

The platform must be chosen before Qt is imported, hence the top of this file.
Other GUI test modules reuse ``main_window``: a real MainWindow with an empty graph,
its settings and recovery files kept in a temporary directory.
"""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from types import SimpleNamespace  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    """No test can ever wait on a modal dialog nobody will click.

    Every static dialog the window uses answers at once: message boxes are recorded and
    answered (unsaved changes: Discard, other questions: No), file and input dialogs are
    recorded and cancelled — and a test that opened one without patching it itself fails
    loudly in teardown. Tests that expect a dialog patch it again with their own answer.
    At the end every window still open is marked saved and closed, so no "unsaved
    changes" prompt can run at interpreter exit either.
    """
    from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

    seen, unexpected = [], []

    def message(kind):
        def box(parent, title, text, *args, **kwargs):
            seen.append((kind, title, text))
            if kind != "question":
                return QMessageBox.Ok
            return QMessageBox.Discard if "Unsaved" in title else QMessageBox.No
        return staticmethod(box)

    def refuse(kind, answer):
        def dialog(*args, **kwargs):
            unexpected.append((kind, args[1:3] if len(args) > 2 else args))
            return answer
        return staticmethod(dialog)

    for kind in ("warning", "critical", "information", "question", "about"):
        monkeypatch.setattr(QMessageBox, kind, message(kind))
    for name in ("getOpenFileName", "getSaveFileName"):
        monkeypatch.setattr(QFileDialog, name, refuse(name, ("", "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", refuse("getExistingDirectory", ""))
    for name, answer in (("getText", ("", False)), ("getDouble", (0.0, False)), ("getInt", (0, False)),
                         ("getItem", ("", False))):
        monkeypatch.setattr(QInputDialog, name, refuse(name, answer))
    # Every window a test makes is remembered (not found through QApplication.topLevelWidgets(),
    # which can hand back wrappers of widgets half-way through destruction and crash).
    from gui.main_window import MainWindow

    made = []
    original_init = MainWindow.__init__

    def remembering_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        made.append(self)
    monkeypatch.setattr(MainWindow, "__init__", remembering_init)
    yield SimpleNamespace(seen=seen, unexpected=unexpected)
    import shiboken6

    for w in made:
        if shiboken6.isValid(w) and w.isVisible():
            w.document.undo_stack.setClean()
            w.document.set_dirty(False)
            w.close()
    assert not unexpected, f"a test opened a dialog it did not answer: {unexpected}"


@pytest.fixture
def main_window(qtbot, app_dirs):
    """A shown MainWindow with a new, empty graph; closed without prompts afterwards."""
    from gui.main_window import MainWindow

    win = MainWindow(offer_recovery=False)
    # Not qtbot.addWidget: qtbot would close it before this fixture can mark it saved,
    # and the unsaved-changes prompt would then wait for a click nobody makes.
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.document.undo_stack.setClean()
    win.document.set_dirty(False)
    if win.quick_search is not None:
        win.quick_search.close()
    win.close()
    win.deleteLater()


@pytest.fixture
def stepper_window(main_window):
    """``main_window``, whose step-through is one of its declared parts."""
    assert main_window.stepper is not None
    return main_window


XOR_DATA = {"generator": "xor", "n": 100, "seed": 0, "noise": 0.0, "test_fraction": 0.0}


@pytest.fixture
def xor_network_window(stepper_window, tmp_path):
    """The window on a 2 → 10 → 1 relu network in layer groups, xor data, saved and opened."""
    from graphcore import fileformat
    from graphcore.builder import mlp

    g = mlp(["x1", "x2"], [10], "relu", "bce", seed=0, name="xor network", groups=True, dataset=XOR_DATA)
    path = tmp_path / "xor.graph.json"
    fileformat.save(g, path)
    stepper_window.files.open(str(path), ask=False)
    return stepper_window
