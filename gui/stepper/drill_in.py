"""Stepping inside a group, tied to the canvas's drill-in (issue 13, item 4).

At group level, opening a group on the canvas (double-click, Enter, the breadcrumb, Esc
to go out) is stepping inside it: the controller's ``inside`` follows the learner's
focus. The other way round, the canvas follows the step: while stepping, it shows the
level that holds the current step (inside a group for its parts, out at the top for the
layer after it) — without that move counting as the learner's drill-in. The Step inside
and Step out actions go in the Step menu and on the panel's stepping row.
"""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QToolButton


def install_drill_in(window, controller, panel, dock):
    layer = window.scene.group_layer
    following = {"now": False}

    def learner_moved():
        if not following["now"]:
            controller.set_inside(layer.focus)

    def follow_step():
        seq, step = controller.sequence, controller.current()
        if not controller.at_group_level or step is None:
            return
        target = seq.container_of(step)
        if target != layer.focus:
            following["now"] = True
            try:
                layer.set_focus(target)
            finally:
                following["now"] = False
        _bring_into_view(window, layer, step)

    layer.focus_changed.connect(learner_moved)
    controller.changed.connect(follow_step)
    menu = window.menu("Step")
    before = dock.toggleViewAction()
    for key in ("step_inside", "step_out"):
        menu.insertAction(before, controller.actions[key])
    after = panel.buttons.get("end_forward")  # on the stepping row, which has room to spare
    row = _row_holding(panel, after) if after is not None else None
    buttons = []
    if row is not None:
        for key in ("step_inside", "step_out"):
            button = QToolButton(panel)
            button.setDefaultAction(controller.actions[key])
            row.insertWidget(row.indexOf(after) + 1 + (key == "step_out"), button)
            panel.buttons[key] = button
            buttons.append(button)

    def show_buttons():  # only at group level: box by box they mean nothing, and the row stays narrow
        for button in buttons:
            button.setVisible(controller.at_group_level)

    controller.sequence_changed.connect(show_buttons)
    show_buttons()
    controller.set_inside(layer.focus)


READABLE = 0.7  # inside a group, the zoom at which a box's title and numbers can be read


def _bring_into_view(window, layer, step):
    """The current step's box (or group) in view; inside a group, at a zoom that can be read
    (a layer's column of neurons fitted whole is too small for that)."""
    name = getattr(step, "group", None)
    item = (layer.collapsed.get(name) or layer.frames.get(name)) if name else window.scene.node_items.get(step.node)
    if item is None or not item.isVisible():
        return
    view = window.view
    if layer.focus is not None and view.zoom < READABLE:
        view.zoom_by(READABLE / view.zoom)
    view.ensureVisible(item, 40, 40)


def _row_holding(panel, widget) -> QHBoxLayout | None:
    lay = panel.layout()
    for i in range(lay.count()):
        row = lay.itemAt(i).layout()
        if isinstance(row, QHBoxLayout) and row.indexOf(widget) >= 0:
            return row
    return None
