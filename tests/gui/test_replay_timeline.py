"""Replay (issue #14): the timeline slider shows any epoch of a run, read from its history."""
import numpy as np
from PySide6.QtCore import Qt

from graphcore import fileformat
from graphcore.training import Trainer
from gui.commands import RenameCommand
from gui.training.runner import trained_values

from tests.gui.training_helpers import lesson_path, open_lesson

EPOCHS = 40


def trained_xor(win, qtbot, tmp_path, epochs=EPOCHS):
    g = open_lesson(win, "xor_network", tmp_path, qtbot)
    tv = win.training
    tv.panel.epochs.setValue(epochs)
    start = {p: g.value(p) for p in g.parameters()}
    qtbot.mouseClick(tv.panel.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: tv.runner.state == "done", timeout=30_000)
    return g, tv, start


def params(g, ids):
    return {p: g.value(p) for p in ids}


def test_replay_shows_a_fresh_run_of_k_epochs_and_scrubbing_changes_nothing(main_window, qtbot, tmp_path):
    g, tv, start = trained_xor(main_window, qtbot, tmp_path)
    t = tv.runner.trainer
    timeline = tv.timeline
    assert timeline.slider.maximum() == EPOCHS and timeline.slider.value() == EPOCHS
    for k in (0, 1, 17, EPOCHS - 1):
        timeline.slider.setValue(k)
        fresh_graph = fileformat.load(lesson_path("xor_network", tmp_path))
        fresh_graph.set_values(start)
        fresh_graph.set_meta("training", dict(g.meta["training"]))
        fresh = Trainer(fresh_graph, epochs=k)
        fresh.train()
        assert params(g, t.param_ids) == trained_values(fresh), k
        assert timeline.label.text().startswith(f"epoch {k} of {EPOCHS} — replay")
        assert all(m.isVisible() and m.value() == k for m in timeline._markers)
    # The boundary shown is the one of the epoch on show (computed from the graph's values).
    assert tv.replay is not None and tv.replay.epoch == EPOCHS - 1
    timeline.live_button.click()
    assert params(g, t.param_ids) == trained_values(t)
    assert timeline.label.text().startswith(f"epoch {EPOCHS} of {EPOCHS} — live")
    assert not any(m.isVisible() for m in timeline._markers)

    # Scrubbing back and forth a hundred times changes nothing.
    final = trained_values(t)
    kept = {name: np.array(getattr(t.history, name)) for name in ("epochs", "cost", "params", "grads")}
    undo_count, epoch = main_window.document.undo_stack.count(), t.epoch
    rng = np.random.default_rng(0)
    for k in rng.integers(0, EPOCHS + 1, size=100):
        tv.timeline.slider.setValue(int(k))
    tv.timeline.slider.setValue(EPOCHS)
    assert tv.runner.trainer is t and t.epoch == epoch and trained_values(t) == final
    assert params(g, t.param_ids) == final
    for name, before in kept.items():
        np.testing.assert_array_equal(getattr(t.history, name), before)
    assert main_window.document.undo_stack.count() == undo_count
    assert tv.replay is None


def test_an_edit_a_save_or_an_undo_in_replay_then_restart_from_the_same_start(main_window, qtbot, tmp_path):
    g, tv, start = trained_xor(main_window, qtbot, tmp_path)
    final = trained_values(tv.runner.trainer)
    costs = np.array(tv.runner.trainer.history.cost)
    tv.timeline.slider.setValue(5)
    assert params(g, final) != final
    path = tmp_path / "saved.graph.json"
    main_window.document.save(str(path))  # the file holds the trained values, not epoch 5's
    assert params(fileformat.load(path), final) == final and tv.replay is None
    tv.timeline.slider.setValue(5)
    box = next(iter(final))
    main_window.document.push(RenameCommand(g, box, "w_first"))
    assert params(g, final) == final and tv.replay is None
    main_window.document.undo_stack.undo()  # the rename; the trained values stay
    assert params(g, final) == final
    tv.timeline.slider.setValue(30)
    main_window.document.undo_stack.undo()  # the Train step: back to the run's start
    qtbot.wait(20)
    assert params(g, start) == start and tv.replay is None

    # Restart from the same start: the same parameters and seed, so the same epochs again.
    tv.runner.train()
    qtbot.waitUntil(lambda: tv.runner.state == "done", timeout=30_000)
    tv.timeline.slider.setValue(10)
    qtbot.mouseClick(tv.timeline.restart_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: tv.runner.state == "done", timeout=30_000)
    t = tv.runner.trainer
    assert t.epoch == EPOCHS and trained_values(t) == final and tv.runner.run_start == start
    np.testing.assert_array_equal(t.history.cost, costs)
