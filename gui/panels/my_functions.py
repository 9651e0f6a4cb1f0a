"""Functions ▸ New Function…: the learner writes a Function's forward and a local derivative per
port (as MiniTorch's Module 1 has them write forward and backward); the verdict of the check —
✔ yours, sympy's and a central difference agree, or ✘ at which point with the three values —
shows in the dialog and on the palette entry. Everything is graphcore.learner's: this module
only lays it out (no modal loop: the dialog is shown, never exec'd)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout)

from graphcore import learner
from graphcore.errors import GraphError


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
        self.add_button = QPushButton("Add to palette")
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
        learner.register(fn)
        self.win.palette_panel.add_function(fn.name, f"{fn.name}({', '.join(fn.ports)}) = {fn.formula}    "
                                                     f"local derivative: {fn.derivative}", v.mark, v.text)
        self.win.show_message(f"{fn.name} added to the palette: {v.mark} {v.text}")


def install_my_functions(win):
    """The Functions menu, and the palette's "my Functions" group kept to the open graph's."""
    from PySide6.QtGui import QAction

    act = QAction("&New Function…", win)
    act.setStatusTip("Write your own Function: its forward and your local derivative, checked three ways")
    act.triggered.connect(lambda checked=False: open_dialog(win))
    win.menu("Functions").addAction(act)
    win.actions_by_name["new_function"] = act

    def show_used():
        for fn in learner.used_by(win.document.graph):
            v = learner.verdict(fn)
            win.palette_panel.add_function(fn.name, f"{fn.name}({', '.join(fn.ports)}) = {fn.formula}    "
                                                    f"local derivative: {fn.derivative}", v.mark, v.text)
    win.document.file_changed.connect(lambda path: show_used())
    show_used()


def open_dialog(win) -> NewFunctionDialog:
    dialog = NewFunctionDialog(win)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.show()
    win.new_function_dialog = dialog
    return dialog
