"""Train in the window by pressing its real buttons; the plots follow the Trainer's history."""
import time

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from graphcore.graph import Graph
from gui.panels.plots_gradients import box_gradients

from tests.gui.training_helpers import open_lesson


def click(qtbot, button):
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.LeftButton)


@pytest.mark.slow
def test_xor_trains_from_the_window_and_the_plots_show_the_history(main_window, qtbot, tmp_path):
    win = main_window
    g = open_lesson(win, "xor_network", tmp_path, qtbot)
    start = {p: g.value(p) for p in g.parameters()}
    tv = win.training
    panel = tv.panel
    assert panel.optimizer.currentData() == "momentum" and panel.epochs.value() == 500

    tv.plots.bottom.setCurrentWidget(tv.plots.gradients)  # each box's |dJ/dv| is measured only while shown
    click(qtbot, panel.train_button)
    assert tv.runner.state == "running"
    qtbot.waitUntil(lambda: tv.runner.state == "done", timeout=60_000)
    t = tv.runner.trainer
    h = t.history
    assert t.epoch == 500 and len(h) == 500
    tv.plots.bottom.setCurrentWidget(tv.plots.cost)
    assert h.accuracy[-1] >= 0.95, h.last()

    # The cost and accuracy curves are the Trainer's history, epoch for epoch.
    x, y = tv.plots.cost.train_cost.getOriginalDataset()
    np.testing.assert_array_equal(x, h.epochs)
    np.testing.assert_array_equal(y, h.cost)
    x, y = tv.plots.cost.train_acc.getOriginalDataset()
    np.testing.assert_array_equal(y, h.accuracy)
    test_x = tv.plots.cost.test_cost.getOriginalDataset()[0]
    assert test_x is None or len(test_x) == 0  # the xor lesson holds out no test points
    # The gradient bars are the last epoch's mean |dJ/dv| per box, in graph order.
    tv.plots.bottom.setCurrentWidget(tv.plots.gradients)
    boxes, values = box_gradients(g, h.var_keys, h.box_grads[-1])
    assert tv.plots.gradients.boxes == boxes == [n for n in g.nodes() if n in boxes]
    np.testing.assert_array_equal(tv.plots.gradients.values, values)
    assert values.max() > 0
    # Each parameter's value over the epochs, ending at the trained value.
    pid = t.param_ids[0]
    tv.plots.bottom.setCurrentWidget(tv.plots.parameters)
    tv.plots.parameters.show_parameter(pid)
    px, py = tv.plots.parameters.curves[pid][0].getOriginalDataset()
    np.testing.assert_array_equal(px, h.row_epochs)
    assert py[-1] == t.params[0]

    # The trained values are in the graph, and one undo step takes them back.
    assert {p: g.value(p) for p in t.param_ids} == {p: float(v) for p, v in zip(t.param_ids, t.params, strict=True)}
    assert "Train 500 epochs" in panel.progress.text() or panel.progress.value() == 500
    stack = win.document.undo_stack
    assert stack.text(stack.index() - 1) == "Train 500 epochs"
    stack.undo()
    assert {p: g.value(p) for p in g.parameters()} == start

    # The boundary drawn is the trained model's: its classes at the data points give the accuracy.
    stack.redo()
    tv.refresh()
    b = tv.plots.boundary.boundary
    ds = win.document.dataset()
    ix = np.abs(ds.columns["x1"][:, None] - b.xs[None]).argmin(axis=1)
    iy = np.abs(ds.columns["x2"][:, None] - b.ys[None]).argmin(axis=1)
    on_grid = np.mean(b.classes[iy, ix] == ds.columns["y"])
    assert on_grid >= 0.9  # nearest grid point, 1/100 away: a few points on the boundary may differ


