"""File ▸ Export ▸ Python (numpy)… / Python (PyTorch)…: the graph as a script a learner can
read, run and keep (graphcore.export, SPEC §7), with the parameters as they are now — so a
graph trained in the window exports its trained values."""
from __future__ import annotations

import os
import re
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from graphcore.errors import GraphError
from graphcore.export import export
from graphcore.fileformat import atomic_write
from graphcore.paths import write_failure

from .plain_text import safe_text

TARGET_NAMES = {"numpy": "Python (numpy)", "torch": "Python (PyTorch)"}


def default_name(title: str, target: str) -> str:
    stem = re.sub(r"[^0-9A-Za-z]+", "_", title).strip("_").lower() or "graph"
    return f"{stem}{'_torch' if target == 'torch' else ''}.py"


class CodeExport:
    def __init__(self, window):
        self.window = window

    def export_dialog(self, target: str) -> bool:
        doc = self.window.document
        start = os.path.join(self.window.files.start_dir(), default_name(doc.title, target))
        path, _ = QFileDialog.getSaveFileName(self.window, f"Export as {TARGET_NAMES[target]}", start,
                                              "Python scripts (*.py);;All files (*)")
        if not path:
            return False
        if not path.endswith(".py"):
            path += ".py"
        return self.export_to(target, path)

    def export_to(self, target: str, path: str) -> bool:
        """Write the script atomically; any failure is said in a dialog and nothing is written."""
        win = self.window
        runner = win.training.runner
        if runner.state == "running":
            runner.pause()  # export the values of one finished step, not of a step under way
        try:
            text = export(win.document.graph, target)
        except GraphError as exc:
            QMessageBox.warning(win, "Cannot export", safe_text(f"The graph cannot be exported yet: {exc}"))
            if exc.nodes:
                win.select_nodes(exc.nodes)
            return False
        except (ValueError, OSError) as exc:  # a data file that cannot be read, an unknown target
            QMessageBox.warning(win, "Cannot export", safe_text(f"cannot export: {exc}"))
            return False
        try:
            atomic_write(path, text)
        except OSError as exc:
            QMessageBox.warning(win, "Cannot export", safe_text(write_failure(path, exc)))
            return False
        win.show_message(f"Exported {Path(path).name} — run it with: python {Path(path).name}")
        return True
