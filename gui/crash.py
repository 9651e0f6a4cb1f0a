"""The global exception hook: a short message, a log file, and the graph stays open."""
from __future__ import annotations

import datetime
import os
import sys
import traceback
from pathlib import Path


def data_dir() -> Path:
    """Where recovery files and the crash log live (the platform's app data folder)."""
    override = os.environ.get("BACKPROP_STUDIO_DATA_DIR")
    if override:
        path = Path(override)
    else:
        from PySide6.QtCore import QStandardPaths
        path = Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation) or Path.home() / ".backprop-studio")
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_path() -> Path:
    return data_dir() / "error.log"


def write_log(exc_type, exc, tb) -> Path:
    path = log_path()
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"--- {datetime.datetime.now().isoformat(timespec='seconds')}\n")
        fh.write("".join(traceback.format_exception(exc_type, exc, tb)))
    return path


def install(show_dialog: bool = True):
    """Replace sys.excepthook: log the traceback, tell the learner in one line, carry on."""
    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        try:
            path = write_log(exc_type, exc, tb)
        except OSError:
            path = None
        message = f"Something went wrong: {exc_type.__name__}: {exc}".splitlines()[0][:300]
        where = f"\n\nDetails were written to {path}. Your graph is still open; save it." if path else ""
        print(message, file=sys.stderr)
        if show_dialog:
            from PySide6.QtWidgets import QApplication, QMessageBox

            from .plain_text import safe_text
            if QApplication.instance() is not None:
                QMessageBox.warning(QApplication.activeWindow(), "Backprop Studio", safe_text(message + where))
    sys.excepthook = hook
    return hook
