"""Scratch files for the path tests: the example graph they copy, and filling a tmpfs."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

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


def make_device(folder: Path, name: str = "dev") -> Path:
    """A character device of our own (the null device's numbers) inside the test folder; never
    the real /dev/zero: a regression would eat memory, or replace it."""
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    dev = folder / name
    try:
        os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    return dev
