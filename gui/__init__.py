"""Backprop Studio's window (PySide6 + pyqtgraph). Uses graphcore only through its public API."""

from .panels import plots_refcount_guard  # noqa: E402,F401  (PySide6 6.12 refcount workaround, see there)
