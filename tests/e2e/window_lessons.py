"""Lesson files for the real-window tests, and reading back what a window saved."""
from __future__ import annotations

import shutil
from pathlib import Path

from graphcore import fileformat

EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"


def lesson(tmp_path, name: str) -> Path:
    path = tmp_path / f"{name}.graph.json"
    shutil.copy(EXAMPLES / f"{name}.graph.json", path)
    return path


def saved(s):
    s.save()
    return fileformat.load(s.path)
