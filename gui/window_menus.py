"""The window's menus, shortcuts and toolbar (kept apart so main_window.py stays short)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from graphcore import course

from .exercise_dialog import save_as_exercise
from .file_actions import examples
from .plain_text import safe_text


def _action(win, menu, text, slot, shortcut=None, tip=None, toolbar=False):
    act = QAction(text, win)
    if shortcut is not None:
        act.setShortcut(QKeySequence(shortcut))
        act.setShortcutContext(Qt.WindowShortcut)
    if tip:
        act.setStatusTip(tip)
        act.setToolTip(f"{tip} ({act.shortcut().toString()})" if shortcut else tip)
    act.triggered.connect(lambda checked=False: slot())
    win.menu(menu).addAction(act)
    if toolbar:
        win.toolbar.addAction(act)
    return act


def _submenu_action(win, menu, text, slot, tip=None):
    act = QAction(text, win)
    if tip:
        act.setStatusTip(tip)
        act.setToolTip(tip)
    act.triggered.connect(lambda checked=False: slot())
    menu.addAction(act)
    return act


@dataclass
class MenuParts:
    """What the menus build that the window reads later."""
    actions: dict[str, QAction]  # by name, for tests, the tour and other installs (they add theirs)
    recent_menu: QMenu
    examples_menu: QMenu
    align_menu: QMenu
    snap_action: QAction


def build(win) -> MenuParts:
    a: dict[str, QAction] = {}
    recent, examples_menu = _build_file(win, a)
    _build_edit(win, a)
    _build_view(win, a)
    align, snap = _build_graph(win, a)
    _action(win, "Help", "&About Backprop Studio", win.about)
    return MenuParts(a, recent, examples_menu, align, snap)


def _build_file(win, a) -> tuple[QMenu, QMenu]:
    files = win.files
    a["new"] = _action(win, "File", "&New", files.new, QKeySequence.New, "Start a new graph", True)
    a["open"] = _action(win, "File", "&Open…", files.open_dialog, QKeySequence.Open, "Open a graph file", True)
    recent = win.menu("File").addMenu("Open &Recent")
    recent.aboutToShow.connect(lambda: _fill_recent(win, recent))
    lessons = win.menu("File").addMenu("&Examples")
    lessons.aboutToShow.connect(lambda: _fill_examples(win, lessons))
    a["save"] = _action(win, "File", "&Save", files.save, QKeySequence.Save, "Save the graph", True)
    a["save_as"] = _action(win, "File", "Save &As…", files.save_as, QKeySequence.SaveAs)
    a["save_exercise"] = _action(win, "File", "Save as Exer&cise…", lambda: save_as_exercise(win),
                                 tip="Write an exercise file: this graph with text, tasks, locks and hidden values")
    win.menu("File").addSeparator()
    export_menu = win.menu("File").addMenu("E&xport")
    a["export_image"] = _submenu_action(win, export_menu, "Canvas as PNG/SVG…", files.export_image_dialog)
    a["export_numpy"] = _submenu_action(win, export_menu, "Python (numpy)…",
                                        lambda: win.code_export.export_dialog("numpy"),
                                        "A numpy script with forward, backward and the training loop")
    a["export_torch"] = _submenu_action(win, export_menu, "Python (PyTorch)…",
                                        lambda: win.code_export.export_dialog("torch"),
                                        "A torch.nn.Module with the same parameters and a training loop")
    win.menu("File").addSeparator()
    a["quit"] = _action(win, "File", "&Quit", win.close, QKeySequence.Quit)
    win.toolbar.addSeparator()
    return recent, lessons


def _build_edit(win, a):
    edit, stack = win.edit, win.document.undo_stack
    undo = stack.createUndoAction(win, "&Undo")
    undo.setShortcut(QKeySequence.Undo)
    redo = stack.createRedoAction(win, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
    win.menu("Edit").addActions([undo, redo])
    for text, slot, signal, tip in (("Undo", stack.undo, stack.canUndoChanged, "Undo (Ctrl+Z)"),
                                    ("Redo", stack.redo, stack.canRedoChanged, "Redo (Ctrl+Y)")):
        tb = QAction(text, win)  # fixed text: the menu's action names the step, the toolbar stays narrow
        tb.setToolTip(tip)
        tb.setEnabled(False)
        tb.triggered.connect(lambda checked=False, s=slot: s())
        signal.connect(tb.setEnabled)
        win.toolbar.addAction(tb)
    a["undo"], a["redo"] = undo, redo
    win.menu("Edit").addSeparator()
    a["cut"] = _action(win, "Edit", "Cu&t", edit.cut, QKeySequence.Cut)
    a["copy"] = _action(win, "Edit", "&Copy", edit.copy, QKeySequence.Copy)
    a["paste"] = _action(win, "Edit", "&Paste", edit.paste, QKeySequence.Paste)
    a["duplicate"] = _action(win, "Edit", "&Duplicate", edit.duplicate, "Ctrl+D")
    a["delete"] = _action(win, "Edit", "De&lete", edit.delete, QKeySequence.Delete)
    a["delete"].setShortcuts([QKeySequence.Delete, QKeySequence("Backspace")])
    a["select_all"] = _action(win, "Edit", "Select &All", edit.select_all, QKeySequence.SelectAll)
    a["rename"] = _action(win, "Edit", "&Rename", edit.rename, "F2", "Rename the selected box")


def _build_view(win, a):
    view = win.view
    a["fit"] = _action(win, "View", "&Fit Graph in View", view.fit, "F", "Fit the whole graph in view", True)
    a["zoom_in"] = _action(win, "View", "Zoom &In", lambda: view.zoom_by(1.25), QKeySequence.ZoomIn)
    a["zoom_out"] = _action(win, "View", "Zoom &Out", lambda: view.zoom_by(0.8), QKeySequence.ZoomOut)
    a["reset_layout"] = _action(win, "View", "&Reset Layout", win.reset_layout, None,
                                "Put every panel back where it started, at its first size")
    win.menu("View").addSeparator()


def _build_graph(win, a) -> tuple[QMenu, QAction]:
    edit, view = win.edit, win.view
    a["layout"] = _action(win, "Graph", "&Auto-layout", edit.auto_layout, "Ctrl+L",
                          "Arrange the boxes left to right, layer by layer", True)
    align = win.menu("Graph").addMenu("Ali&gn")
    for how, text in (("left", "Left edges"), ("top", "Top edges"), ("hcenter", "Centres in a column"),
                      ("vcenter", "Centres in a row")):
        act = QAction(text, win)
        act.triggered.connect(lambda checked=False, h=how: edit.align(h))
        align.addAction(act)
    win.menu("Graph").addSeparator()
    a["set_loss"] = _action(win, "Graph", "Set as &Cost J", lambda: edit.set_meta_from_selection("loss"),
                            None, "The selected box's value is the cost J that training minimises")
    a["set_output"] = _action(win, "Graph", "Set as &Output", lambda: edit.set_meta_from_selection("output"),
                              None, "The selected box is the model's prediction")
    a["evaluate"] = _action(win, "Graph", "&Evaluate Now", win.evaluate_now, "Ctrl+E",
                            "Run forward and backprop once")
    snap = QAction("Snap to &Grid", win, checkable=True, checked=True)
    snap.toggled.connect(lambda on: setattr(win.scene, "snap", on))
    win.menu("Graph").addAction(snap)
    a["quick_search"] = _action(win, "Graph", "Add Function…",
                                lambda: win.open_quick_search(view.cursor_scene_pos()), None,
                                "Search Functions (Tab on the canvas)")
    win.toolbar.addSeparator()
    return align, snap


def _fill_recent(win, menu):
    menu.clear()
    files = win.files.recent()
    if not files:
        menu.addAction("(none)").setEnabled(False)
    for path in files:
        act = menu.addAction(Path(path).name)
        act.setToolTip(safe_text(path))
        act.triggered.connect(lambda checked=False, p=path: win.files.open(p))


def _fill_examples(win, menu):
    """The lessons in assets/examples, listed as they are when the menu opens, in the course's order."""
    menu.clear()
    found = sorted(examples(), key=course.example_order)
    if not found:
        menu.addAction("(no lessons installed)").setEnabled(False)
    for path in found:
        act = menu.addAction(course.title_for_example(path))  # what the lesson teaches, not its file name
        act.setToolTip(path.name)
        act.triggered.connect(lambda checked=False, p=str(path): _open_example(win, p))


def _open_example(win, path: str):
    """A lesson's own file opens as that lesson (an unsaved copy with its Lesson panel, so Save
    never writes over the course's file); any other example opens as a file."""
    lesson = course.lesson_for_example(path)
    if lesson is not None:
        win.lessons.open_lesson(lesson.key)
    else:
        win.files.open(path)
