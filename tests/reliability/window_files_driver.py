"""Runs the real window (``gui.app.main``) in a child process for the file-path tests.

The program is not changed: this driver answers dialogs, acts as a learner would through
the window's own actions, reports each result as one JSON line on stdout, and quits.

    python window_files_driver.py open-bad SAVED BAD   edit + save SAVED, open BAD over it, save, undo
    python window_files_driver.py open PATH            open PATH (a FIFO, a device, a folder...)
    python window_files_driver.py settings FILE        read the Train/Data fields, change Epochs and Seed
    python window_files_driver.py undo-train FILE      an edit, Train, Ctrl+Z mid-run, redo/undo through
    python window_files_driver.py save-as FILE OUT     open FILE, save it as OUT
    python window_files_driver.py export FILE OUT      open FILE, export the canvas to OUT
    python window_files_driver.py export-plot FILE OUT open FILE, export the cost plot to OUT
    python window_files_driver.py copy-quit FILE       Select All, Copy, Quit
    python window_files_driver.py click-point FILE OUT click a point into the data set, Save As OUT
    python window_files_driver.py each FILE CASES      open FILE, then each [mode, path] of the JSON list
                                                       CASES in the same window (open, save-as, export,
                                                       export-plot, export-code): one start-up for many
                                                       refusals, each reported as its own line
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox  # noqa: E402

from gui import app, commands  # noqa: E402

WARNINGS: list[str] = []
KEEP_OPEN = False  # "each": the next case goes on in the same window


def say(kind: str, **fields):
    print(json.dumps({"kind": kind, **fields}), flush=True)


def record(kind):
    def box(parent, title, text, *args, **kwargs):
        WARNINGS.append(f"{title}: {text}")
        return QMessageBox.Discard if kind == "question" else QMessageBox.Ok
    return staticmethod(box)


for _kind in ("warning", "critical", "information", "question"):
    setattr(QMessageBox, _kind, record(_kind))


def window():
    from gui.main_window import MainWindow
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))


def state(win) -> dict:
    doc = win.document
    return {"path": doc.path, "title": win.windowTitle(), "boxes": sorted(doc.graph.nodes()),
            "undo_count": doc.undo_stack.count(), "undo_index": doc.undo_stack.index(), "dirty": doc.dirty,
            "warnings": list(WARNINGS)}


def finish(win):
    if KEEP_OPEN:
        return
    win.document.undo_stack.setClean()
    win.document.set_dirty(False)
    win.close()
    QApplication.quit()


def first_parameter(g) -> str:
    return next(n for n in g.nodes() if g.op(n) == "parameter")


def open_bad(saved: str, bad: str):
    win = window()
    doc = win.document
    p = first_parameter(doc.graph)
    original = doc.graph.value(p)
    doc.push(commands.SetValueCommand(doc.graph, p, 1.5))
    say("saved", ok=win.files.save(), text=Path(saved).read_text(encoding="utf-8"), **state(win))
    ok = win.files.open(bad, ask=False)
    say("opened", ok=ok, **state(win))
    doc.undo_stack.resetClean()  # as if edited since: Ctrl+S really writes
    say("saved again", ok=win.files.save(), text=Path(saved).read_text(encoding="utf-8"), **state(win))
    errors = []
    try:
        doc.undo_stack.undo()
    except Exception as exc:  # noqa: BLE001 - what the learner would see as a crash
        errors.append(f"{type(exc).__name__}: {exc}")
    say("undone", value=doc.graph.value(p), original=original, errors=errors, **state(win))
    finish(win)


def open_path(path: str):
    win = window()
    before = state(win)
    ok = win.files.open(path, ask=False)
    say("opened", ok=ok, before=before, **state(win))
    finish(win)


def save_as(file: str, out: str):
    win = window()
    QFileDialog.getSaveFileName = staticmethod(lambda *a, **k: (out, ""))
    ok = win.files.save_as()
    say("saved", ok=ok, dataset=win.document.graph.meta.get("dataset"), **state(win))
    finish(win)


def settings(file: str):
    """Read what the Train and Data fields show, then change Epochs and the data Seed as a learner would."""
    win = window()
    panel, data = win.training.panel, win.training.data_panel
    shown = {"lr": panel.lr.value(), "lr_text": panel.lr.text(), "momentum": panel.option_spins["momentum"].value(),
             "noise": data.noise.value(), "test_share": data.test_share.value()}
    panel.epochs.setValue(panel.epochs.value() + 1)
    data.seed.setValue(data.seed.value() + 1)
    g = win.document.graph
    say("changed", shown=shown, training=g.meta.get("training"), dataset=g.meta.get("dataset"), **state(win))
    finish(win)


def export_plot(file: str, out: str):
    """The cost plot's right-click Export SVG…/PNG… with OUT chosen in the file dialog."""
    import pyqtgraph as pg

    from gui.panels import plots_common
    win = window()
    plot = next(w for w in win.findChildren(pg.PlotWidget) if w.objectName() == "plot_cost")
    QFileDialog.getSaveFileName = staticmethod(lambda *a, **k: (out, ""))
    plots_common._ask_and_export(plot, "cost", out.rsplit(".", 1)[-1].upper())
    say("exported", **state(win))
    finish(win)


