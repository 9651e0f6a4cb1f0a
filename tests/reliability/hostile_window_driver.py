"""Child process for test_hostile_window: the real entry point (gui.app.main) opens FILE,
then a timer brings every dock to the front, selects every box one by one and paints the
window each time (a grab renders whatever rich text a label would load), and quits.

Prints 'toured N boxes in S s' and exits 0; any failure leaves the normal way (a
traceback, exit 1), an abort (std::bad_alloc) by a signal.
"""
from __future__ import annotations

import sys
import time


def tour():
    from PySide6.QtWidgets import QApplication, QDockWidget

    from gui.main_window import MainWindow

    app = QApplication.instance()
    win = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
    t0 = time.perf_counter()
    win.document.evaluate_now()
    docks = win.findChildren(QDockWidget)
    for dock in docks:
        dock.raise_()
        app.processEvents()
        win.grab()
    boxes = win.document.graph.nodes()
    for nid in boxes:
        win.select_nodes([nid])
        app.processEvents()
        win.grab()
    print(f"toured {len(boxes)} boxes in {time.perf_counter() - t0:.2f} s", flush=True)
    if win.document.error:
        print(f"evaluation error: {win.document.error}", flush=True)
    win.document.undo_stack.setClean()
    win.document.set_dirty(False)
    app.exit(0)


def _tour_or_exit():
    try:
        tour()
    except BaseException:  # noqa: BLE001 - reported, then the child fails
        import os
        import traceback
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)


def _record_dialogs():
    """A modal box would wait for a click nobody makes: print its text instead."""
    from PySide6.QtWidgets import QMessageBox

    def box(kind):
        def show(parent, title, text, *args, **kwargs):
            print(f"dialog {kind}: {title}: {text}", file=sys.stderr, flush=True)
            return QMessageBox.Discard if kind == "question" else QMessageBox.Ok
        return staticmethod(show)
    for kind in ("warning", "critical", "information", "question"):
        setattr(QMessageBox, kind, box(kind))


def main(path: str) -> int:
    from PySide6.QtCore import QTimer

    from gui import app as entry

    entry.make_app()  # main() reuses this QApplication
    _record_dialogs()
    QTimer.singleShot(0, _tour_or_exit)
    return entry.main([path])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
