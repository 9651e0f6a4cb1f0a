"""An offscreen window for the README's screenshot scripts, isolated from the learner's own
settings and autosave (they go to temporary folders)."""
from __future__ import annotations

import os
import tempfile


def offscreen_window(graph: str, size: str = "1400x860", **window_options):
    """(app, window) showing GRAPH at SIZE ("WxH"), rendered offscreen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("BACKPROP_STUDIO_DATA_DIR", tempfile.mkdtemp())
    from PySide6.QtCore import QSettings, QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tempfile.mkdtemp())
    from gui.app import make_app
    from gui.main_window import MainWindow

    app = make_app()  # the window's own style sheet, as a learner sees it
    w, h = (int(x) for x in size.split("x"))
    win = MainWindow(graph, offer_recovery=False, **window_options)
    win.resize(w, h)
    win.show()
    app.processEvents()
    return app, win


def save_and_close(app, win, out: str) -> int:
    """Fit the canvas, let the last throttled paints land, save the grab to OUT and close the
    window without asking to save (the scripts' edits are not the learner's); prints OUT."""
    win.view.fit()
    for _ in range(5):
        app.processEvents()
    win.grab().save(out)
    win.document.undo_stack.setClean()
    win.document.set_dirty(False)
    win.close()
    print(out)
    return 0
