"""Docks keep their size whatever the panels say (messages, training figures, the quiz), and
View ▸ Reset Layout puts every dock back where it started, at its first size."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from tests.gui.training_helpers import open_lesson

LONG = ("Training stopped at epoch 12 on a non-finite value: box 'hidden layer sigmoid output' (sigmoid) gave "
        "nan for sample 3 of 100 — /a/very/long/path/to/a/data_file_without_any_spaces_in_its_name.csv")


def sizes(win):
    """Every open dock: its place, and its size when it is the one in view (a tab behind another
    keeps an old size nobody sees)."""
    def in_view(d):
        return d.isVisible() and not d.visibleRegion().isEmpty()
    return {d.objectName(): (d.width(), d.height(), d.isFloating(), win.dockWidgetArea(d)) if in_view(d)
            else (None, None, d.isFloating(), win.dockWidgetArea(d))
            for d in win.findChildren(QDockWidget) if not d.isHidden()}


def test_long_messages_and_figures_do_not_resize_any_dock(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    win.resize(1200, 760)
    qtbot.wait(50)
    tv, step = win.training, win.stepper_panel
    labels = [tv.panel.error, tv.panel.figures, tv.plots.boundary.status, tv.plots.derivative.readout,
              tv.data_panel.error, step.message, step.quiz_result]
    before = sizes(win)
    for label in labels:
        label.setText(LONG)
        label.show()
        qtbot.wait(20)
        assert sizes(win) == before, label.objectName() or type(label).__name__
        assert label.text() == LONG  # the whole text is kept (and in the tooltip when cut)
    step.message.hide()


def test_reset_layout_restores_the_first_arrangement(main_window, qtbot):
    win = main_window
    qtbot.wait(50)
    win.plots_dock.raise_()
    qtbot.wait(50)
    first = sizes(win)
    # A learner's damage: a dock floated, one closed, one moved to another side, sizes dragged.
    win.palette_dock.setFloating(True)
    win.data_dock.close()
    win.addDockWidget(Qt.LeftDockWidgetArea, win.training_dock)
    win.resizeDocks([win.inspector_dock], [600], Qt.Horizontal)
    qtbot.wait(50)
    assert sizes(win) != first
    reset = next(a for a in win.menu("View").actions() if a.text() == "&Reset Layout")
    reset.trigger()
    qtbot.wait(50)
    win.plots_dock.raise_()  # which tab is in front depends on the graph (see _raise_bottom_panel)
    qtbot.wait(50)
    after = sizes(win)
    assert after.keys() == first.keys()
    for name, (w, h, floating, area) in first.items():
        w2, h2, floating2, area2 = after[name]
        assert (floating2, area2) == (floating, area), name
        if w is not None:
            assert w2 is not None and abs(w2 - w) <= 4 and abs(h2 - h) <= 4, (name, (w, h), (w2, h2))
