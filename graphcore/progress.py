"""A small terminal progress bar (no dependency): one line on stderr, redrawn in place.

    bar = ProgressBar(total=500, unit="epochs")
    bar.update(120, "cost 0.1234")   # redraws at most every ``interval`` seconds
    bar.close()

It draws only when the stream is a terminal, so piped output and logs stay clean.
"""
from __future__ import annotations

import sys
import time


class ProgressBar:
    def __init__(self, total: int, unit: str = "", stream=None, width: int = 28, interval: float = 0.1,
                 enabled: bool | None = None):
        self.total = max(int(total), 0)
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.interval = interval
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(isatty and isatty()) if enabled is None else enabled
        self.start = time.monotonic()
        self._last = -interval
        self._drawn = False

    def line(self, done: int, text: str = "") -> str:
        frac = 1.0 if self.total == 0 else min(max(done / self.total, 0.0), 1.0)
        filled = int(round(frac * self.width))
        bar = "█" * filled + "·" * (self.width - filled)
        elapsed = time.monotonic() - self.start
        unit = f" {self.unit}" if self.unit else ""
        return f"[{bar}] {done}/{self.total}{unit} {elapsed:5.1f}s  {text}".rstrip()

    def update(self, done: int, text: str = "", force: bool = False):
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < self.interval and done < self.total:
            return
        self._last = now
        self.stream.write("\r\x1b[2K" + self.line(done, text))
        self.stream.flush()
        self._drawn = True

    def close(self):
        if self.enabled and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
