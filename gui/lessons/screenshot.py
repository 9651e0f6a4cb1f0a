"""Pictures of the course in the window (the README's screenshots).

    python -m gui.lessons.screenshot start OUT.png
    python -m gui.lessons.screenshot LESSON OUT.png [--answer TASK=VALUE ...]

``start``: the start page of an empty window. ``LESSON`` (a key of graphcore.course, e.g.
computation_graph): that lesson open with its panel, after typing each ``--answer``.
Rendered offscreen; settings, autosave and progress go to temporary folders.
"""
from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m gui.lessons.screenshot")
    p.add_argument("what", help="start, or a lesson's key")
    p.add_argument("out")
    p.add_argument("--answer", action="append", default=[], metavar="TASK=VALUE")
    p.add_argument("--size", default="1400x860")
    args = p.parse_args(argv)
    from gui.offscreen import offscreen_window, save_and_close

    app, win = offscreen_window(None, args.size)
    if args.what == "start":
        win.lessons.show_start_page()
    elif not win.lessons.open_lesson(args.what):
        print(f"no lesson '{args.what}'", file=sys.stderr)
        return 2
    for answer in args.answer:
        task, _, value = answer.partition("=")
        row = win.lessons.panel.rows.get(task)
        if row is None or row.answer is None:
            print(f"no prediction task '{task}' in this lesson", file=sys.stderr)
            return 2
        row.answer.setText(value)
        row.check_button.click()
    win.lessons.checker.wait_idle()
    return save_and_close(app, win, args.out)


if __name__ == "__main__":
    sys.exit(main())
