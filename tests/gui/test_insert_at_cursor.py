"""Insert ▸ Network / Expression drop the piece at the cursor: where the learner last clicked the
canvas (or right-clicked: "Insert … here"), else the middle of the view; never over a box."""
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QMenu

from graphcore import fileformat
from graphcore.group_layout import box_size
from graphcore.groups import groups_of
from graphcore.placement import MARGIN, footprint
from gui.insert_dialogs import ExpressionDialog, NetworkDialog, open_dialog
from tests.gui.helpers import shown

XOR = {"generator": "xor", "n": 100, "seed": 0, "noise": 0.0, "test_fraction": 0.0}
AWAY = QPoint(-30000, -30000)  # a screen point over no widget: the mouse is not on the canvas


def _top_left(graph, ids):
    pts = [graph.layout[n] for n in ids]
    return min(p[0] for p in pts), min(p[1] for p in pts)


def test_the_network_goes_where_the_canvas_was_clicked_and_never_over_a_box(main_window):
    win = main_window
    win.document.graph.set_meta("dataset", XOR)
    win.view.last_click = win.view.visible_rect().center() + QPointF(-120, -80)
    assert win.view.drop_point(AWAY) == win.view.last_click
    dialog = open_dialog(win, NetworkDialog)
    dialog.at = (win.view.last_click.x(), win.view.last_click.y())  # the mouse may be anywhere on the test machine
    dialog.insert()
    g = win.document.graph
    assert _top_left(g, dialog.inserted.new_ids) == (dialog.at[0], dialog.at[1])
    assert len(g) == 116 and win.document.undo_stack.count() == 1
    groups = groups_of(g)  # laid out as the lessons open: one collapsed box per layer, side by side
    assert all(groups.get(n).collapsed for n in groups.names())
    assert len(footprint(g)) == 2 + 3 + 1  # two layers; x₁, x₂, y; the loss
    assert g.layout["L"][0] - dialog.at[0] < 1200
    win.document.undo_stack.undo()
    assert len(g) == 0
    # clicked on a box: the piece goes beside it, not over it
    open_dialog(win, NetworkDialog, QPointF(0, 0)).insert()
    g = win.document.graph
    before = footprint(g) + [-MARGIN, -MARGIN, MARGIN, MARGIN]
    x, y = g.layout["x1"]
    dialog = open_dialog(win, ExpressionDialog, QPointF(x + 10, y + 10))  # clicked on the input box x₁
    dialog.expression.setText("sigmoid(w*x1 + b)")
    dialog.insert()
    new = set(dialog.inserted.new_ids)
    assert new and "x1" not in new  # the data column x1 is read by the box already there
    left, top = _top_left(g, new)
    assert left >= x + 10 and top >= y + 10
    for n in new:
        (x0, y0), (w, h) = g.layout[n], box_size(g, n)
        assert not ((x0 < before[:, 2]) & (x0 + w > before[:, 0]) & (y0 < before[:, 3]) & (y0 + h > before[:, 1])).any()
    assert win.document.undo_stack.count() == 2


def test_no_click_is_the_middle_of_the_view_and_a_right_click_offers_insert_here(main_window):
    win = main_window
    win.view.last_click = None
    centre = win.view.visible_rect().center()
    assert win.view.drop_point(AWAY) == centre
    win.view.last_click = centre + QPointF(1e6, 0)  # clicked long ago, since scrolled out of view
    assert win.view.drop_point(AWAY) == centre
    spot = win.view.viewport().rect().center()
    event = QContextMenuEvent(QContextMenuEvent.Mouse, spot, win.view.viewport().mapToGlobal(spot))
    win.view.contextMenuEvent(event)
    menu = shown(win, QMenu)
    assert [a.text() for a in menu.actions()] == ["Insert &Network here…", "Insert &Expression here…"]
    menu.actions()[1].trigger()
    dialog = shown(win, ExpressionDialog)
    assert isinstance(dialog, ExpressionDialog)
    at = win.view.mapToScene(spot)
    assert dialog.at == (at.x(), at.y())
    dialog.insert()
    g = win.document.graph
    assert _top_left(g, dialog.inserted.new_ids) == dialog.at
    assert fileformat.dumps(g)  # a graph that saves
    menu.close()
