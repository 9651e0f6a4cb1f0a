"""The step-through dock: transport buttons, timeline, speed, sample selector, the chain-rule
text for the current step, the colour legend, and quiz mode."""
from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QScrollArea, QSizePolicy, QSlider, QSpinBox, QTextBrowser,
                               QToolButton, QVBoxLayout, QWidget)

from graphcore.exercise import lesson_of
from graphcore.graph import VariableRef

from ..canvas.overlay import BACKWARD_COLOR, CURRENT_COLOR, DONE_COLOR, FORWARD_COLOR
from ..stepper.controller import StepperController
from ..stepper.quiz import step_lines, tolerance_text
from ..plain_text import plain_label
from .stable_size import MessageLabel

TRANSPORT = ("start_forward", "step_back", "play", "step_forward", "end_forward", "start_backward", "end_backward")


def _legend_html() -> str:
    items = ((FORWARD_COLOR, "forward value"), (BACKWARD_COLOR, "gradient dJ/dv"),
             (CURRENT_COLOR, "current box"), (DONE_COLOR, "done in this phase"))
    return "&nbsp;&nbsp;".join(f"<span style='color:{c}; font-size:14px'>■</span>&nbsp;{t}" for c, t in items)


HIDDEN_STEP = "  (this step's numbers are hidden by the exercise until its task is done)"


def hides_numbers(graph, step) -> bool:
    """Does this step show a number of a box the exercise hides (its own, or an input's)?"""
    lesson = lesson_of(graph)
    hidden = lesson.hidden_now() if lesson is not None else set()
    boxes = {step.node} | {VariableRef.box_of(str(key)) for _, key, _, _ in step.inputs}
    return bool(hidden & boxes)


