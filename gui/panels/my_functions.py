"""Functions ▸ New Function…: the learner writes a Function's forward and a local derivative per
port (as MiniTorch's Module 1 has them write forward and backward); the verdict of the check —
✔ yours, sympy's and a central difference agree, or ✘ at which point with the three values —
shows in the dialog and on the palette entry. Added Functions are kept in the learner's
library (graphcore.learner_library, a file in the data folder), listed in every later window.
Everything is graphcore's: this module only lays it out (no modal loop: the dialog is shown,
never exec'd; the palette's context menu pops up)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout)

from graphcore import learner
from graphcore.errors import GraphError
from graphcore.learner_library import Library

from ..crash import data_dir

LIBRARY_FILE = "my_functions.json"


class NewFunctionDialog(QDialog):
    def __init__(self, win):
        super().__init__(win)
        self.win = win
        self.setWindowTitle("New Function")
        self.setMinimumWidth(560)  # room for an expression and the verdict's three values
        self.name = QLineEdit("my_swish", objectName="FunctionName")
        self.ports = QLineEdit("x", objectName="FunctionPorts")
        self.forward = QLineEdit("x*sigmoid(x)", objectName="FunctionForward")
        self.form = QFormLayout()
        self.form.addRow("Name", self.name)
        self.form.addRow("Input ports", self.ports)
        self.form.addRow("Forward", self.forward)
        self.derivatives: dict[str, QLineEdit] = {}
        self.verdict = QLabel(objectName="FunctionVerdict", wordWrap=True)
        self.verdict.setTextInteractionFlags(Qt.TextSelectableByMouse)
        buttons = QDialogButtonBox()
        self.check_button = QPushButton("Check")
        self.add_button = QPushButton("Add to my Functions")
        buttons.addButton(self.check_button, QDialogButtonBox.ActionRole)
        buttons.addButton(self.add_button, QDialogButtonBox.AcceptRole)
        buttons.addButton(QDialogButtonBox.Close)
        self.check_button.clicked.connect(self.check)
        self.add_button.clicked.connect(self.add)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.verdict)
        lay.addWidget(buttons)
        self.ports.textChanged.connect(self._port_rows)
        self._port_rows()

    def port_names(self) -> list[str]:
        return [p.strip() for p in self.ports.text().split(",") if p.strip()]

    def _port_rows(self):
        """One derivative field per port, keeping what was typed for ports that stay."""
        old = {p: e.text() for p, e in self.derivatives.items()}
        for edit in self.derivatives.values():
            self.form.removeRow(edit)
        self.derivatives = {}
        for p in self.port_names()[:learner.MAX_PORTS]:
            edit = QLineEdit(old.get(p, "sigmoid(x)*(1 + x*(1 - sigmoid(x)))" if p == "x" and not old else ""))
            edit.setObjectName(f"Derivative_{p}")
            self.form.addRow(f"∂ out / ∂ {p}  (your local derivative)", edit)
            self.derivatives[p] = edit

    def define(self):
        return learner.define(self.name.text().strip(), self.port_names(), self.forward.text(),
                              {p: e.text() for p, e in self.derivatives.items()})

    def check(self):
        """The verdict, or the one-line refusal; returns (Function, Verdict) or None."""
        try:
            fn = self.define()
        except GraphError as exc:
            self.verdict.setText(f"✘ {exc}")
            return None
        v = learner.verdict(fn)
        self.verdict.setText(f"{v.mark} {v.text}")
        return fn, v

    def add(self):
        checked = self.check()
        if checked is None:
            return
        fn, v = checked
        library = self.win.function_library
        try:  # the library's own old definition may be replaced; the open graph's may not
            (fn,) = learner.register_all([fn], ignore=library, also=[self.win.document.graph])
        except GraphError as exc:
            self.verdict.setText(f"✘ {exc}")
            return
        kept = library.add(fn)
        show_function(self.win, fn)
        where = "the palette and your library" if kept else \
            "the palette for this session (your library file could not be read, so it was left as it is)"
        self.win.show_message(f"{fn.name} added to {where}: {v.mark} {v.text}")


def show_function(win, fn):
    v = learner.verdict(fn)
    win.palette_panel.add_function(fn.name, f"{fn.name}({', '.join(fn.ports)}) = {fn.formula}    "
                                            f"local derivative: {fn.derivative}", v.mark, v.text)


def remove_from_library(win, name: str):
    kept = win.function_library.remove(name)
    used = any(fn.name == name for fn in learner.used_by(win.document.graph))
    if not used:
        win.palette_panel.remove_function(name)
    note = " (the open graph still uses it)" if used else ""
    if not kept:
        note += "; your library file could not be read, so it was left as it is"
    win.show_message(f"{name} removed from your library{note}")


def load_library(win) -> Library:
    """The learner's library, listed under My Functions; a file it cannot read is reported in
    one line and left untouched, and the window carries on without it."""
    library = Library(data_dir() / LIBRARY_FILE)
    try:
        notes = library.load()
    except GraphError as exc:
        notes = [str(exc)]
    for fn in library.functions.values():
        show_function(win, fn)
    if notes:
        win.show_message(f"Your library of Functions: {notes[0]}", 30_000)  # said at start-up: stays a while
    return library


def install_my_functions(win) -> Library:
    """The Functions menu, and the palette's "My Functions" group: the learner's library and
    the open graph's own. Returns the library (the window keeps it as ``function_library``)."""
    from PySide6.QtGui import QAction

    act = QAction("&New Function…", win)
    act.setStatusTip("Write your own Function: its forward and your local derivative, checked three ways")
    act.triggered.connect(lambda checked=False: open_dialog(win))
    win.menu("Functions").addAction(act)
    win.actions_by_name["new_function"] = act

    def show_used():
        for fn in learner.used_by(win.document.graph):
            show_function(win, fn)
    library = load_library(win)
    win.palette_panel.remove_requested.connect(lambda name: remove_from_library(win, name))
    win.document.file_changed.connect(lambda path: show_used())
    show_used()
    return library


def open_dialog(win) -> NewFunctionDialog:
    dialog = NewFunctionDialog(win)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.show()
    return dialog
