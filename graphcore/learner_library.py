"""The learner's library of Functions: the ones they made, kept in a small JSON file (the
window keeps it in its data folder) so every later session lists them and any graph can use
them. The file is read exactly like a graph file's ``functions`` block — expressions against
formula.py's whitelist, the same limits, never executed — and a broken file is reported in
one line and left untouched (``broken``: nothing is written over it).
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from . import functions as F
from . import learner
from .errors import GraphError

FORMAT = "backprop-studio-functions"
VERSION = 1
MAX_BYTES = 1024 * 1024


class LibraryError(GraphError):
    """The library file cannot be read: the one line names the file and the problem."""


class Library:
    title = "your library of Functions"  # how a name clash names it (learner.holder_text)

    def __init__(self, path):
        self.path = Path(path)
        self.functions: dict[str, F.Function] = {}
        self.broken = False

    def load(self) -> list[str]:
        """Read the file (a missing one is an empty library) and register its Functions.

        Returns one-line notes for Functions skipped because an open graph defines the name
        differently; raises LibraryError, marking the library broken, for a file it cannot read."""
        try:
            fns = self._read()
        except LibraryError:
            self.broken = True
            raise
        notes = []
        for fn in fns:
            try:
                (fn,) = learner.register_all([fn])
            except GraphError as exc:
                notes.append(f"{self.path.name}: {exc}")
                continue
            self.functions[fn.name] = fn
        learner.hold(self, self.functions.values())
        return notes

    def _read(self) -> list[F.Function]:
        def fail(why: str):
            raise LibraryError(f"{self.path.name}: {why} (the file was left as it is)")

        try:
            if not self.path.exists():
                return []
            if self.path.stat().st_size > MAX_BYTES:
                fail(f"too large (the limit is {MAX_BYTES} bytes)")
            text = self.path.read_bytes().decode("utf-8-sig")
            doc = json.loads(text, parse_constant=lambda c: fail(f"non-finite number {c}"))
        except UnicodeDecodeError:
            fail("not UTF-8 text")
        except RecursionError:
            fail("JSON nested too deeply")
        except ValueError as exc:
            fail(f"invalid JSON ({exc})")
        except OSError as exc:
            fail(f"cannot be read ({exc.strerror or exc})")
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("version") != VERSION:
            fail(f"not a library of Functions: 'format' must be \"{FORMAT}\" and 'version' {VERSION}")
        unknown = set(doc) - {"format", "version", "functions"}
        if unknown:
            fail(f"unknown key '{sorted(unknown)[0]}'")
        return learner.read_block(doc.get("functions", []), fail)

    def add(self, fn: F.Function) -> bool:
        """Keep ``fn`` (replacing one of its name); False when the file is broken and kept as it is."""
        self.functions[fn.name] = fn
        learner.hold(self, [fn])
        return self._write(lambda kept: kept.update({fn.name: fn}))

    def remove(self, name: str) -> bool:
        self.functions.pop(name, None)
        learner.release(self, name)
        return self._write(lambda kept: kept.pop(name, None))

    def _write(self, change) -> bool:
        """Apply ``change`` to the file as it is now (another window may have added to it)."""
        if self.broken:
            return False
        try:
            kept = {fn.name: fn for fn in self._read()}
        except LibraryError:
            self.broken = True  # broken since it was loaded: still left as it is
            return False
        change(kept)
        doc = {"format": FORMAT, "version": VERSION, "functions": [learner.to_record(fn) for fn in kept.values()]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".functions-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, indent=1, ensure_ascii=False)
            os.replace(tmp, self.path)  # whole or not at all
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True
