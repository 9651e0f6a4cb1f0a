"""Picture of the window at one step of the step-through (the README's screenshots).

    python -m gui.stepper.screenshot GRAPH PHASE:BOX OUT.png [--sample I]

Renders the real MainWindow offscreen, steps to the first step of PHASE (forward or
backward) at BOX, and saves the grab. Settings and autosave go to a temporary folder.
"""
from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m gui.stepper.screenshot")
    p.add_argument("graph")
    p.add_argument("target", help="phase:box, e.g. backward:u")
    p.add_argument("out")
    p.add_argument("--sample", type=int)
    p.add_argument("--size", default="1400x860")
    args = p.parse_args(argv)
    from PySide6.QtWidgets import QDockWidget

    from gui.offscreen import offscreen_window, save_and_close

    app, win = offscreen_window(args.graph, args.size)
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
    return save_and_close(app, win, args.out)


if __name__ == "__main__":
    sys.exit(main())