class StepperPanel(QWidget):
    def __init__(self, controller: StepperController, parent=None):
        super().__init__(parent)
        self.controller = controller
        self.setObjectName("StepperPanel")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        sample_row = self._build_sample_row(controller)
        lay.addLayout(sample_row)
        lay.addLayout(self._build_transport(controller, sample_row))
        lay.addLayout(self._build_timeline(controller))
        self.legend = QLabel(_legend_html())
        self.legend.setTextFormat(Qt.RichText)
        lay.addWidget(self.legend)
        self.message = MessageLabel(lines=2)
        self.message.setStyleSheet("color: #B00020;")
        self.message.hide()
        lay.addWidget(self.message)
        lay.addWidget(self._build_chain(), 1)
        lay.addWidget(self._build_quiz())
        self.answer_edits: list[QLineEdit] = []
        self._form_for = None
        self._connect(controller)
        self._syncing = False
        self._on_sequence()
        self.update_view()

    def _build_sample_row(self, controller) -> QHBoxLayout:
        """Which sample the numbers are for, and the Level (box or group)."""
        row = QHBoxLayout()
        row.addWidget(QLabel("Numbers for:"))
        self.mode = QComboBox()
        self.mode.addItems(["whole batch (means)", "one sample"])
        self.mode.setToolTip("Step through with one training point's numbers, or the batch means with their spread")
        self.sample_spin = QSpinBox()
        self.sample_spin.setPrefix("sample ")
        self.sample_spin.setToolTip("Which training point (0 is the first); a click on the decision-boundary "
                                    "plot picks one too")
        row.addWidget(self.mode)
        row.addWidget(self.sample_spin)
        self.level = QComboBox()
        self.level.setObjectName("StepLevel")
        self.level.addItem("Level: box", "box")
        self.level.addItem("Level: group", "group")
        self.level.setToolTip("Box: every box is a step. Group: each group (a layer, a neuron) is one step "
                              "forward (its output vector) and one backward (its Jacobian, downstream = Jᵀ · "
                              "upstream); a graph without groups steps box by box")
        self.level.currentIndexChanged.connect(lambda _i: controller.set_level(self.level.currentData()))
        row.addWidget(self.level)
        row.addStretch(1)
        return row

    def _build_transport(self, controller, sample_row) -> QHBoxLayout:
        """Buttons from the controller's actions: stepping on one row, the jumps to the backward
        pass on the sample row, so the dock fits under a laptop's canvas."""
        row = QHBoxLayout()
        self.buttons = {}
        for key in TRANSPORT:
            b = QToolButton()
            b.setDefaultAction(controller.actions[key])
            b.setToolButtonStyle(Qt.ToolButtonTextOnly)
            (sample_row if key.endswith("backward") else row).addWidget(b)
            self.buttons[key] = b
        row.addStretch(1)
        return row

    def _build_timeline(self, controller) -> QHBoxLayout:
        row = QHBoxLayout()
        self.slider = QSlider(Qt.Horizontal)
        self.slider.setToolTip("Timeline: drag to any step")
        self.slider.setMinimum(-1)
        self.position = plain_label()
        self.position.setMinimumWidth(170)
        self.speed = QDoubleSpinBox()
        self.speed.setRange(0.25, 20.0)
        self.speed.setSingleStep(0.5)
        self.speed.setSuffix(" steps/s")
        self.speed.setValue(controller.speed)
        self.speed.setToolTip("Play speed")
        row.addWidget(self.slider, 1)
        row.addWidget(self.position)
        row.addWidget(self.speed)
        return row

    def _build_chain(self) -> QTextBrowser:
        """The chain rule for the current step."""
        self.chain = QTextBrowser()
        self.chain.setObjectName("ChainRule")
        mono = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        mono.setStyleHint(QFont.Monospace)
        self.chain.setFont(mono)
        self.chain.setLineWrapMode(QTextBrowser.NoWrap)
        self.chain.setMinimumHeight(80)  # it gives way to a message or the quiz; the dock keeps its size
        return self.chain

    def _build_quiz(self) -> QGroupBox:
        self.quiz_box = QGroupBox("Quiz")
        q = QVBoxLayout(self.quiz_box)
        self.quiz_check = QCheckBox("Quiz me: type what each step computes before it is shown")
        q.addWidget(self.quiz_check)
        self.quiz_form_host = QWidget()
        self.quiz_form = QFormLayout(self.quiz_form_host)
        self.quiz_form.setContentsMargins(0, 0, 0, 0)
        q.addWidget(self.quiz_form_host)
        row = QHBoxLayout()
        self.check_button = QPushButton("Check")
        self.reveal_button = QPushButton("Show me")
        row.addWidget(self.check_button)
        row.addWidget(self.reveal_button)
        row.addStretch(1)
        q.addLayout(row)
        self.quiz_result = plain_label()
        self.quiz_result.setWordWrap(True)
        self.quiz_result.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.tally = plain_label()
        q.addWidget(self.quiz_result)
        q.addWidget(self.tally)
        self.quiz_box.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)
        return self.quiz_box

    def _connect(self, controller):
        self.mode.currentIndexChanged.connect(self._on_mode)
        self.sample_spin.valueChanged.connect(self._on_sample)
        self.slider.valueChanged.connect(self._on_slider)
        self.speed.valueChanged.connect(controller.set_speed)
        self.quiz_check.toggled.connect(controller.set_quiz_mode)
        self.check_button.clicked.connect(self.submit_answers)
        self.reveal_button.clicked.connect(controller.reveal)
        controller.changed.connect(self.update_view)
        controller.sequence_changed.connect(self._on_sequence)
        controller.failed.connect(self._on_failed)

    # --- the sample -----------------------------------------------------------------------
    def select_sample(self, i: int | None):
        """One training point (None: the whole batch) — e.g. from a click on the decision-boundary plot."""
        self.controller.select_sample(i)

    def _on_mode(self, mode: int):
        if self._syncing:
            return
        self.controller.select_sample(self.sample_spin.value() if mode == 1 else None)

    def _on_sample(self, i: int):
        if not self._syncing and self.mode.currentIndex() == 1:
            self.controller.select_sample(i)

    def _on_sequence(self):
        c = self.controller
        self._syncing = True
        try:
            m = c.sample_count() if c.sequence is not None or c.error else 0
            self.sample_spin.setRange(0, max(0, m - 1))
            self.mode.setEnabled(m > 0)
            self.mode.setToolTip("" if m else "The graph has no data set: its input boxes' values are used")
            self.mode.setCurrentIndex(1 if c.sample is not None else 0)
            if c.sample is not None:
                self.sample_spin.setValue(c.sample)
            self.sample_spin.setEnabled(m > 0 and c.sample is not None)
            self.slider.setMaximum(max(-1, len(c) - 1))
        finally:
            self._syncing = False
        if c.sequence is not None:
            self.message.hide()

    def _on_failed(self, text: str, nodes: list):
        self.message.setText(text)
        self.message.show()

    # --- moving -------------------------------------------------------------------------
    def _on_slider(self, value: int):
        if not self._syncing:
            self.controller.go_to(value)

    def update_view(self):
        c = self.controller
        self._syncing = True
        try:
            self.slider.setMaximum(max(-1, len(c) - 1))
            self.slider.setValue(c.index)
        finally:
            self._syncing = False
        step = c.current()
        if c.sequence is None:
            self.position.setText("—")
            self.chain.setPlainText(c.error or "Step forward (F10) to start the step-through.")
        elif step is None:
            self.position.setText(f"ready · {len(c)} steps")
            self.chain.setHtml(self._ready_html())
        else:
            self.position.setText(f"step {c.index + 1} of {len(c)} · {step.phase}")
            self.chain.setHtml(self._step_html(step, reveal=not c.pending))
        self._update_quiz()

    def chain_text(self) -> str:
        """The chain-rule panel as plain text (what the learner reads)."""
        return self.chain.toPlainText()

    def _ready_html(self) -> str:
        seq = self.controller.sequence
        if hasattr(seq, "summary"):  # group level
            return (f"<p>{html.escape(seq.summary())}</p><p>{html.escape(seq.describe_numbers())}.</p>"
                    "<p>Step forward (F10) or Play (F9).</p>")
        flat = " (the graph has no groups, so box by box)" if self.controller.level == "group" else ""
        return (f"<p>{len(seq)} steps{flat}: every box forward, then backward from the cost.</p>"
                f"<p>{html.escape(seq.describe_numbers())}.</p><p>Step forward (F10) or Play (F9).</p>")

    def _step_html(self, step, reveal: bool) -> str:
        out = []
        lines = step_lines(step, reveal)
        if hides_numbers(self.controller.graph, step):
            lines = lines[:1] + [HIDDEN_STEP]
        for i, line in enumerate(lines):
            text = html.escape(line)
            if i == 0:
                color = FORWARD_COLOR if step.phase == "forward" else BACKWARD_COLOR
                text = f"<b style='color:{color}'>{text}</b>"
            elif "downstream" in line or "upstream:" in line or "seed:" in line or "arrived:" in line:
                text = f"<span style='color:{BACKWARD_COLOR}'>{text}</span>"
            elif "here:" in line or line.lstrip().startswith(("=", "output:")):
                text = f"<span style='color:{FORWARD_COLOR}'>{text}</span>"
            out.append(text)
        return "<pre style='margin:0'>" + "\n".join(out) + "</pre>"

    # --- quiz ---------------------------------------------------------------------------
    def _update_quiz(self):
        c = self.controller
        step = c.current()
        pending = c.pending
        key = (c.index, id(c.sequence)) if pending else None
        if key != self._form_for:
            self._form_for = key
            self._clear_quiz_form()
            self.answer_edits = []
            if pending:
                for q in c.questions():
                    edit = QLineEdit()
                    edit.setPlaceholderText("a number, e.g. 0.25 or 1/4")
                    edit.returnPressed.connect(self.submit_answers)
                    self.quiz_form.addRow(f"{q.label} =", edit)
                    self.answer_edits.append(edit)
                if self.answer_edits:
                    self.answer_edits[0].setFocus()
                    QTimer.singleShot(0, self._show_quiz)
        self.quiz_form_host.setVisible(pending)
        self.check_button.setVisible(pending)
        self.reveal_button.setVisible(pending)
        grades = c.grades.get(c.index)
        if pending:
            backward = step.phase == "backward"
            self.quiz_result.setText("Work out local × upstream for each input, then Check." if backward
                                     else "Work out the box's output from its inputs, then Check.")
        elif grades:
            self.quiz_result.setText("\n".join(g.message for g in grades))
        else:
            self.quiz_result.setText("")
        self.quiz_result.setVisible(c.quiz_mode)
        self.tally.setVisible(c.quiz_mode)
        self.tally.setText(f"This run: {c.quiz.tally()}" if c.quiz.asked else f"Graded {tolerance_text()}.")

    def _clear_quiz_form(self):
        """Empty the form without deleting a field now: Enter in a field grades the answer and
        lands here while Qt is still delivering that key to the field (removeRow would delete
        it under Qt's feet, a segfault). The widgets are hidden and deleted later."""
        while self.quiz_form.rowCount():
            row = self.quiz_form.takeRow(0)
            for item in (row.labelItem, row.fieldItem):
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.hide()
                    widget.deleteLater()

    def _show_quiz(self):
        """The dock scrolls (it never grows): bring the question's fields into view."""
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None and self.check_button.isVisible():
            # The rows were only just shown: lay them out (and let the scroll area take the
            # taller panel) now, or they are measured at their old, hidden place.
            QCoreApplication.sendPostedEvents(None, QEvent.LayoutRequest)
            area.ensureWidgetVisible(self.check_button, 10, 6)
            if self.answer_edits:
                area.ensureWidgetVisible(self.answer_edits[0], 10, 6)

    def submit_answers(self):
        if self.controller.pending:
            self.controller.answer([e.text() for e in self.answer_edits])
