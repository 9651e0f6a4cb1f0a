"""Picture of the window after training a lesson (the README's decision-boundary screenshot).

    python -m gui.training.screenshot GRAPH OUT.png [--epochs N] [--size 1400x860]

Renders the real MainWindow offscreen, presses Train (the graph's own settings; --epochs
overrides how many), waits until the run ends, and saves the grab. Settings and autosave
go to a temporary folder, so the learner's own layout is never touched.
"""
from __future__ import annotations

import argparse
import sys
import time

from graphcore.numbers import format_number
from graphcore.train_settings import Status


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m gui.training.screenshot")
    p.add_argument("graph")
    p.add_argument("out")
    p.add_argument("--epochs", type=int, help="epochs to train (default: the graph's training block)")
    p.add_argument("--size", default="1400x860")
    args = p.parse_args(argv)
    from PySide6.QtTest import QTest

    from gui.offscreen import offscreen_window

    app, win = offscreen_window(args.graph, args.size, remember_settings=False)
    win.plots_dock.raise_()
    panel, runner = win.training.panel, win.training.runner
    if args.epochs is not None:
        panel.epochs.setValue(args.epochs)
    panel.speed.setCurrentIndex(panel.speed.findData(None))  # max: a picture, not a lesson to watch
    panel.train_button.click()
    start = time.monotonic()
    while runner.state == Status.RUNNING and time.monotonic() - start < 120:
        QTest.qWait(20)
    trainer = runner.trainer
    if trainer is None or trainer.status == Status.FAILED:
        print(f"training failed: {runner.message}", file=sys.stderr)
        return 1
    win.view.fit()
    QTest.qWait(400)  # the plots' last throttled frame and the debounced evaluation
    win.grab().save(args.out)
    last = trainer.history.last()
    print(f"{args.out}: {trainer.epoch} epochs, cost {format_number(last['cost'], 4)}, accuracy {last['accuracy']:.1%}")
    win.document.undo_stack.setClean()
    win.document.set_dirty(False)
    win.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
