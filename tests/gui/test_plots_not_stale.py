"""The plots never show a graph that no longer exists: f(x) after an edit and its undo, the
decision boundary after its output box is deleted — also when the Plots were out of view."""
from gui.commands import SetValueCommand

from tests.gui.training_helpers import open_lesson


def _settle(qtbot):
    qtbot.wait(150)  # the plots redraw on a short idle timer


def _curve_points(plot):
    x, _y = plot.f_curve.getData()
    return 0 if x is None else len(x)


def test_f_of_x_clears_when_f_is_deleted_and_returns_on_undo(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "sin2x", tmp_path, qtbot)
    d = win.training.plots.derivative
    win.plots_dock.raise_()
    win.training.refresh()
    assert d.curve is not None and _curve_points(d) > 100
    win.select_nodes(["f"])
    win.edit.delete()
    _settle(qtbot)
    assert d.curve is None and _curve_points(d) == 0
    assert "names no output or loss" in d.readout.text()
    win.document.undo_stack.undo()
    _settle(qtbot)
    assert d.curve is not None and _curve_points(d) > 100


def test_f_of_x_catches_up_with_an_edit_made_while_the_plots_were_hidden(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "sin2x", tmp_path, qtbot)
    d = win.training.plots.derivative
    win.training.refresh()
    assert d.curve.x0 == 0.5
    win.plots_dock.hide()
    _settle(qtbot)
    win.document.push(SetValueCommand(win.document.graph, "x", 1.0))
    _settle(qtbot)
    win.plots_dock.show()
    _settle(qtbot)
    assert d.curve is not None and d.curve.x0 == 1.0


def test_boundary_clears_after_its_output_box_is_deleted_out_of_view(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    b = win.training.plots.boundary
    win.training.refresh()
    assert b.boundary is not None
    win.plots_dock.hide()
    _settle(qtbot)
    out = win.document.graph.meta["output"]
    win.select_nodes([out])
    win.edit.delete()
    _settle(qtbot)
    win.plots_dock.show()
    _settle(qtbot)
    assert b.boundary is None and b.image.image is None
    assert b.status.text().startswith("No boundary")
    win.document.undo_stack.undo()
    _settle(qtbot)
    assert b.boundary is not None


def test_boundary_axes_fit_the_next_graphs_points_when_it_has_no_boundary(main_window, qtbot, tmp_path):
    """XOR's boundary, then a graph with points in [-2, 2] and no output box: the axes were
    left on XOR's unit square (8 of 100 points in sight) — fitted only while no boundary was drawn."""
    from graphcore.graph import Graph

    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    b = win.training.plots.boundary
    win.training.refresh()
    assert b.boundary is not None
    g = Graph()
    g.add_node("input", node_id="x1", column="x1")
    g.add_node("input", node_id="x2", column="x2")
    g.set_meta("dataset", {"points": {"x1": [-2.0, 2.0, 0.5], "x2": [-2.0, 2.0, 0.5], "y": [0, 1, 0]}})
    win.document.load_graph(g, None)
    win.training.refresh()
    _settle(qtbot)
    assert b.boundary is None
    (x0, x1), (y0, y1) = b.view_box.viewRange()
    assert x0 <= -2.0 and x1 >= 2.0 and y0 <= -2.0 and y1 >= 2.0
