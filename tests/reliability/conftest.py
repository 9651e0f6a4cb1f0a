"""Shared setup for the reliability tests.

The helper modules (reliability_*.py) are imported as tests.reliability.*; GUI tests here run Qt
offscreen (chosen before Qt is imported) with settings and the data folder kept in a
temporary directory."""
from __future__ import annotations

import os
import shutil
import subprocess

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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


@pytest.fixture
def folder(tmp_path):
    """A test folder holding a copy of the example graph, a FIFO and a sub-folder."""
    from tests.reliability.reliability_mounts import EXAMPLE

    shutil.copy(EXAMPLE, tmp_path / "in.graph.json")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "sub").mkdir()
    return tmp_path


@pytest.fixture
def tmpfs(folder):
    """Mount a small tmpfs inside the test folder; unmounted whatever happens."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    mnt = folder / "mnt"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)],
                      capture_output=True, timeout=30).returncode != 0:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=30)
