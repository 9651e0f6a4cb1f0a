"""Guard against PySide6 6.12 reference-count bugs on Python < 3.12.

Two bugs, both measured on this build (PySide6 6.12.0, CPython 3.11):

* every ``Signal.emit()`` drops one reference to ``True`` that it never took;
* every Qt call that returns an empty QVariant as ``None`` (``QObject.property`` of an
  unset name, ``QComboBox.currentData`` of an item without data, ``QAction.data``...)
  drops one reference to ``None``.

After a few thousand signals (pyqtgraph emits several per ``setData``; the document
emits one per model event) the count reaches zero and the interpreter aborts with
"Fatal Python error: bool_dealloc" / "none_dealloc". Python 3.12 made these singletons
immortal; on older versions we do the same by hand, once, and only when a probe shows
the bug is present, so the guard does nothing on a fixed PySide6. ``gui/__init__.py``
imports this module so that it runs before any window exists.
"""
from __future__ import annotations

import ctypes
import platform
import sys

_PROBES = 64
_HEADROOM = 1 << 40  # ~10¹² leaked references before a count could reach zero


def _add_refs(obj, n: int):
    # ob_refcnt is the first field of every object in CPython's release builds.
    ctypes.c_ssize_t.from_address(id(obj)).value += n


def _probe(obj, action) -> bool:
    before = sys.getrefcount(obj)
    for _ in range(_PROBES):
        action()
    lost = before - sys.getrefcount(obj)
    if lost > 0:
        _add_refs(obj, lost)  # give back what the probe itself took
    return lost >= _PROBES // 2


def leaking_singletons() -> list:
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    p = _Probe()
    leaking = []
    if _probe(None, lambda: p.property("_backprop_studio_probe")):
        leaking.append(None)
    if _probe(True, p.ping.emit):
        leaking += [True, False]
    return leaking


def install() -> list:
    """Make the leaking singletons' counts unreachable; returns those it had to guard."""
    if sys.version_info >= (3, 12) or platform.python_implementation() != "CPython":
        return []
    guarded = leaking_singletons()
    for obj in guarded:
        _add_refs(obj, _HEADROOM)
    return guarded


GUARDED = install()
