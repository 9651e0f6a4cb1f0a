"""Backprop Studio's window (PySide6 + pyqtgraph). Uses graphcore only through its public API."""
