"""Shared fixtures for the window's tests (pytest-qt, offscreen).

The platform must be chosen before Qt is imported, hence the top of this file.
Other GUI test modules reuse ``main_window``: a real MainWindow with an empty graph,
its settings and recovery files kept in a temporary directory.
"""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture
def app_dirs(tmp_path, monkeypatch):
    """Keep QSettings, autosave and crash logs out of the user's real folders."""
    from PySide6.QtCore import QSettings, QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    data = tmp_path / "appdata"
    data.mkdir()
    monkeypatch.setenv("BACKPROP_STUDIO_DATA_DIR", str(data))
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    return data


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
