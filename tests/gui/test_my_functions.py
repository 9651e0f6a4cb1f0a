"""Functions ▸ New Function…: the dialog shows the check's verdict (✔, or ✘ with the point and
three values, or the one-line refusal), Add puts the Function in the palette with its verdict,
and Train refuses a graph whose learner Function has a ✘ verdict, with that message."""
from __future__ import annotations

import json

from graphcore import fileformat
from tests.learner.test_learner_functions import SWISH, clean_catalogue, xor_with  # noqa: F401 — the fixture


def test_new_function_dialog_shows_the_verdict_and_adds_to_the_palette(main_window, qtbot):
    win = main_window
    win.actions_by_name["new_function"].trigger()
    dialog = win.new_function_dialog
    assert dialog.isVisible()
    dialog.derivatives["x"].setText("sigmoid(x)")  # forgot the product rule
    dialog.check_button.click()
    text = dialog.verdict.text()
    assert text.startswith("✘ at x = ") and "your derivative gives" in text and "central difference" in text
    dialog.forward.setText("x.__class__")
    dialog.check_button.click()
    assert dialog.verdict.text().startswith("✘ my_swish: forward: col 2: '.' is not allowed")
    dialog.forward.setText("x*sigmoid(x)")
    dialog.derivatives["x"].setText("sigmoid(x)*(1 + x*(1 - sigmoid(x)))")
    dialog.add_button.click()
    assert dialog.verdict.text().startswith("✔ ")
    item = win.palette_panel.items["my_swish"]
    assert item.text(0) == "my_swish  ✔" and "✔ your derivative" in item.toolTip(0)
    assert "my_swish" in win.palette_panel.visible_ops()
    dialog.ports.setText("a, b")
    assert list(dialog.derivatives) == ["a", "b"]


def test_train_refuses_a_function_whose_verdict_is_wrong(main_window, tmp_path, qtbot):
    win = main_window
    path = tmp_path / "wrong.graph.json"
    path.write_text(json.dumps(xor_with(dict(SWISH, derivatives={"x": "sigmoid(x)"}))), encoding="utf-8")
    assert win.files.open(str(path), ask=False)
    assert win.palette_panel.items["my_swish"].text(0) == "my_swish  ✘"
    runner = win.training.runner
    runner.train()
    assert runner.state != "running"
    assert runner.message.startswith("Train refuses your Function my_swish: ✘ at x = ")
    assert "symbolic" in runner.message and "central difference" in runner.message
    # with the derivative put right, training starts
    good = tmp_path / "good.graph.json"
    fileformat.save(fileformat.from_dict(xor_with(SWISH)), good)
    assert win.files.open(str(good), ask=False)
    runner.train()
    assert runner.state == "running"
    runner.stop()
