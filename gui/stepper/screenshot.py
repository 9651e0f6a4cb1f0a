"""Picture of the window at one step of the step-through (the README's screenshots).

    python -m gui.stepper.screenshot GRAPH PHASE:BOX OUT.png [--sample I]

Renders the real MainWindow offscreen, steps to the first step of PHASE (forward or
backward) at BOX, and saves the grab. Settings and autosave go to a temporary folder.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m gui.stepper.screenshot")
    p.add_argument("graph")
    p.add_argument("target", help="phase:box, e.g. backward:u")
    p.add_argument("out")
    p.add_argument("--sample", type=int)
    p.add_argument("--size", default="1400x860")
    args = p.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("BACKPROP_STUDIO_DATA_DIR", tempfile.mkdtemp())
    from PySide6.QtCore import QSettings, QStandardPaths
    from PySide6.QtWidgets import QDockWidget

    QStandardPaths.setTestModeEnabled(True)
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tempfile.mkdtemp())
    from gui.app import make_app

    app = make_app()  # the window's own style sheet, as a learner sees it
    from gui.main_window import MainWindow

    w, h = (int(x) for x in args.size.split("x"))
    win = MainWindow(args.graph, offer_recovery=False)
    win.resize(w, h)
    win.show()
    for dock in win.findChildren(QDockWidget):
        if dock.windowTitle() == "Plots":  # give the stepper dock the full width
            dock.hide()
    win.stepper_dock.show()
    app.processEvents()
    if args.sample is not None:
        win.stepper.select_sample(args.sample)
    phase, _, box = args.target.partition(":")
    ctrl = win.stepper
    while True:
        step = ctrl.current()
        if step is not None and (step.phase, step.node) == (phase, box):
            break
        if not ctrl.step_forward():
            print(f"no {phase} step at box '{box}'", file=sys.stderr)
            return 2
    win.view.fit()
    for _ in range(5):
        app.processEvents()
    win.grab().save(args.out)
    win.document.undo_stack.setClean()
    win.document.set_dirty(False)
    win.close()
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
