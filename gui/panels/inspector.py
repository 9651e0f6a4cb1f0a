"""The inspector: the selected box's op, label, attributes, value and gradient (or the
selected arrow's value and gradient). Edits go through undo commands."""
from __future__ import annotations


import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QHBoxLayout, QVBoxLayout, QWidget

from graphcore import functions as F
from graphcore.exercise import cost_is_hidden, lesson_of
from graphcore.graph import VariableRef

from .. import commands as C
from ..canvas.node_item import IGNORED_HINT
from ..canvas.style import short_number
from ..plain_text import escaped, plain_label


def summary(v) -> str:
    """A scalar as a number; per-sample values as shape, mean, min and max."""
    if v is None:
        return "—"
    a = np.asarray(v)
    if a.ndim == 0:
        return short_number(float(a))
    if a.size == 0:
        return "empty"
    return (f"{a.size} samples: mean {short_number(float(a.mean()))}\n"
            f"min {short_number(float(a.min()))}, max {short_number(float(a.max()))}")


class InspectorPanel(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.doc = window.document
        self.node = None
        self.edge = None
        self.several = None
        self.title = QLabel("Nothing selected")
        self.title.setTextFormat(Qt.RichText)  # bold label: the user's text in it is escaped
        self.title.setObjectName("InspectorTitle")
        self.title.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.formula = plain_label()
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.loss_btn = QPushButton("Set as cost J")
        self.output_btn = QPushButton("Set as output")
        self.loss_btn.clicked.connect(lambda: self._set_meta("loss"))
        self.output_btn.clicked.connect(lambda: self._set_meta("output"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.loss_btn)
        buttons.addWidget(self.output_btn)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.formula)
        lay.addLayout(self.form)
        lay.addLayout(buttons)
        lay.addStretch(1)
        self.fields: dict[str, QLineEdit] = {}
        # Rebuilt a moment after a change, never inside a field's own signal (that would delete it mid-call).
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._rebuild)
        self.value_label, self.grad_label = _number_label(), _number_label()
        self.setMinimumWidth(220)
        self.doc.changed.connect(self.refresh)
        self._live_cost: str | None = None  # a training run's J, until the graph is evaluated again
        self._stepping = None  # a step-through's overlay: numbers it has not reached stay hidden
        self.doc.evaluated.connect(self._on_evaluated)
        self.doc.evaluation_failed.connect(lambda m, n: self.refresh())
        self.show_selection([], [])

    def show_selection(self, nodes, edges):
        self.node = nodes[0] if len(nodes) == 1 else None
        self.edge = edges[0] if len(edges) == 1 and not nodes else None
        # several things selected: say what, by label (ids only when labels clash)
        self.several = (list(nodes), list(edges)) if self.node is None and self.edge is None else None
        self._rebuild()

    def _clear_form(self):
        while self.form.rowCount():
            self.form.removeRow(0)
        self.value_label, self.grad_label = _number_label(), _number_label()
        self.fields = {}

    def refresh(self):
        self._timer.start()

    def _on_evaluated(self, _ev):
        self._live_cost = None
        self.refresh()

    def show_step_through(self, overlay):
        """During a step-through show only what it has computed so far (None: all of it)."""
        self._stepping = overlay if overlay is not None and overlay.known_values is not None else None
        self.refresh()

    def show_training_cost(self, cost: float, epoch: int):
        """During a run the evaluation waits for a quiet moment: the run's J is the live one."""
        self._live_cost = f"cost J = {short_number(cost)}   (epoch {epoch})"
        if self.node is None and self.edge is None:
            self.formula.setText(self._live_cost)

    def _rebuild(self):
        g = self.doc.graph
        if self.node is not None and self.node not in g:
            self.node = None
        if self.edge is not None and self.edge not in g.edges():
            self.edge = None
        focused = next((k for k, w in self.fields.items() if w.hasFocus()), None)
        if focused:
            return  # do not pull the text out from under the learner's cursor
        self._clear_form()
        self.loss_btn.setVisible(self.node is not None)
        self.output_btn.setVisible(self.node is not None)
        if self.node is not None:
            self._show_node(g, self.node)
        elif self.edge is not None:
            e = self.edge
            port = g.function(e.dst).input_names(g.attrs(e.dst))[e.port]
            self.title.setText(escaped(f"Variable arrow {g.box_name(e.src)} → {g.box_name(e.dst)}, input {port}"))
            self.formula.setText("")
            key = g.variable_keys(e.src)[e.out] if g.n_outputs(e.src) > 1 else e.src
            self._show_numbers(key)
        else:
            self.title.setText(self._several_title(g))
            cost = self.doc.evaluation.cost if self.doc.evaluation is not None else None
            text = f"cost J = {short_number(cost)}" if cost is not None else (self.doc.error or "")
            if cost is not None and cost_is_hidden(g):
                text = "cost J = ?   (hidden until its task is done)"
            loss = g.meta.get("loss")
            loss = VariableRef.box_of(loss)
            if self._stepping is not None and cost is not None and loss not in self._stepping.known_values:
                text = "cost J = ?   (step-through)"  # as in the status bar: J is not computed yet
            self.formula.setText(self._live_cost or text)

    def _several_title(self, g) -> str:
        """"Nothing selected", or what a multi-selection holds: "3 boxes selected: a, b, c"."""
        nodes, edges = self.several or ([], [])
        nodes = [n for n in nodes if n in g]
        if not nodes and not edges:
            return "Nothing selected"
        parts = [f"{len(nodes)} box{'es' if len(nodes) != 1 else ''}"] if nodes else []
        if edges:
            parts.append(f"{len(edges)} arrow{'s' if len(edges) != 1 else ''}")
        title = " and ".join(parts) + " selected"
        if nodes:
            names = [g.box_name(n) for n in nodes[:MANY_NAMES]]
            more = f", … (+{len(nodes) - MANY_NAMES})" if len(nodes) > MANY_NAMES else ""
            title += ": " + ", ".join(names) + more
        return escaped(title)

    def _show_node(self, g, nid):
        op = g.op(nid)
        fn = F.get(op)
        # box_name: the label, with the id only when another box shares the label
        lesson = lesson_of(g)
        locked = lesson is not None and nid in lesson.locks
        lock = " &nbsp; <span style='color:#B42318'>locked by the exercise</span>" if locked else ""
        self.title.setText(f"<b>{escaped(g.box_name(nid))}</b> &nbsp; <span style='color:#6B7280'>{op}</span>{lock}")
        self.formula.setText(F.describe(op))
        self._field("label", g.node(nid).get("label") or "", lambda t: C.RenameCommand(g, nid, t.strip()))
        if op in F.SOURCE_OPS and not (lesson is not None and nid in lesson.hidden_now()):  # hidden: no "value" field
            v = g.value(nid)
            self._field("value", "" if v is None else repr(v), lambda t: C.SetValueCommand(g, nid, _number(t, op)))
        if op == "input":
            self._field("column", g.column(nid) or "", lambda t: C.SetColumnCommand(g, nid, t.strip()))
        attrs = g.node(nid).get("attrs") or {}
        for a in fn.attrs:
            cur = attrs.get(a.name, a.default)
            self._field(a.name, "" if cur is None else str(cur),
                        lambda t, key=a.name, kind=a.kind: C.SetAttrCommand(g, nid, key, _attr(t, kind)))
        key = g.variable_keys(nid)
        self._show_numbers(key[0] if len(key) == 1 else None, key)

    def _show_numbers(self, key, keys=None):
        ev = self.doc.evaluation
        keys = keys or [key]
        vals, grads = [], []
        for k in keys:
            if ev is not None and k in ev.plan.slot_of and ev.values[ev.plan.slot_of[k]] is not None:
                prefix = f"{k}: " if len(keys) > 1 else ""
                vals.append(prefix + summary(ev.value(k)))
                g = ev.grad(k)
                grads.append(prefix + (summary(g) if g is not None else "—"))
        owner = VariableRef.box_of(keys[0]) if keys else None
        ignored = ev is not None and owner in ev.plan.ignored
        step = self._stepping
        if step is not None and vals:  # the step-through has not computed these yet: no spoilers
            if owner not in step.known_values:
                vals = [NOT_YET]
            if step.known_grads is None or owner not in step.known_grads:
                grads = [NOT_YET]
        lesson = lesson_of(self.doc.graph)
        if vals and lesson is not None and owner in lesson.hidden_now():  # the exercise hides it for now
            vals = grads = ["? (hidden until its task is done)"]
        self.value_label.setText("\n".join(vals) or (IGNORED_HINT if ignored else "not evaluated"))
        self.grad_label.setText("\n".join(grads) or "— (no cost J on this path)")
        self.form.addRow("value v", self.value_label)
        self.form.addRow("gradient dJ/dv", self.grad_label)

    def _field(self, name, text, make_command):
        edit = QLineEdit(text)
        edit.setObjectName(f"inspector_{name}")
        self.fields[name] = edit

        def commit():
            if edit.text() == text:
                return
            try:
                err = self.doc.push(make_command(edit.text()))
            except ValueError as exc:
                err = str(exc)
            if err:
                self.window.show_message(err)
                edit.setText(text)
            edit.clearFocus()
            self.refresh()
        edit.editingFinished.connect(commit)
        self.form.addRow(name, edit)

    def _set_meta(self, key):
        if self.node is None:
            return
        text = "Set cost J" if key == "loss" else "Set output"
        name = self.doc.graph.box_name(self.node)
        err = self.doc.push(C.SetMetaCommand(self.doc.graph, key, self.node, f"{text} to {name}"))
        if err:
            self.window.show_message(err)


MANY_NAMES = 8  # a multi-selection's title names this many boxes, then counts the rest
NOT_YET = "? (the step-through has not computed it yet)"


def _number_label() -> QLabel:
    """Wraps, so long per-sample summaries never widen the inspector's column."""
    label = plain_label()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


def _number(text, op):
    text = text.strip()
    if not text and op == "input":
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a number") from None


def _attr(text, kind):
    text = text.strip()
    if not text:
        return None
    try:
        return int(text) if kind is int else float(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a {'whole ' if kind is int else ''}number") from None
