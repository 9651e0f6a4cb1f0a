"""Steps on a worker thread (issue #20 item 6): the same training, Pause and undo as on the GUI thread."""
import numpy as np
from PySide6.QtCore import Qt

from graphcore import fileformat
from graphcore.training import Trainer
from gui.training import worker as training_worker
from gui.training.runner import trained_values

from tests.gui.training_helpers import lesson_path, open_lesson


def test_offloaded_steps_train_exactly_as_headless_and_pause_and_undo_still_work(main_window, qtbot, tmp_path,
                                                                                monkeypatch):
    monkeypatch.setattr(training_worker, "OFFLOAD_ROWS", 1)  # the xor lesson's 100 points count as huge
    g = open_lesson(main_window, "xor_network", tmp_path, qtbot)
    start = {p: g.value(p) for p in g.parameters()}
    tv = main_window.training
    tv.panel.epochs.setValue(40)
    qtbot.mouseClick(tv.panel.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: tv.runner.state == "done", timeout=30_000)
    assert tv.runner.offloading
    t = tv.runner.trainer
    headless = Trainer(fileformat.load(lesson_path("xor_network", tmp_path)), epochs=40)
    headless.train()
    assert trained_values(t) == trained_values(headless)
    np.testing.assert_array_equal(t.history.cost, headless.history.cost)
    assert {p: g.value(p) for p in t.param_ids} == trained_values(t)  # written at the end

    # Pause mid-run waits for the slice in flight: the Trainer is left whole, at an epoch's end.
    tv.panel.epochs.setValue(100_000)
    tv.runner.train()
    qtbot.waitUntil(lambda: t.epoch > 60, timeout=30_000)
    tv.runner.pause()
    assert tv.runner.state == "paused" and not tv.runner._worker.in_flight
    epoch = t.epoch
    qtbot.wait(50)
    assert t.epoch == epoch and {p: g.value(p) for p in t.param_ids} == trained_values(t)
    main_window.document.undo_stack.setIndex(0)  # both runs (and the epochs) undone
    assert {p: g.value(p) for p in start} == start
