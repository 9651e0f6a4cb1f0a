"""The training panel: optimizer and its settings, Train/Pause/Stop, stepping, reset, progress.

Settings live in the graph's ``training`` block; every edit here is one undoable
``SetMetaCommand``. The panel reads the block back whenever the graph changes (an
undo, a file opened), with its widgets' signals blocked so that reading never writes.
"""
from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGridLayout, QHBoxLayout, QLabel,
                               QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from graphcore import limits, optim
from graphcore.graph import EventKind
from graphcore.numbers import format_number
from graphcore.train_settings import BLOCK_KEYS, DEFAULT_EPOCHS, Status
from gui.commands import SetMetaCommand

from .settings_fields import LARGEST, SMALLEST_POSITIVE, NumberSpinBox, keep_untouched
from .stable_size import ElidedLabel, MessageLabel
from .training_speed import SpeedChoice

# Options shown per optimizer (torch's names), with their spin-box steps.
OPTION_SPECS = {
    "momentum": ("Momentum μ", 0.05),
    "alpha": ("Smoothing α", 0.01),
    "beta1": ("β₁", 0.01),
    "beta2": ("β₂", 0.001),
    "eps": ("ε", 1e-8),
    "weight_decay": ("Weight decay λ", 1e-4),
}
OPTIONS_OF = {"sgd": ("momentum", "weight_decay"), "momentum": ("momentum", "weight_decay"),
              "adagrad": ("eps", "weight_decay"), "rmsprop": ("alpha", "momentum", "eps", "weight_decay"),
              "adam": ("beta1", "beta2", "eps", "weight_decay")}


