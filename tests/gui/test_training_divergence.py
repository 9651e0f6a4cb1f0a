"""A diverging run in the window: the panel shows the Trainer's message and the box is selected."""
from PySide6.QtCore import Qt

from graphcore import fileformat
from graphcore.errors import DivergenceError

from tests.gui.training_helpers import lesson_path


def test_xor_at_lr_1e3_stops_with_the_message_and_selects_the_box(main_window, qtbot, tmp_path):
    # The panel's spin box stops at lr 100, so the learner opens a file that asks for 1e3.
    win = main_window
    g = fileformat.load(lesson_path("xor_network", tmp_path))
    g.set_meta("training", {**g.meta["training"], "lr": 1e3})
    path = tmp_path / "xor_lr1e3.graph.json"
    fileformat.save(g, path)
    win.document.open(str(path))
    g = win.document.graph
    tv = win.training
    win.scene.clearSelection()
    qtbot.mouseClick(tv.panel.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: tv.runner.state != "running", timeout=20_000)
    assert tv.runner.state == "failed"
    err = tv.runner.trainer.error
    assert isinstance(err, DivergenceError) and err.nodes[0] in g
    message = tv.panel.error.text()
    assert "diverged" in message and f"'{g.box_name(err.nodes[0])}'" in message and "smaller learning rate" in message
    assert win.scene.selected_nodes() == [err.nodes[0]]
    assert tv.panel.train_button.isEnabled()
