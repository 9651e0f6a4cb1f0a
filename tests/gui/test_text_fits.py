"""Text that used to be clipped or to run into other text: a source box's note and its port
name, the f(x) caption and figures, the accuracy ticks, the data panel's hint."""
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from graphcore.graph import Graph

from tests.gui.training_helpers import open_lesson


class RecordingPainter(QPainter):
    """Paints as usual and remembers where each text went (its real extent, by font metrics)."""

    def __init__(self, device):
        super().__init__(device)
        self.texts = []

    def drawText(self, rect, flags, text):
        fm = self.fontMetrics()
        self.texts.append((text, self.transform().mapRect(fm.boundingRect(rect.toRect(), int(flags), text))))
        return super().drawText(rect, flags, text)


def _painted_texts(item):
    img = QImage(400, 200, QImage.Format_ARGB32)
    img.fill(0xFFFFFFFF)
    painter = RecordingPainter(img)
    painter.translate(20, 20)
    item.paint(painter, QStyleOptionGraphicsItem(), None)
    painter.end()
    return painter.texts


def test_an_input_box_note_does_not_run_into_its_port_name(main_window, qtbot):
    win = main_window
    g = Graph()
    g.add_node("input", node_id="x")
    win.document.load_graph(g, None)
    item = win.scene.node_items["x"]
    texts = _painted_texts(item)
    assert any(t == "no data set, no value" for t, _ in texts), texts  # said in full
    rects = [(t, r) for t, r in texts if t]
    for i, (t1, r1) in enumerate(rects):
        for t2, r2 in rects[i + 1:]:
            assert not r1.intersects(r2), (t1, t2)


def test_f_of_x_caption_and_figures_are_not_clipped(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "sin2x", tmp_path, qtbot)
    win.resize(1200, 760)
    win.plots_dock.raise_()
    d = win.training.plots.derivative
    win.training.refresh()
    qtbot.wait(50)
    title = d.plot.getPlotItem().titleLabel
    # The title is centred over the plot area: wider than that, it runs off the widget.
    assert title.item.boundingRect().width() <= d.plot.getPlotItem().vb.width(), title.text
    r = d.readout
    assert "central difference" in r.text()
    assert r.heightForWidth(r.width()) <= r.height(), (r.heightForWidth(r.width()), r.height())


def test_accuracy_ticks_are_readable(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    win.plots_dock.raise_()
    cost = win.training.plots.cost
    win.training.plots.bottom.setCurrentWidget(cost)
    qtbot.wait(50)
    axis = cost.acc_plot.getPlotItem().getAxis("left")
    img = QImage(200, 400, QImage.Format_ARGB32)
    painter = QPainter(img)
    _axis, _ticks, texts = axis.generateDrawSpecs(painter)
    painter.end()
    shown = [t[2] for t in texts]
    assert shown == ["0%", "50%", "100%"], shown
    label = axis.label
    assert not axis.labelText or label.boundingRect().width() <= axis.height()  # no label taller than the plot


def test_data_panel_hint_is_shown_whole(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    for size in ((1000, 640), (1400, 860)):
        win.resize(*size)
        qtbot.wait(50)
        hint = win.training.data_panel.findChild(type(win.training.data_panel.info), "data_hint")
        assert hint.heightForWidth(hint.width()) <= hint.height()
        assert hint.fontMetrics().boundingRect(QRectF(0, 0, hint.width(), 1000).toRect(),
                                               int(Qt.TextWordWrap), hint.text()).width() <= hint.width()


def test_gradient_bars_caption_is_shown_whole(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "logistic_regression", tmp_path, qtbot)
    win.resize(1400, 860)
    win.plots_dock.raise_()
    bars = win.training.plots.gradients
    win.training.plots.bottom.setCurrentWidget(bars)
    win.training.refresh()
    split = win.training.plots.bottom.parentWidget()
    split.setSizes([split.width() - 300, 300])  # the narrow column the learner's window gave it
    qtbot.wait(50)
    caption = bars.caption
    assert caption.width() <= 300
    assert "mean |dJ/dv|" in caption.text()
    wrapped = caption.fontMetrics().boundingRect(QRectF(0, 0, caption.width(), 1000).toRect(),
                                                 int(Qt.TextWordWrap), caption.text())
    assert wrapped.width() <= caption.width(), (wrapped.width(), caption.width())
    assert caption.heightForWidth(caption.width()) <= caption.height()