def _whole_spin(lo: int, hi: int, tip: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(lo, hi)
    spin.setKeyboardTracking(False)
    if tip:
        spin.setToolTip(tip)
    return spin


def _spin(key: str, step: float) -> QDoubleSpinBox:
    # The file format's range, not a "sensible" one: the field must show what a file holds.
    # β₁ and β₂ are < 1; the other options are any number ≥ 0.
    return NumberSpinBox(0.0, math.nextafter(1.0, 0.0) if key in ("beta1", "beta2") else LARGEST, step)


class TrainingPanel(QWidget):
    def __init__(self, runner, parent=None):
        super().__init__(parent)
        self.setObjectName("training_panel")
        self.runner = runner
        self.document = runner.document
        self._reading = False
        form = self._settings_form()
        buttons, reset_row = self._run_buttons()
        self._progress_widgets()
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addLayout(reset_row)
        lay.addWidget(self.progress)
        self._timeline_at = lay.count()  # the replay timeline goes under the progress (add_timeline)
        lay.addWidget(self.figures)
        lay.addWidget(self.error)
        lay.addWidget(self.edge_widths)
        lay.addWidget(self.live_values)
        lay.addStretch(1)
        self._follow(runner)

    def _settings_form(self) -> QFormLayout:
        """Optimizer, learning rate, its options, epochs, speed, batch size, seed: each edit one undo step."""
        self.optimizer = QComboBox()
        for name in optim.NAMES:
            self.optimizer.addItem(optim.TITLES[name], name)
        self.lr = NumberSpinBox(SMALLEST_POSITIVE, LARGEST, 0.01)
        self.lr.setStepType(QDoubleSpinBox.AdaptiveDecimalStepType)
        self.lr.setToolTip("Learning rate: the size of each gradient descent step")
        self.epochs = _whole_spin(0, limits.MAX_EPOCHS)
        self.batch_size = _whole_spin(0, limits.MAX_WHOLE, "Points per optimizer step (full batch: all training "
                                                            "points, one step per epoch)")
        self.batch_size.setSpecialValueText("full batch")
        self.seed = _whole_spin(0, limits.MAX_WHOLE, "Seed of the batch shuffling")
        form = QFormLayout()
        form.addRow("Optimizer", self.optimizer)
        form.addRow("Learning rate", self.lr)
        self.option_spins: dict[str, QDoubleSpinBox] = {}
        self.option_labels: dict[str, QLabel] = {}
        for key, (title, step) in OPTION_SPECS.items():
            spin = _spin(key, step)
            label = QLabel(title)
            self.option_spins[key], self.option_labels[key] = spin, label
            form.addRow(label, spin)
            spin.valueChanged.connect(self._write_settings)
        form.addRow("Epochs", self.epochs)
        self.speed = SpeedChoice()
        form.addRow("Speed", self.speed)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Shuffle seed", self.seed)
        for w in (self.lr, self.epochs, self.batch_size, self.seed):
            w.valueChanged.connect(self._write_settings)
        self.optimizer.currentIndexChanged.connect(self._write_settings)
        self.epochs.valueChanged.connect(lambda _n: self.refresh_progress())  # "epoch 0 / 200" says what Train does
        self.epochs.valueChanged.connect(self._apply_speed)
        self.speed.currentIndexChanged.connect(self._apply_speed)
        return form

    def _run_buttons(self) -> tuple[QGridLayout, QHBoxLayout]:
        """Train, Pause, Stop, the two steps, and Reset parameters with its seed."""
        runner = self.runner
        self.reset_seed = QSpinBox()
        self.reset_seed.setRange(0, 2**31 - 1)
        self.reset_seed.setPrefix("seed ")
        self.reset_seed.setToolTip("Re-initialise every parameter at random with this seed (weights ~ N(0, 1/fan_in))")
        made = {}
        for name, text, slot in (("train", "Train", runner.train), ("pause", "Pause", runner.pause),
                                 ("stop", "Stop", runner.stop), ("step_batch", "Step one batch", runner.step_batch),
                                 ("step_epoch", "Step one epoch", runner.step_epoch),
                                 ("reset", "Reset parameters",
                                  lambda: runner.reset_parameters(self.reset_seed.value()))):
            made[name] = b = QPushButton(text)
            b.setObjectName(f"{name}_button")
            b.clicked.connect(slot)
            setattr(self, f"{name}_button", b)
        buttons = QGridLayout()
        buttons.addWidget(self.train_button, 0, 0)
        buttons.addWidget(self.pause_button, 0, 1)
        buttons.addWidget(self.stop_button, 0, 2)
        buttons.addWidget(self.step_batch_button, 1, 0, 1, 2)
        buttons.addWidget(self.step_epoch_button, 1, 2)
        reset_row = QHBoxLayout()
        reset_row.addWidget(self.reset_button, 1)
        reset_row.addWidget(self.reset_seed)
        return buttons, reset_row

    def _progress_widgets(self):
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setRange(0, 1)
        self.figures = ElidedLabel("")
        self.figures.setObjectName("training_figures")
        self.error = MessageLabel(lines=4)
        self.error.setObjectName("training_error")
        self.error.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.error.setStyleSheet("color: #B00020")
        self.edge_widths = QCheckBox("Arrow width follows |dJ/dv|")
        self.edge_widths.setObjectName("edge_widths_toggle")
        self.live_values = QCheckBox("Show parameter values live")
        self.live_values.setChecked(True)
        self.live_values.toggled.connect(lambda on: setattr(self.runner, "live_values", on))

    def _follow(self, runner):
        """Show the runner's state and progress, and the graph's training block as it changes."""
        runner.state_changed.connect(self._on_state)
        runner.frame.connect(self.refresh_progress)
        runner.failed.connect(lambda msg, _nodes: self.error.setText(msg))
        runner.trainer_changed.connect(self.refresh_progress)
        self.document.graph.subscribe(
            lambda ev: self.read_settings() if ev.kind is EventKind.RESET
            or (ev.kind, ev.key) == (EventKind.GRAPH_CHANGED, "training") else None)
        self.read_settings()
        self._apply_speed()
        self._on_state(runner.state)

    def add_timeline(self, timeline):
        self.layout().insertWidget(self._timeline_at, timeline)

    def _apply_speed(self, *_):
        self.speed.set_epochs(self.epochs.value())
        self.runner.set_speed(self.speed.speed())

    # --- settings <-> the graph's training block --------------------------------------------
    def read_settings(self):
        block = dict(self.document.graph.meta.get("training") or {})
        name = block.get("optimizer", "sgd")
        try:
            hp = optim.settings(name, block.get("lr"), block)
        except Exception:  # a block the optimizer refuses: show torch's defaults for it
            hp = dict(optim.DEFAULTS.get(name, optim.DEFAULTS["sgd"]))
        self._reading = True
        try:
            self.optimizer.setCurrentIndex(max(self.optimizer.findData(name), 0))
            self.lr.setValue(hp["lr"])
            self.epochs.setValue(int(block.get("epochs", DEFAULT_EPOCHS)))
            self.batch_size.setValue(int(block.get("batch_size") or 0))
            self.seed.setValue(int(block.get("seed", 0)))
            values = dict(hp)
            if "betas" in hp:
                values["beta1"], values["beta2"] = hp["betas"]
            shown = OPTIONS_OF[name]
            for key, spin in self.option_spins.items():
                visible = key in shown
                spin.setVisible(visible)
                self.option_labels[key].setVisible(visible)
                if visible and key in values:
                    spin.setValue(float(values[key]))
        finally:
            self._reading = False
        self._shown = self.settings_block()  # what the fields show now: unchanged fields keep the file's values

    def settings_block(self) -> dict:
        """The training block these widgets describe (only options that differ from torch's defaults)."""
        name = self.optimizer.currentData()
        block = {"optimizer": name, "lr": self.lr.value(), "epochs": self.epochs.value(),
                 "batch_size": self.batch_size.value() or None, "seed": self.seed.value()}
        defaults = optim.DEFAULTS[name]
        for key in OPTIONS_OF[name]:
            v = self.option_spins[key].value()
            if key in ("beta1", "beta2"):
                continue
            if not math.isclose(v, defaults[key], rel_tol=1e-9, abs_tol=1e-15):
                block[key] = v
        if name == "adam":
            betas = [self.option_spins["beta1"].value(), self.option_spins["beta2"].value()]
            if tuple(betas) != tuple(defaults["betas"]):
                block["betas"] = betas
        return block

    def _write_settings(self, *_):
        if self._reading:
            return
        old = dict(self.document.graph.meta.get("training") or {})
        block = keep_untouched(self.settings_block(), self._shown, old)
        if self.optimizer.currentData() != old.get("optimizer", "sgd"):
            # A different optimizer starts from its own defaults (and torch's default lr if none was set).
            block = {k: block[k] for k in BLOCK_KEYS}
        if block == old:
            return
        refused = self.document.push(SetMetaCommand(self.document.graph, "training", block, "Change training settings"))
        if refused:
            self.error.setText(refused)
        self.read_settings()

    # --- state and progress -----------------------------------------------------------------
    def _on_state(self, state: str):
        running = state == Status.RUNNING
        self.train_button.setEnabled(not running)
        resumes = state == Status.PAUSED and self.runner.target > self._epoch()
        self.train_button.setText("Resume" if resumes else "Train")
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(state in (Status.RUNNING, Status.PAUSED))
        if state == Status.RUNNING:
            self.error.setText("")
        elif state == Status.FAILED or self.runner.message:
            self.error.setText(self.runner.message)
        self.refresh_progress()

    def _epoch(self) -> int:
        t = self.runner.trainer
        return t.epoch if t is not None else 0

    def refresh_progress(self):
        t = self.runner.trainer
        epoch = self._epoch()
        target = self.runner.target
        if target == 0:  # nothing run yet on this Trainer: where Train would go
            target = epoch + self.epochs.value()
        target = max(target, epoch, 1)
        self.progress.setRange(0, target)
        self.progress.setValue(epoch)
        rate = self.runner.epochs_per_second
        rate_text = f"  ·  {rate:,.0f} epochs/s" if self.runner.state == Status.RUNNING and rate > 0 else ""
        self.progress.setFormat(f"epoch {epoch} / {target}{rate_text}")
        last = t.history.last() if t is not None and len(t.history) else None
        if last is None:
            self.figures.setText("")
            return
        parts = [f"cost {format_number(last['cost'], 4)}"]
        if last.get("accuracy") is not None:
            parts.append(f"accuracy {last['accuracy']:.1%}")
        if last.get("test_cost") is not None:
            parts.append(f"test cost {format_number(last['test_cost'], 4)}")
            if last.get("test_accuracy") is not None:
                parts.append(f"test accuracy {last['test_accuracy']:.1%}")
        self.figures.setText("   ".join(parts))