def test_click_latency_during_training_and_pause_stops_the_epoch_counter(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    tv = win.training
    panel = tv.panel
    panel.epochs.setValue(1_000_000)  # long enough never to finish during the test
    click(qtbot, panel.train_button)
    qtbot.waitUntil(lambda: tv.runner.trainer.epoch >= 5, timeout=10_000)

    # A click posted to the event queue mid-training: how long until the window handles it?
    box = tv.plots.boundary.discretize
    handled = []
    box.toggled.connect(lambda _on: handled.append(time.perf_counter()))
    latencies = []
    for _ in range(5):
        handled.clear()
        pos = QPointF(box.rect().center())
        posted = time.perf_counter()
        for kind in (QEvent.MouseButtonPress, QEvent.MouseButtonRelease):
            QApplication.postEvent(box, QMouseEvent(kind, pos, box.mapToGlobal(pos), Qt.LeftButton,
                                                    Qt.LeftButton if kind == QEvent.MouseButtonPress
                                                    else Qt.NoButton, Qt.NoModifier))
        qtbot.waitUntil(lambda: bool(handled), timeout=5_000)
        latencies.append((handled[0] - posted) * 1000)
        qtbot.wait(20)
    assert tv.runner.state == "running"
    print(f"\nclick latency during training: median {np.median(latencies):.1f} ms, "
          f"max {max(latencies):.1f} ms over {len(latencies)} clicks (goal: < 100 ms)")
    assert max(latencies) < 2000  # only a gross freeze fails; the figure is reported above

    click(qtbot, panel.pause_button)
    assert tv.runner.state == "paused"
    epoch = tv.runner.trainer.epoch
    qtbot.wait(300)
    assert tv.runner.trainer.epoch == epoch  # paused: the counter stands still
    assert panel.progress.value() == epoch
    stack = win.document.undo_stack
    assert stack.text(stack.index() - 1) == f"Train {epoch} epochs"
    assert panel.train_button.text() == "Resume"

    click(qtbot, panel.train_button)  # resume
    qtbot.waitUntil(lambda: tv.runner.trainer.epoch > epoch + 2, timeout=10_000)
    click(qtbot, panel.stop_button)
    assert tv.runner.state == "stopped"
    stopped_at = tv.runner.trainer.epoch
    qtbot.wait(100)
    assert tv.runner.trainer.epoch == stopped_at


def test_step_one_batch_and_one_epoch(main_window, qtbot, tmp_path):
    win = main_window
    g = open_lesson(win, "xor_network", tmp_path, qtbot)
    tv = win.training
    panel = tv.panel
    panel.batch_size.setValue(25)  # 100 points → 4 batches an epoch
    assert g.meta["training"]["batch_size"] == 25
    before = {p: g.value(p) for p in g.parameters()}
    click(qtbot, panel.step_batch_button)
    t = tv.runner.trainer
    assert t.epoch == 0 and tv.runner.state == "paused"
    assert {p: g.value(p) for p in g.parameters()} != before  # one step moved the parameters
    click(qtbot, panel.step_epoch_button)  # finishes the epoch under way
    assert t.epoch == 1 and len(t.history) == 1
    click(qtbot, panel.step_epoch_button)
    assert t.epoch == 2
    assert len(tv.plots.cost.train_cost.getOriginalDataset()[0]) == 2
    stack = win.document.undo_stack
    assert [stack.text(i) for i in range(stack.index() - 3, stack.index())] == [
        "Step one batch", "Step one epoch", "Step one epoch"]


def test_reset_parameters_is_seeded_and_undoable(main_window, qtbot, tmp_path):
    win = main_window
    g = open_lesson(win, "xor_network", tmp_path, qtbot)
    panel = win.training.panel
    original = {p: g.value(p) for p in g.parameters()}
    panel.reset_seed.setValue(7)
    click(qtbot, panel.reset_button)
    first = {p: g.value(p) for p in g.parameters()}
    assert first != original
    win.document.undo_stack.undo()
    assert {p: g.value(p) for p in g.parameters()} == original
    click(qtbot, panel.reset_button)
    assert {p: g.value(p) for p in g.parameters()} == first  # same seed, same start


def test_settings_edit_the_training_block_undoably(main_window, qtbot, tmp_path):
    win = main_window
    g = open_lesson(win, "xor_network", tmp_path, qtbot)
    panel = win.training.panel
    panel.optimizer.setCurrentIndex(panel.optimizer.findData("adam"))
    assert g.meta["training"]["optimizer"] == "adam"
    assert panel.option_spins["beta1"].isVisible() and not panel.option_spins["alpha"].isVisible()
    panel.lr.setValue(0.02)
    assert g.meta["training"]["lr"] == pytest.approx(0.02)
    panel.option_spins["beta2"].setValue(0.99)
    assert g.meta["training"]["betas"] == [0.9, 0.99]
    win.document.undo_stack.undo()
    assert "betas" not in g.meta["training"]
    assert panel.option_spins["beta2"].value() == pytest.approx(0.999)  # the panel follows the undo
    click(qtbot, panel.step_epoch_button)
    assert win.training.runner.trainer.optimizer_name == "adam"


def diverging_graph() -> Graph:
    """J = w·w·k with a learning rate so large that w grows without bound: w ← w(1 − 2·lr·k)."""
    g = Graph("diverges")
    g.add_node("parameter", "w", value=1.0)
    g.add_node("constant", "k", value=1.0)
    g.add_node("square", "sq")
    g.add_node("mul", "J")
    g.connect("w", "sq", 0)
    g.connect("sq", "J", 0)
    g.connect("k", "J", 1)
    g.set_meta("loss", "J")
    g.set_meta("training", {"optimizer": "sgd", "lr": 1e200, "epochs": 100})  # w² overflows in epoch 2
    return g


def test_training_stops_with_a_clear_message_on_a_non_finite_value(main_window, qtbot):
    win = main_window
    win.document.load_graph(diverging_graph(), None)
    tv = win.training
    click(qtbot, tv.panel.train_button)
    qtbot.waitUntil(lambda: tv.runner.state != "running", timeout=10_000)
    assert tv.runner.state == "failed"
    err = tv.runner.trainer.error
    message = tv.panel.error.text()
    assert "non-finite" in message and "Training stopped at epoch" in message
    assert err.nodes and f"'{err.nodes[0]}'" in message
    assert win.scene.selected_nodes() == [err.nodes[0]]  # the box is selected on the canvas
    assert tv.panel.train_button.isEnabled()
    # The parameter keeps its last finite value in the graph.
    assert np.isfinite(win.document.graph.value("w"))


def test_arrow_widths_follow_the_gradient(main_window, qtbot, tmp_path):
    win = main_window
    g = open_lesson(win, "xor_network", tmp_path, qtbot)
    tv = win.training
    click(qtbot, tv.panel.step_epoch_button)
    tv.panel.edge_widths.setChecked(True)
    ov = win.scene.overlay
    assert ov is not None and set(ov.edge_widths) == set(g.edges())
    widths = np.array(list(ov.edge_widths.values()))
    assert widths.min() >= 1.0 and widths.max() == pytest.approx(5.0)
    # The widest arrow carries the Variable with the largest |dJ/dv|.
    h = tv.runner.trainer.history
    mags = dict(zip(h.var_keys, h.box_grads[-1], strict=True))
    widest = max(ov.edge_widths, key=ov.edge_widths.get)
    assert mags[widest.src] == max(mags[e.src] for e in g.edges())
    tv.panel.edge_widths.setChecked(False)
    assert win.scene.overlay is None


def test_graph_edit_during_training_stops_the_run_cleanly(main_window, qtbot, tmp_path):
    win = main_window
    g = open_lesson(win, "xor_network", tmp_path, qtbot)
    tv = win.training
    tv.panel.epochs.setValue(1_000_000)
    click(qtbot, tv.panel.train_button)
    qtbot.waitUntil(lambda: tv.runner.trainer.epoch >= 3, timeout=10_000)
    from gui.commands import SetMetaCommand
    win.document.push(SetMetaCommand(g, "dataset", {"generator": "circle", "n": 50, "seed": 1, "noise": 0.0,
                                                    "test_fraction": 0.0}))
    qtbot.waitUntil(lambda: tv.runner.state != "running", timeout=5_000)
    assert tv.runner.state == "stopped" and "graph changed" in tv.runner.message
    click(qtbot, tv.panel.step_epoch_button)  # a fresh Trainer on the new data
    assert tv.runner.trainer.n_train == 50 and tv.runner.trainer.epoch == 1


def test_saving_into_another_folder_keeps_a_paused_run(main_window, qtbot, tmp_path):
    """Save As moves the graph's source path; for a generated data set that is no reason to
    restart the run (its history would be lost)."""
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    tv = win.training
    click(qtbot, tv.panel.step_epoch_button)
    click(qtbot, tv.panel.step_epoch_button)
    trainer = tv.runner.trainer
    (tmp_path / "elsewhere").mkdir()
    assert win.files._write(str(tmp_path / "elsewhere" / "xor.graph.json"))
    click(qtbot, tv.panel.step_epoch_button)
    assert tv.runner.trainer is trainer and trainer.epoch == 3
