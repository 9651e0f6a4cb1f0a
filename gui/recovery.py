"""Crash recovery, one slot per window.

Each window autosaves into its own pair of files (``recovery-<pid>-<n>.graph.json`` and
``.info.json``) and holds a lock on its slot while it lives. The system drops that lock
when the process ends, however it ends (SIGKILL included), so a window starting up offers
only work whose process is gone, and one window saving, closing or declining an offer
never touches the autosave of another window that is still open.
"""
from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

from graphcore import fileformat

from .crash import data_dir

try:
    import fcntl
except ImportError:  # no flock (Windows): every slot counts as abandoned, as before slots existed
    fcntl = None

PREFIX = "recovery-"
_serial = itertools.count(1)


class Slot:
    def __init__(self, name: str, folder: Path):
        self.name = name
        self.graph_path = folder / f"{PREFIX}{name}.graph.json"
        self.info_path = folder / f"{PREFIX}{name}.info.json"
        self.lock_path = folder / f"{PREFIX}{name}.lock"
        self._lock = None

    # --- the claim: a lock the system releases when the process dies -----------------------
    def claim(self) -> bool:
        """Hold this slot's lock; False when a live window (here or in another process) holds it."""
        try:
            fh = open(self.lock_path, "a+b")
        except OSError:
            return False
        if fcntl is not None:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                fh.close()
                return False
        self._lock = fh
        return True

    def release(self):
        """Let go of the slot (its window closed, or its orphaned work was dealt with)."""
        if self._lock is None:
            return
        try:
            os.unlink(self.lock_path)  # while still holding it: nobody claims a file on its way out
        except OSError:
            pass
        self._lock.close()
        self._lock = None

    # --- the autosaved work ------------------------------------------------------------------
    def exists(self) -> bool:
        return self.graph_path.exists()

    def write(self, text: str, source_path: str | None):
        fileformat.atomic_write(self.graph_path, text)
        fileformat.atomic_write(self.info_path, json.dumps({"path": source_path, "pid": os.getpid()}))

    def read(self):
        """The autosaved graph and the path of the file it came from (None if never saved)."""
        g = fileformat.load(self.graph_path)
        info = json.loads(self.info_path.read_text(encoding="utf-8")) if self.info_path.exists() else {}
        path = info.get("path") if isinstance(info, dict) else None
        return g, path if isinstance(path, str) else None

    def clear(self):
        for p in (self.graph_path, self.info_path):
            try:
                p.unlink()
            except OSError:
                pass


def own_slot() -> Slot:
    """A new window's slot, claimed for as long as the window lives."""
    slot = Slot(f"{os.getpid()}-{next(_serial)}", data_dir())
    slot.claim()
    return slot


def orphans() -> list[Slot]:
    """Autosaved work whose window is gone, each slot claimed by this process (two windows
    starting at once never offer the same work). Lock files of gone windows that left no
    work are swept up."""
    folder = data_dir()
    found = []
    for lock in sorted(folder.glob(f"{PREFIX}*.lock")):
        slot = Slot(lock.name[len(PREFIX):-len(".lock")], folder)
        if not slot.claim():
            continue  # a live window's
        if slot.exists():
            found.append(slot)
        else:
            slot.clear()
            slot.release()
    for graph in sorted(folder.glob(f"{PREFIX}*.graph.json")):  # work whose lock file is gone
        slot = Slot(graph.name[len(PREFIX):-len(".graph.json")], folder)
        if not slot.lock_path.exists() and all(s.name != slot.name for s in found) and slot.claim():
            found.append(slot)
    return found
