"""Scratch files for the path tests: the example graph they copy, and filling a tmpfs."""
from __future__ import annotations

import os
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "assets" / "examples" / "logistic_regression.graph.json"


def fill(mnt: Path):
    """Fill the tmpfs to the last byte with one file, "filler"."""
    fd = os.open(mnt / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
