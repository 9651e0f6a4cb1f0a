"""Fixtures shared by every test folder that opens a window."""
from __future__ import annotations

import pytest


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


@pytest.fixture(scope="session", autouse=True)
def empty_clipboard_at_exit():
    """Offscreen Qt 6.11 deletes a copied QMimeData after Python has shut down, which crashes
    the exit (exit 139 after a test that copied boxes); the app empties it at exit
    (gui/app.py), and so does the test session."""
    yield
    import sys
    if "PySide6.QtWidgets" in sys.modules:
        from PySide6.QtWidgets import QApplication
        app = QApplication.instance()
        if app is not None:
            app.clipboard().clear()
