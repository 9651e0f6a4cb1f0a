"""With nothing selected the inspector shows J; during a run it is the run's J, the same
figure as the status bar (it kept the pre-run 0.6994 while the status bar said 0.1228)."""
from tests.gui.training_helpers import open_lesson, run_until_running


def _number(text: str) -> float:
    return float(text.split("=")[1].split()[0])


def test_inspector_cost_follows_training(main_window, qtbot, tmp_path):
    win = main_window
    open_lesson(win, "xor_network", tmp_path, qtbot)
    win.document.evaluate_now()
    win.scene.clearSelection()
    win.inspector._rebuild()
    before = win.inspector.formula.text()
    assert before.startswith("cost J = ")
    tv = run_until_running(win, qtbot)
    shown, status = win.inspector.formula.text(), win.cost_label.text()
    tv.runner.pause()
    assert "epoch" in shown, (shown, status)
    assert abs(_number(shown) - _number(status)) <= 1e-3 * max(1.0, abs(_number(status))), (shown, status)
    assert _number(shown) < _number(before)
    # once the run is over the inspector shows the evaluation of the trained graph again
    qtbot.waitUntil(lambda: "epoch" not in win.inspector.formula.text(), timeout=10_000)
    assert win.inspector.formula.text().startswith("cost J = ")
