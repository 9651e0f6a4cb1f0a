"""Test hook for the real-window tests (tests/e2e): where things are on screen, as JSON.

Only active when the environment variable ``BACKPROP_STUDIO_E2E_PROBE`` names a file: then,
every PERIOD_MS, the window's state and the global screen coordinates of its boxes, ports,
palette entries and buttons are written there (atomically), so a test driving the window
with real X input (xdotool, from another process) knows where to click and what it shows.
It only reads the window; without the variable nothing here runs.
"""
from __future__ import annotations

import json
import os

from PySide6.QtCore import QPoint, QPointF, QTimer
from PySide6.QtWidgets import QAbstractButton, QTabBar

ENV = "BACKPROP_STUDIO_E2E_PROBE"
PERIOD_MS = 100


def _xy(p) -> list[int]:
    return [int(p.x()), int(p.y())]


def snapshot(win) -> dict:
    view, scene = win.view, win.scene
    port = view.viewport()
    vp = port.rect()

    def at(scene_point: QPointF) -> list[int]:
        return _xy(port.mapToGlobal(view.mapFromScene(scene_point)))

    boxes = {}
    for nid, item in scene.node_items.items():
        r = item.sceneBoundingRect()
        boxes[nid] = {
            "label": item.label, "op": win.document.graph.op(nid), "value_text": item.value_text,
            "selected": item.isSelected(),
            "center": at(r.center()),
            "rect": at(r.topLeft()) + at(r.bottomRight()),
            "header": at(QPointF(r.center().x(), r.top() + 14)),  # the title row: F2 target, drag handle
            "in": [at(p.scenePos()) for p in item.inputs],
            "out": [at(p.scenePos()) for p in item.outputs],
            "visible": vp.contains(view.mapFromScene(r.center())),
            "shown": item.isVisible(),  # False: inside a collapsed group, or outside the group drilled into
        }
    tree = win.palette_panel.tree
    palette = {}
    for op, it in win.palette_panel.items.items():
        rect = tree.visualItemRect(it)
        if not it.isHidden() and rect.isValid() and tree.viewport().rect().contains(rect.center()):
            palette[op] = _xy(tree.viewport().mapToGlobal(rect.center()))
    # "left": a check box toggles only on its box and text, not on the empty rest of its row
    buttons = [{"text": b.text(), "center": _xy(b.mapToGlobal(b.rect().center())), "enabled": b.isEnabled(),
                "left": _xy(b.mapToGlobal(QPoint(8, b.height() // 2))),
                "toolbar": b.parent() is win.toolbar}
               for b in win.findChildren(QAbstractButton)
               if b.isVisible() and b.text() and not b.visibleRegion().isEmpty()]
    # dock and panel tabs (e.g. "Step through backprop" behind "Plots"): tabs are not buttons
    tabs = [{"text": bar.tabText(i), "center": _xy(bar.mapToGlobal(bar.tabRect(i).center())),
             "current": i == bar.currentIndex()}
            for bar in win.findChildren(QTabBar) if bar.isVisible() and not bar.visibleRegion().isEmpty()
            for i in range(bar.count())]
    qs = win.quick_search
    runner = win.training.runner
    return {
        "pid": os.getpid(), "title": win.windowTitle(), "dirty": win.document.dirty,
        "path": win.document.path, "status": win.statusBar().currentMessage(), "cost": win.cost_label.text(),
        "active": win.isActiveWindow(),
        "canvas": {"center": _xy(port.mapToGlobal(vp.center())), "top_left": _xy(port.mapToGlobal(vp.topLeft())),
                   "size": [vp.width(), vp.height()]},
        "boxes": boxes, "palette": palette, "buttons": buttons, "tabs": tabs,
        "palette_filter": _xy(win.palette_panel.filter.mapToGlobal(win.palette_panel.filter.rect().center())),
        "editor_open": scene.inline_editor is not None,
        "quick_search_open": bool(qs is not None and qs.isVisible()),
        "training": {"state": runner.state, "epoch": runner.trainer.epoch if runner.trainer else 0},
        "stepper": {"index": win.stepper.index, "steps": len(win.stepper)},
        "replay": _replay(win),
        "lessons": _lessons(win),
        "groups": _groups(win, at),
    }


def _lessons(win) -> dict:
    """The course (gui/lessons): start page up, the tour's step (None: no tour), the open lesson."""
    lessons = win.lessons
    tour = lessons.tour
    return {"start_page": lessons.start_page_shown, "lesson": lessons.key,
            "tour": tour.index if tour is not None and tour.isVisible() else None,
            "tour_hole": [*_xy(win.mapToGlobal(tour.hole.topLeft())), *_xy(win.mapToGlobal(tour.hole.bottomRight()))]
            if tour is not None and tour.isVisible() and not tour.hole.isEmpty() else None}


def _groups(win, at) -> dict:
    """Each group's state and, where it shows, its title bar, its +/− button, its centre and,
    collapsed, its ports by name (a₁, b₁, and the open ones: "label.port")."""
    layer = win.scene.group_layer
    out = {"focus": layer.focus, "names": layer.groups.names(), "shown": {}}
    for name, item in list(layer.collapsed.items()) + list(layer.frames.items()):
        r = item.sceneBoundingRect() if name in layer.collapsed else item.rect
        button = item.mapToScene(item.button_rect().center())
        ports = [] if name not in layer.collapsed else item.inputs + item.open_inputs + item.outputs + item.open_outputs
        out["shown"][name] = {"collapsed": name in layer.collapsed, "selected": item.isSelected(),
                              "center": at(r.center()), "title": at(QPointF(r.center().x(), r.top() + 12)),
                              "button": at(button), "ports": {p.name: at(p.scenePos()) for p in ports}}
    return out


def _replay(win) -> dict:
    """The speed choice and the replay timeline: where they are and what they say."""
    tl, speed = win.training.timeline, win.training.panel.speed
    s = tl.slider

    def rect(w) -> list[int]:
        return _xy(w.mapToGlobal(QPoint(0, 0))) + _xy(w.mapToGlobal(QPoint(w.width(), w.height())))
    return {"slider": rect(s), "value": s.value(), "maximum": s.maximum(), "label": tl.label.text(),
            "speed": rect(speed), "speed_text": speed.currentText(), "shown": tl.shown is not None}


def install(win, path: str) -> QTimer:
    tmp = f"{path}.tmp"
    count = [0]

    def write():
        count[0] += 1
        try:
            state = snapshot(win)
        except Exception as exc:  # noqa: BLE001 - a test waiting on the probe must see why it broke
            state = {"probe_error": f"{type(exc).__name__}: {exc}"}
        state["seq"] = count[0]  # lets a test wait for a picture taken after its input
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(state, f)
        os.replace(tmp, path)  # a reader never sees half a file
    timer = QTimer(win, interval=PERIOD_MS)
    timer.timeout.connect(write)
    timer.start()
    return timer
