"""``install_stepper(window) -> StepperParts``: the step-through dock, the Step menu and toolbar buttons.

Uses only the MainWindow integration points in docs/ARCHITECTURE.md: ``document``,
``scene.set_overlay``, ``inspector``, ``add_dock``, ``menu("Step")``, ``toolbar``,
``select_nodes``, ``show_message``, ``hide_cost``. The window keeps what it returns
(``window.stepper`` is the controller); the decision-boundary plot calls
``stepper_panel.select_sample(i)`` on a click.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget

from graphcore.graph import VariableRef

from ..panels.stable_size import scrolling
from ..panels.stepper_panel import StepperPanel
from .controller import StepperController
from .drill_in import install_drill_in

JUMPS = ("step_forward", "step_back", "play", "start_forward", "end_forward", "start_backward", "end_backward")


@dataclass
class StepperParts:
    controller: StepperController
    panel: StepperPanel
    dock: QDockWidget
    by_group_action: QAction  # Step ▸ Step by Group


def install_stepper(window) -> StepperParts:
    doc = window.document

    def data():
        ds = doc.dataset()
        return ds.train() if ds is not None else None

    controller = StepperController(lambda: doc.graph, data, window)
    panel = StepperPanel(controller)
    dock = window.add_dock("Step through backprop", scrolling(panel), Qt.RightDockWidgetArea)
    dock.setObjectName("StepperDock")
    by_group = _build_menu(window, controller, panel, dock)
    toolbar = window.toolbar
    toolbar.addSeparator()
    for key in ("step_back", "play", "step_forward"):
        toolbar.addAction(controller.actions[key])
    _follow_document(window, controller, dock)

    def bring_forward():
        dock.show()
        dock.raise_()  # tabbed behind the Plots by default: the chain-rule panel must be seen

    for key in JUMPS:
        controller.actions[key].triggered.connect(lambda *_: bring_forward())
    install_drill_in(window, controller, panel, dock)  # stepping inside a group follows the canvas's drill-in
    return StepperParts(controller, panel, dock, by_group)


def _build_menu(window, controller, panel, dock) -> QAction:
    """The Step menu: the controller's actions, Quiz mode and Step by Group (both kept in step
    with the panel's own boxes); returns Step by Group."""
    menu = window.menu("Step")
    for key in ("step_forward", "step_back", "play", None, "start_forward", "end_forward",
                "start_backward", "end_backward"):
        if key is None:
            menu.addSeparator()
        else:
            menu.addAction(controller.actions[key])
    menu.addSeparator()
    quiz = menu.addAction("Quiz mode")
    quiz.setCheckable(True)
    quiz.toggled.connect(panel.quiz_check.setChecked)
    panel.quiz_check.toggled.connect(quiz.setChecked)
    by_group = menu.addAction("Step by &Group")  # the panel's Level box, from the menu
    by_group.setCheckable(True)
    by_group.setStatusTip("Each group (a layer) one step forward and one backward (its Jacobian)")
    by_group.toggled.connect(lambda on: panel.level.setCurrentIndex(1 if on else 0))
    panel.level.currentIndexChanged.connect(lambda i: by_group.setChecked(i == 1))
    menu.addAction(dock.toggleViewAction())
    return by_group


def _follow_document(window, controller, dock):
    """Paint the step on the canvas, and rebuild or end the steps as the graph and dock change."""
    doc = window.document
    state = {"painted": False}

    def repaint():
        # Paint only while stepping, so an idle stepper leaves other overlays (training) alone.
        if controller.index >= 0:
            overlay = controller.overlay()
            window.scene.set_overlay(overlay)
            window.inspector.show_step_through(overlay)
            state["painted"] = True
            loss = doc.graph.meta.get("loss")
            loss = VariableRef.box_of(loss)
            window.hide_cost(overlay.known_values is not None and loss not in overlay.known_values)
        elif state["painted"]:
            window.scene.set_overlay(None)
            window.inspector.show_step_through(None)
            state["painted"] = False
            window.hide_cost(False)

    def on_failed(text, nodes):
        if nodes:
            window.select_nodes(list(nodes))
        window.show_message(text)

    def on_model_changed():
        # The steps are rebuilt from one new evaluation, not on every step.
        controller.invalidate()
        if controller.index >= 0:
            if dock.isVisible():
                controller.refresh(report=False)
            else:  # nobody is looking at the steps: do not leave old numbers on the canvas
                controller.reset()

    def on_visibility(_visible):
        # Closing the dock ends the step-through: its numbers and legend leave the canvas.
        # (A dock tabbed behind another is only out of sight, not closed: stepping goes on.)
        QTimer.singleShot(0, dock, lambda: dock.isHidden() and controller.index >= 0 and controller.reset())

    controller.changed.connect(repaint)
    dock.visibilityChanged.connect(on_visibility)
    controller.failed.connect(on_failed)
    doc.evaluated.connect(lambda _ev: on_model_changed())
    doc.evaluation_failed.connect(lambda *_: on_model_changed())
