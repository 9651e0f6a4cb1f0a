"""Entry point of the window: ``backprop-studio [FILE] [--screenshot OUT.png]``."""
from __future__ import annotations

import argparse
import atexit
import os
import sys
from pathlib import Path

STYLE = Path(__file__).resolve().parent / "style.qss"
MIN_SIDE, MAX_SIDE = 100, 8192  # --screenshot's window; 60000x60000 (14 GB of pixels) crashed Qt


def _parse(argv):
    p = argparse.ArgumentParser(prog="backprop-studio", description="Build a computation graph and watch it learn.")
    p.add_argument("file", nargs="?", help="a graph file (.graph.json) to open")
    p.add_argument("--screenshot", metavar="OUT.png",
                   help="open FILE, lay it out, evaluate, save a picture of the window and exit")
    p.add_argument("--size", default="1400x860", help="window size for --screenshot (WIDTHxHEIGHT)")
    return p.parse_args(argv)


# Qt's offscreen platform says this once per dock on every --screenshot run; it is about a
# window-manager hint that an offscreen window has no use for, and it tells the learner nothing.
QUIET_QT_MESSAGES = ("This plugin does not support propagateSizeHints()",)


_filter_installed = False


def _install_message_filter():
    global _filter_installed
    if _filter_installed:
        return
    _filter_installed = True
    from PySide6.QtCore import qInstallMessageHandler

    def handler(mode, context, message):
        if message in QUIET_QT_MESSAGES:
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            print(message, file=sys.stderr)
    previous = qInstallMessageHandler(handler)


def make_app(argv=None):
    from PySide6.QtWidgets import QApplication
    _install_message_filter()
    app = QApplication.instance()
    if app is None:
        app = QApplication(["backprop-studio", *(argv or [])])
    app.setOrganizationName("BackpropStudio")
    app.setApplicationName("Backprop Studio")
    if STYLE.exists():
        app.setStyleSheet(STYLE.read_text(encoding="utf-8"))
    if app.platformName() in IN_PROCESS_CLIPBOARD:
        atexit.register(_empty_clipboard)
    return app


# Platforms whose clipboard lives in this process only (the tests, --screenshot). Qt 6.11
# deletes a copied QMimeData there after Python has shut down, which crashes the exit
# (exit 139 after Edit ▸ Copy); the contents die with the process anyway, so empty it first.
IN_PROCESS_CLIPBOARD = ("offscreen", "minimal")


def _empty_clipboard():
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance()
    if app is not None:
        app.clipboard().clear()


def screenshot(file: str, out: str, size: str = "1400x860") -> int:
    """Open, lay out, evaluate and render the window offscreen to ``out``; exit code as the CLI's."""
    from graphcore import fileformat, paths
    from graphcore.errors import GraphError
    from graphcore.graph import VariableRef
    from graphcore.layout import compute_layout
    from graphcore.paths import write_failure
    from .file_actions import load_for_window
    from .main_window import MainWindow
    from .panels.plots_common import png_bytes

    try:
        w, h = (int(v) for v in size.lower().split("x"))
    except ValueError:
        print(f"backprop-studio: --size must look like 1400x860, not {size!r}", file=sys.stderr)
        return 2
    if not (MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE):
        print(f"backprop-studio: --size must be from {MIN_SIDE} to {MAX_SIDE} pixels a side, not {size}",
              file=sys.stderr)
        return 2
    try:
        paths.write_target(out)  # a folder, a FIFO or a device is refused before any work
        g = load_for_window(file)
    except GraphError as exc:
        print(f"backprop-studio: {exc}", file=sys.stderr)
        return 2
    app = make_app()
    if not g.layout or len(g.layout) < len(g):
        g.layout.update(compute_layout(g))
    win = MainWindow(offer_recovery=False, remember_settings=False)
    win.resize(w, h)
    try:
        win.document.load_graph(g, str(Path(file).resolve()))
    except Exception as exc:  # a panel that cannot show this file: one line, as the CLI says it
        print(f"backprop-studio: cannot show {file}: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        win.close()
        return 2
    win.show()
    app.processEvents()
    win.document.evaluate_now()
    loss = VariableRef.box_of(g.meta.get("loss"))
    if loss is not None and loss in g:
        win.select_nodes([loss])  # the inspector shows the cost J's value and gradient
    win.view.fit()
    app.processEvents()
    win.view.fit()  # again, now that the docks have their final sizes
    app.processEvents()
    picture = win.grab()
    win.document.undo_stack.setClean()
    win.document.set_dirty(False)
    win.close()
    try:
        fileformat.atomic_write(out, png_bytes(picture))  # never a half-written picture
    except OSError as exc:
        print(f"backprop-studio: {write_failure(out, exc)}", file=sys.stderr)
        return 2
    print(out)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.screenshot is not None:  # "" too: refused as an empty name, never a window left open
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        return screenshot(args.file, args.screenshot, args.size) if args.file else _usage()
    if args.file and not os.path.exists(args.file):
        print(f"backprop-studio: no such file: {args.file}", file=sys.stderr)
        return 2
    from . import xcb_libraries
    missing = xcb_libraries.problem()  # before Qt aborts with a misleading message of its own
    if missing:
        print(missing, file=sys.stderr)
        return 2
    from . import crash
    from .main_window import MainWindow

    app = make_app()
    crash.install()
    win = MainWindow(args.file)
    win.resize(1400, 860)
    if not args.file and len(win.document.graph) == 0:
        win.lessons.show_start_page()  # no file given (and nothing recovered): the course is the way in
    win.show()
    probe = os.environ.get("BACKPROP_STUDIO_E2E_PROBE")
    if probe:  # test hook for tests/e2e: see gui/e2e_probe.py
        from . import e2e_probe
        e2e_probe.install(win, probe)
    return app.exec()


def _usage() -> int:
    print("backprop-studio: --screenshot needs a FILE to open", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