def copy_quit(file: str):
    """Edit ▸ Select All, Edit ▸ Copy, then close the window (File ▸ Quit)."""
    win = window()
    win.actions_by_name["select_all"].trigger()
    win.actions_by_name["copy"].trigger()
    say("copied", selected=len(win.scene.selectedItems()), **state(win))
    win.document.undo_stack.setClean()
    win.actions_by_name["quit"].trigger()


def click_point(file: str, out: str):
    """A left click on the decision boundary plot (a point of class 1), then Save As OUT."""
    win = window()
    win.training.data_panel.add_point(0.25, -0.5, 1)
    block = win.document.graph.meta.get("dataset") or {}
    QFileDialog.getSaveFileName = staticmethod(lambda *a, **k: (out, ""))
    ok = win.files.save_as()
    say("clicked", ok=ok, block_keys=sorted(block), panel_error=win.training.data_panel.error.text(), **state(win))
    finish(win)


def undo_train(file: str):
    """An edit, then Train; Ctrl+Z (the Edit menu's Undo) while it runs; then redo and undo through it all."""
    win = window()
    doc, runner, panel = win.document, win.training.runner, win.training.panel
    g = doc.graph
    params = list(g.parameters())

    def values():
        return {p: g.value(p) for p in params}
    original = values()
    doc.push(commands.SetValueCommand(g, params[0], 0.75))
    before_run = values()
    panel.epochs.setValue(10_000_000)
    panel.train_button.click()
    undo = win.actions_by_name["undo"]

    def poll():
        if runner.trainer is None or runner.trainer.epoch < 20 or values() == before_run:
            QTimer.singleShot(20, poll)
            return
        undo.trigger()  # Ctrl+Z mid-run
        after_undo = {"values": values(), "state": runner.state, "index": doc.undo_stack.index(),
                      "count": doc.undo_stack.count()}
        QTimer.singleShot(200, lambda: check(after_undo))

    def check(after_undo):
        still = values() == after_undo["values"]  # nothing trains on after the undo
        doc.undo_stack.redo()
        redone = values()
        doc.undo_stack.setIndex(0)  # back through the run, the Epochs change and the edit
        undone_edit = values()
        doc.undo_stack.setIndex(doc.undo_stack.count())
        say("undo-train", original=original, before_run=before_run, after_undo=after_undo, still=still,
            redone=redone, undone_edit=undone_edit, redone_both=values(), state=runner.state, **state(win))
        finish(win)
    QTimer.singleShot(20, poll)


def export(file: str, out: str):
    win = window()
    ok = win.files.export_image(out)
    say("exported", ok=ok, status=win.statusBar().currentMessage(), **state(win))
    finish(win)


def export_code(file: str, out: str):
    """File ▸ Export ▸ Python (numpy), without the file dialog."""
    win = window()
    ok = win.code_export.export_to("numpy", out)
    say("exported", ok=ok, status=win.statusBar().currentMessage(), **state(win))
    finish(win)


def each(file: str, cases: str):
    """Every case in one window, each with its own warnings; the window quits after the last."""
    global KEEP_OPEN
    KEEP_OPEN = True
    for mode, path in json.loads(cases):
        WARNINGS.clear()
        if mode == "open":
            open_path(path)
        else:
            ACTIONS[mode](file, path)
    KEEP_OPEN = False
    finish(window())


ACTIONS = {"save-as": save_as, "export": export, "settings": settings, "undo-train": undo_train,
           "export-plot": export_plot, "export-code": export_code, "copy-quit": copy_quit,
           "click-point": click_point, "each": each}

if __name__ == "__main__":
    app.make_app()  # the QApplication main() will reuse, so timers can be set before it runs
    mode, *rest = sys.argv[1:]
    if mode == "open-bad":
        QTimer.singleShot(0, lambda: open_bad(*rest))
        sys.exit(app.main([rest[0]]))
    if mode == "open":
        QTimer.singleShot(0, lambda: open_path(*rest))
        sys.exit(app.main([]))
    QTimer.singleShot(0, lambda: ACTIONS[mode](*rest))
    sys.exit(app.main([rest[0]]))
