"""The speed control (issue #14): epochs per second, the lesson's pace, and "max"."""
import pytest

from gui.document import Document
from gui.training.runner import TrainingRunner
from gui.panels.training_speed import SpeedChoice, lesson_pace, speed_from_env


@pytest.mark.parametrize(("epochs", "pace"), [(200, 13), (500, 33), (1200, 80), (5, 1), (0, 1)])
def test_a_lesson_takes_ten_to_twenty_seconds_to_watch(epochs, pace):
    assert lesson_pace(epochs) == pace
    if epochs >= 150:
        assert 10 <= epochs / pace <= 20


def test_the_environment_chooses_the_starting_speed():
    assert speed_from_env("max") is None and speed_from_env(" MAX ") is None
    assert speed_from_env("20") == 20
    for text in (None, "", "fast", "0", "-3", "1e9"):
        assert speed_from_env(text) == "pace"


def test_the_choice_follows_the_epochs_and_starts_as_the_environment_says(qtbot, monkeypatch):
    monkeypatch.setenv("BACKPROP_STUDIO_SPEED", "pace")
    choice = SpeedChoice()
    choice.set_epochs(500)
    assert choice.speed() == 33 and "33 epochs/s" in choice.itemText(0)
    choice.setCurrentIndex(choice.findData(None))
    assert choice.speed() is None
    monkeypatch.setenv("BACKPROP_STUDIO_SPEED", "7")
    seven = SpeedChoice()
    assert seven.speed() == 7 and seven.currentText() == "7 epochs/s"


def test_a_set_speed_lets_a_slice_train_only_the_epochs_the_clock_allows(qtbot):
    runner = TrainingRunner(Document())
    target = 1000
    runner.set_speed(5)
    t0, e0 = runner._pace
    assert runner._paced_limit(t0, target) == e0 + 1  # the first epoch at once
    assert runner._paced_limit(t0 + 1.0, target) == e0 + 6  # then five a second
    assert runner._paced_limit(t0 + 1e6, target) == 1000  # never past the run's target
    runner.set_speed(None)
    assert runner._paced_limit(t0, target) == 1000
    runner.shutdown()
