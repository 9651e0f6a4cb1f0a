"""Shared setup for the reliability tests.

The helper modules (reliability_*.py) are imported by name; GUI tests here run Qt
offscreen (chosen before Qt is imported) with settings and the data folder kept in a
temporary directory."""
from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(__file__))

import pytest  # noqa: E402


@pytest.fixture
def data_dir(app_dirs):
    """The window's data folder (settings and autosave kept in a temporary directory)."""
    return app_dirs


@pytest.fixture
def dialogs(monkeypatch):
    """Message boxes recorded instead of shown (a modal box would block the test)."""
    from PySide6.QtWidgets import QMessageBox

    shown = []

    def record(kind):
        def box(parent, title, text, *args, **kwargs):
            shown.append((kind, title, text))
            return QMessageBox.Ok
        return staticmethod(box)
    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    # "Save the changes?" when a test's window closes with unsaved work: discard.
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.Discard))
    return shown


@pytest.fixture
def window(qtbot, data_dir, dialogs):
    from gui.main_window import MainWindow

    win = MainWindow(offer_recovery=False)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.document.undo_stack.setClean()
    win.document.set_dirty(False)
    win.close()
