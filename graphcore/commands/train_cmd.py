"""graphcore train: being built in this session (see the issue that owns it)."""
from __future__ import annotations


def add_arguments(p):
    p.add_argument("rest", nargs="*")


def run(args) -> int:
    from ..cli import fail
    return fail("'train' is not available yet")
