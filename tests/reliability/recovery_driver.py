"""Runs the real window (``gui.app.main``) in a child process for the crash-recovery test.

Nothing in the program is changed for the test: this driver shortens the autosave
interval, answers the recovery question "Yes" and reports what it did on stdout, all
from outside, then hands control to the program's own ``main()``.

    python recovery_driver.py edit [NAME]  make edits (the last names the graph NAME), report after each
                                           autosave, wait to be killed
    python recovery_driver.py recover   accept the recovery offer, report the graph, save it, quit
"""
from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from gui import app, commands, file_actions  # noqa: E402

file_actions.AUTOSAVE_MS = 200


def say(kind: str, **fields):
    print(json.dumps({"kind": kind, **fields}), flush=True)


def window():
    from gui.main_window import MainWindow
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))


def edit_batches(win, name: str = "my lesson"):
    """Three rounds of edits, each as a learner would make them (palette, wires, inspector)."""
    doc, edit = win.document, win.edit

    def first():
        x = edit.add_box("parameter", QPointF(0, 0))
        y = edit.add_box("parameter", QPointF(0, 120))
        m = edit.add_box("mul", QPointF(200, 60))
        doc.push(commands.ConnectCommand(doc.graph, x, m, 0))
        doc.push(commands.ConnectCommand(doc.graph, y, m, 1))
        doc.push(commands.SetValueCommand(doc.graph, x, 2.5))

    def second():
        s = edit.add_box("sigmoid", QPointF(400, 60))
        doc.push(commands.ConnectCommand(doc.graph, "mul", s, 0))
        doc.push(commands.RenameCommand(doc.graph, "parameter", "w₁ (weight)"))
        doc.push(commands.SetMetaCommand(doc.graph, "loss", s))

    def third():
        doc.push(commands.MoveCommand(doc.graph, {"mul": doc.graph.layout["mul"]}, {"mul": (240.0, 80.0)}))
        doc.push(commands.SetValueCommand(doc.graph, "parameter1", -1.25))
        doc.push(commands.SetMetaCommand(doc.graph, "name", name))
    return [first, second, third]


def run_edit(name: str = "my lesson"):
    batches = []

    def start():
        win = window()
        batches.extend(edit_batches(win, name))
        real_autosave = win.files.autosave

        def autosave():
            was_dirty = win.document.dirty
            real_autosave()
            if was_dirty and window().files.recovery_path().exists():
                say("autosaved", text=window().files.recovery_path().read_text(encoding="utf-8"),
                    graph=win.document.dumps())
                if batches:
                    batches.pop(0)()  # the next round of edits, after this autosave
                else:
                    say("done")
        win.files.timer.timeout.disconnect()
        win.files.timer.timeout.connect(autosave)
        batches.pop(0)()
        say("started", data_dir=str(window().files.recovery_path().parent))
    QTimer.singleShot(0, start)
    return app.main([])


def run_recover(save_to: str):
    asked = []

    def question(*args, **kwargs):
        asked.append(args[2] if len(args) > 2 else "")
        return QMessageBox.Yes
    QMessageBox.question = staticmethod(question)

    def check():
        win = window()
        say("recovered", asked=asked, graph=win.document.dumps(), dirty=win.document.dirty,
            recovery_exists=window().files.recovery_path().exists())
        ok = win.files._write(save_to)  # what Save does once the learner picked a file
        say("saved", ok=ok, recovery_exists=window().files.recovery_path().exists(), dirty=win.document.dirty)
        win.close()
    QTimer.singleShot(0, check)
    return app.main([])


if __name__ == "__main__":
    app.make_app()  # the QApplication main() will reuse, so timers can be set before it runs
    mode = sys.argv[1]
    sys.exit(run_edit(*sys.argv[2:3]) if mode == "edit" else run_recover(sys.argv[2]))
