"""The learner's course progress: which tasks of which lesson are done, one small JSON file
in the data folder (``gui.crash.data_dir()``), so it survives a restart.

    {"version": 1, "lessons": {"computation_graph": ["predict_b", "use_b_twice"], ...}}

A file that cannot be read as this is never trusted and never written over: it is moved
aside to ``lesson_progress.broken.json`` (kept for the learner) and progress starts afresh,
with one line saying so (``Progress.problem``).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from graphcore import fileformat, paths

FILE_NAME = "lesson_progress.json"
BROKEN_NAME = "lesson_progress.broken.json"
MAX_BYTES = 1 << 20  # a progress file is a few hundred bytes; anything huge is not ours


def _parse(text: str) -> dict[str, set[str]]:
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("lessons"), dict):
        raise ValueError("not a version 1 progress file")
    out = {}
    for key, done in data["lessons"].items():
        if not isinstance(done, list) or not all(isinstance(t, str) for t in done):
            raise ValueError(f"lesson {key!r} holds no list of task names")
        out[str(key)] = set(done)
    return out


class Progress:
    def __init__(self, folder: Path):
        self.path = Path(folder) / FILE_NAME
        self.problem: str | None = None  # one line for the learner when the file was unreadable
        self._done: dict[str, set[str]] = {}
        self._load()

    def _load(self):
        if not os.path.lexists(self.path):
            return
        try:
            # a regular file only, never read past the limit (a FIFO there must not hang the window)
            self._done = _parse(paths.read_bytes(self.path, MAX_BYTES, "lesson progress file").decode("utf-8"))
        except (OSError, ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self._done = {}
            kept = self._move_aside()
            self.problem = (f"lesson progress file {self.path.name} could not be read ({reason}); "
                            f"starting afresh" + (f", the old file kept as {kept}" if kept else ""))

    def _move_aside(self) -> str | None:
        """Renamed beside itself, never over an earlier broken copy."""
        stem, suffix = BROKEN_NAME.removesuffix(".json"), ".json"
        for n in range(1, 100):
            target = self.path.with_name(BROKEN_NAME if n == 1 else f"{stem}-{n}{suffix}")
            if os.path.lexists(target):
                continue
            try:
                os.rename(self.path, target)
            except OSError:
                return None
            return target.name
        return None

    def done(self, lesson: str) -> set[str]:
        return set(self._done.get(lesson, ()))

    def count(self, lesson: str, task_ids) -> int:
        return len(self.done(lesson) & set(task_ids))

    def mark_done(self, lesson: str, task_id: str) -> bool:
        """Remember a task as done; True when that is news (and the file was written)."""
        done = self._done.setdefault(lesson, set())
        if task_id in done:
            return False
        done.add(task_id)
        self.save()
        return True

    def save(self):
        data = {"version": 1, "lessons": {k: sorted(v) for k, v in sorted(self._done.items()) if v}}
        try:
            fileformat.atomic_write(self.path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        except OSError as exc:  # progress is a convenience: the lesson goes on without it
            self.problem = f"lesson progress could not be saved to {self.path}: {exc}".splitlines()[0]
