"""Renames that make labels collide, undone and redone (issue #18 item 5 review): the names
with ids ("w [w2]") appear and go in the landscape's lists and the inspector as the labels do."""
from __future__ import annotations

from gui import commands as C
from tests.gui.training_helpers import open_lesson


def fresh_name(g, nid):
    label = g.label(nid)
    same = sum(1 for n in g.nodes() if g.label(n) == label)
    return f"{label} [{nid}]" if same > 1 else label


def listed(panel):
    return [panel.x_choice.itemText(i) for i in range(panel.x_choice.count())]


def test_renames_with_duplicate_labels_undo_redo(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    doc, g = win.document, win.document.graph
    win.landscape_dock.show()
    win.landscape_dock.raise_()
    panel = win.landscape
    params = list(g.parameters())
    others = [n for n in g.nodes() if n not in params]
    a, b, c = params[0], params[1], others[0]

    def settle():
        qtbot.wait(150)  # the landscape follows on a short timer
        assert [g.box_name(p) for p in g.nodes()] == [fresh_name(g, p) for p in g.nodes()]
        panel._fill_choices()
        assert listed(panel) == [fresh_name(g, p) for p in g.parameters()]
        win.select_nodes([a])
        qtbot.wait(50)
        title = win.inspector.title.text()
        assert f"[{a}]" in title if fresh_name(g, a) != g.label(a) else f"[{a}]" not in title

    settle()
    doc.push(C.RenameCommand(g, c, g.label(a)))  # a box not listed takes a parameter's label
    settle()
    assert listed(panel)[params.index(a)].endswith(f"[{a}]")
    doc.undo_stack.undo()
    settle()
    doc.push(C.RenameCommand(g, b, g.label(a)))  # b takes a's label: both show their ids
    settle()
    assert listed(panel)[params.index(a)].endswith(f"[{a}]")
    doc.push(C.RenameCommand(g, c, g.label(a)))  # a third, not a parameter
    settle()
    doc.push(C.RenameCommand(g, b, "fresh"))
    settle()
    doc.push(C.RenameCommand(g, a, "fresh"))
    settle()
    for _ in range(4):
        doc.undo_stack.undo()
        settle()
    assert listed(panel)[params.index(a)] == g.label(a)
    for _ in range(4):
        doc.undo_stack.redo()
        settle()
    for _ in range(2):
        doc.undo_stack.undo()
        settle()
