"""Insert ▸ Network… and Insert ▸ Expression…: a network by its shape (graphcore.network), or
the boxes of a formula (graphcore.expr), dropped into the open graph as groups, one undo step.

A refused shape or formula is said in one line inside the dialog, which stays open with what
was typed; the graph is not touched. The dialogs are shown, never exec'd (no modal loop).
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QSpinBox,
                               QVBoxLayout)

from graphcore.builder import ACTIVATIONS
from graphcore.errors import GraphError
from graphcore.expr import from_expr
from graphcore.groups import groups_of
from graphcore.lessons import collapsed_layers
from graphcore.network import HEADS, MAX_UNITS, NetworkSpec, build_network

from .insert_grouped import insert_piece
from .panels.stable_size import MessageLabel

INPUT_VALUE = 0.5  # inputs of a graph with no data set get a value, so the network evaluates at once
LABEL_VALUE = 1.0


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


def _dataset(window):
    try:
        return window.document.dataset()
    except Exception:  # an unreadable data set is said elsewhere; here it only means "no columns"
        return None


class _InsertDialog(QDialog):
    """A form, a one-line message, Insert and Cancel."""

    def __init__(self, window, title: str):
        super().__init__(window)
        self.window = window
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.form = QFormLayout()
        self.message = MessageLabel(lines=2)
        self.message.setObjectName("InsertMessage")
        self.message.setStyleSheet("color: #B00020;")
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Insert")
        buttons.accepted.connect(self.insert)
        buttons.rejected.connect(self.close)
        self.buttons = buttons
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self.inserted = None  # the InsertGroupedCommand, once done
        self.at = None  # scene (x, y) where the piece goes (open_dialog: the cursor); None: beside the graph

    def insert(self):
        try:
            piece, text = self.make()
        except GraphError as exc:
            self.message.setText(str(exc))
            return
        cmd = insert_piece(self.window, piece, text, self.at)
        if cmd is None:
            self.message.setText(self.window.statusBar().currentMessage())
            return
        self.inserted = cmd
        self.close()


class NetworkDialog(_InsertDialog):
    def __init__(self, window):
        super().__init__(window, "Insert Network")
        ds = _dataset(window)
        columns = ds.features if ds is not None and ds.features else ["x1", "x2"]
        classes = ds.n_classes if ds is not None else 2
        self.inputs = QLineEdit(", ".join(columns), objectName="NetworkInputs")
        self.inputs.setToolTip("The data columns the network reads, separated by commas")
        self.hidden = QLineEdit("10", objectName="NetworkHidden")
        self.hidden.setToolTip(f"Units in each hidden layer, separated by commas (1 … {MAX_UNITS} each)")
        self.activations = QLineEdit("relu", objectName="NetworkActivations")
        self.activations.setToolTip(f"One per hidden layer, or one for all: {', '.join(ACTIVATIONS)}")
        self.head = QComboBox(objectName="NetworkHead")
        for key, (_, _, text) in HEADS.items():
            self.head.addItem(text, key)
        self.head.setCurrentIndex(list(HEADS).index("softmax_ce" if classes > 2 else "sigmoid_bce"))
        self.classes = QSpinBox(objectName="NetworkClasses")
        self.classes.setRange(2, MAX_UNITS)
        self.classes.setValue(max(classes, 2))
        self.seed = QSpinBox(objectName="NetworkSeed")
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setToolTip("The starting weights are drawn from this seed: the same seed, the same start")
        for label, w in (("Inputs (data columns)", self.inputs), ("Hidden layer sizes", self.hidden),
                         ("Activation per layer", self.activations), ("Output", self.head),
                         ("Classes", self.classes), ("Initialisation seed", self.seed)):
            self.form.addRow(label, w)
        self.head.currentIndexChanged.connect(self._classes_shown)
        self._classes_shown()

    def _classes_shown(self):
        self.classes.setEnabled(self.head.currentData() == "softmax_ce")

    def spec(self) -> NetworkSpec:
        hidden = []
        for t in _split(self.hidden.text()):
            try:
                hidden.append(int(t))
            except ValueError:
                raise GraphError(f"layer size '{t}' is not a whole number") from None
        return NetworkSpec(inputs=_split(self.inputs.text()), hidden=hidden,
                           activations=_split(self.activations.text()) or ["relu"], head=self.head.currentData(),
                           classes=self.classes.value(), seed=self.seed.value()).checked()

    def make(self):
        spec = self.spec()
        piece = collapsed_layers(build_network(spec))  # as the network lessons open: one box per layer
        if _dataset(self.window) is None:
            for n in piece.inputs():
                piece.set_value(n, LABEL_VALUE if piece.column(n) == "y" else INPUT_VALUE)
        return piece, f"Insert network {spec.describe()}"


class ExpressionDialog(_InsertDialog):
    def __init__(self, window):
        super().__init__(window, "Insert Expression")
        self.expression = QLineEdit("sigmoid(w1*x1 + w2*x2 + b)", objectName="ExpressionText")
        self.expression.setToolTip("Numbers, names, + − × ÷ **, and the Functions by name, e.g. "
                                   "bce(sigmoid(w*x1 + b), y). Names x1, x2, … and y (or the data "
                                   "set's columns) are inputs; every other name is a parameter.")
        self.expression.setMinimumWidth(380)
        self.form.addRow("Expression", self.expression)
        self.expression.textEdited.connect(lambda _t: self.message.setText(""))

    def make(self):
        ds = _dataset(self.window)
        inputs = list(ds.columns) if ds is not None else None
        piece = from_expr(self.expression.text(), inputs)
        name = piece.meta.get("name") or "expression"
        inner = [n for n in piece.nodes() if piece.op(n) != "input"]  # the data stays outside: ports a₁…
        if inner:
            groups_of(piece).add(name, inner)
        return piece, f"Insert {name}"


def open_dialog(window, kind, at=None) -> _InsertDialog:
    """Show the dialog; what it makes goes at ``at`` (a scene point; default: the canvas's
    drop point — under the mouse, the last click, or the middle of the view)."""
    dialog = kind(window)
    point = at if at is not None else window.view.drop_point()
    dialog.at = (point.x(), point.y())
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.show()
    return dialog


def install_insert_menu(window):
    """The Insert menu (before Help): Network… and Expression…."""
    from PySide6.QtGui import QAction

    menu = window.menu("Insert")
    for key, text, tip, kind in (
            ("insert_network", "&Network…", "A grouped network by its shape: inputs, layers, activations, output",
             NetworkDialog),
            ("insert_expression", "&Expression…", "The boxes of a formula such as sigmoid(w1*x1 + w2*x2 + b)",
             ExpressionDialog)):
        act = QAction(text, window)
        act.setStatusTip(tip)
        act.triggered.connect(lambda checked=False, k=kind: open_dialog(window, k))
        menu.addAction(act)
        window.actions_by_name[key] = act
    window.view.background_menu_requested.connect(lambda at, screen: _background_menu(window, at, screen))


def _background_menu(window, at, screen):
    """Right-click on the empty canvas: insert a network or an expression right there."""
    from PySide6.QtWidgets import QMenu

    menu = QMenu(window)
    menu.setAttribute(Qt.WA_DeleteOnClose)
    for text, kind in (("Insert &Network here…", NetworkDialog), ("Insert &Expression here…", ExpressionDialog)):
        menu.addAction(text).triggered.connect(lambda checked=False, k=kind: open_dialog(window, k, at))
    menu.popup(screen)  # popup, not exec: no modal loop
