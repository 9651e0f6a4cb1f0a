"""PySide6 6.12.0 on CPython 3.11 drops a reference to True on every Signal.emit() and to
None on every empty QVariant, aborting the interpreter after a few thousand signals.
pyproject.toml excludes that release; this test fails loudly if such a build comes back."""
import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal()


def test_signal_emit_keeps_the_reference_count_of_true():
    e = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(200):
        e.ping.emit()
    assert sys.getrefcount(True) >= before - 5


def test_empty_qvariant_keeps_the_reference_count_of_none():
    e = _Emitter()
    before = sys.getrefcount(None)
    for _ in range(200):
        e.property("no_such_property")
    assert sys.getrefcount(None) >= before - 5
