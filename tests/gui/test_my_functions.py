"""Functions ▸ New Function…: the dialog shows the check's verdict (✔, or ✘ with the point and
three values, or the one-line refusal), Add puts the Function in the palette with its verdict,
and Train refuses a graph whose learner Function has a ✘ verdict, with that message."""
from __future__ import annotations

import json

import pytest

from graphcore import fileformat
from graphcore import functions as F
from gui.panels.my_functions import NewFunctionDialog
from tests.gui.helpers import shown
from tests.learner.learner_helpers import SWISH, xor_with


@pytest.fixture(autouse=True)
def clean_catalogue():
    """Registering a learner Function is global: each test leaves the catalogue as it found it —
    after its windows are gone, else a timer of one (autosave, evaluation) may look up a
    Function of its graph that is no longer there, in the next test."""
    from PySide6.QtCore import QCoreApplication, QEvent
    before = dict(F.CATALOGUE)
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    F.CATALOGUE.clear()
    F.CATALOGUE.update(before)


def test_new_function_dialog_shows_the_verdict_and_adds_to_the_palette(main_window, qtbot):
    win = main_window
    win.actions_by_name["new_function"].trigger()
    dialog = shown(win, NewFunctionDialog)
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


# --- the learner's library of Functions -------------------------------------------------------
def new_window(qtbot):
    from gui.main_window import MainWindow
    win = MainWindow(offer_recovery=False)
    win.show()
    qtbot.waitExposed(win)
    return win


def close(win):
    win.document.undo_stack.setClean()
    win.document.set_dirty(False)
    win.close()
    win.deleteLater()  # gone before the catalogue is restored (clean_catalogue)


def add_swish(win, derivative="sigmoid(x)*(1 + x*(1 - sigmoid(x)))"):
    win.actions_by_name["new_function"].trigger()
    dialog = shown(win, NewFunctionDialog)
    dialog.derivatives["x"].setText(derivative)
    dialog.add_button.click()
    dialog.close()
    return dialog


def test_a_function_made_in_the_window_is_in_the_library_of_every_later_window(main_window, app_dirs,
                                                                                tmp_path, qtbot):
    add_swish(main_window)
    library = app_dirs / "my_functions.json"
    assert json.loads(library.read_text(encoding="utf-8"))["functions"] == [SWISH]
    later = new_window(qtbot)
    try:
        assert later.palette_panel.items["my_swish"].text(0) == "my_swish  ✔"
        later.palette_panel.activated.emit("my_swish")  # placed on the later window's new graph
        graph = later.document.graph
        assert [graph.op(n) for n in graph.nodes()] == ["my_swish"]
        path = tmp_path / "uses_it.graph.json"
        assert later.files._write(str(path))
        assert json.loads(path.read_text(encoding="utf-8"))["functions"] == [SWISH]
        # remove from the library: the palette entry's context menu
        menu = later.palette_panel.function_menu("my_swish")
        assert later.palette_panel.function_menu("relu") is None  # built-in Functions have none
        (remove,) = menu.actions()
        assert remove.text() == "Remove my_swish from my library"
        remove.trigger()
        menu.close()
        assert json.loads(library.read_text(encoding="utf-8"))["functions"] == []
        assert "my_swish" in later.palette_panel.items  # the open graph still uses it
        assert "still uses it" in later.statusBar().currentMessage()
    finally:
        close(later)
    main_window.palette_panel.remove_requested.emit("my_swish")  # nothing on its graph: the entry goes
    assert "my_swish" not in main_window.palette_panel.items


HOSTILE = {"format": "backprop-studio-functions", "version": 1,
           "functions": [dict(SWISH, forward="__import__('os').system('touch pwned')")]}


def test_a_broken_library_file_is_reported_in_one_line_and_left_untouched(app_dirs, qtbot, monkeypatch):
    library = app_dirs / "my_functions.json"
    for content, words in [(json.dumps(HOSTILE), "'functions': my_swish: forward: "),
                           ('{"format": "backprop-studio-functions", "version": 1, "functions": [', "invalid JSON"),
                           ("[1, 2]", "not a library of Functions")]:
        library.write_text(content, encoding="utf-8")
        monkeypatch.chdir(app_dirs)
        win = new_window(qtbot)
        try:
            message = win.statusBar().currentMessage()
            assert message.startswith("Your library of Functions: my_functions.json: ") and words in message
            assert "\n" not in message and "left as it is" in message
            assert "my_swish" not in win.palette_panel.items
            add_swish(win)  # the window carries on; the Function is kept for the session only
            assert win.palette_panel.items["my_swish"].text(0) == "my_swish  ✔"
            assert "could not be read" in win.statusBar().currentMessage()
            assert library.read_text(encoding="utf-8") == content
            assert not (app_dirs / "pwned").exists()
        finally:
            close(win)


def test_a_file_defining_a_library_function_differently_is_refused(main_window, tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.Ok)
    add_swish(main_window)
    other = tmp_path / "other.graph.json"
    other.write_text(json.dumps(xor_with(dict(SWISH, forward="tanh(x)", derivatives={"x": "1 - out*out"}))),
                     encoding="utf-8")
    assert not main_window.files.open(str(other), ask=False)
    assert main_window.statusBar().currentMessage() == (
        "'functions': your Function my_swish is already defined differently by your library of Functions: "
        "give this one another name")
    same = tmp_path / "same.graph.json"
    same.write_text(json.dumps(xor_with(SWISH)), encoding="utf-8")
    assert main_window.files.open(str(same), ask=False)  # the same definition is shared


@pytest.mark.slow
def test_swish_trains_xor_in_the_window_and_its_numpy_export_reproduces_the_cost(main_window, tmp_path, qtbot):
    from tests.export.export_helpers import run_scripts
    win = main_window
    path = tmp_path / "xor_swish.graph.json"
    path.write_text(json.dumps(xor_with(SWISH)), encoding="utf-8")
    assert win.files.open(str(path), ask=False)
    script = tmp_path / "xor_swish.py"
    assert win.code_export.export_to("numpy", str(script))  # before training: the script trains the same run
    runner = win.training.runner
    runner.train()
    assert runner.state == "running"
    qtbot.waitUntil(lambda: runner.state == "done", timeout=120_000)
    result = runner.trainer.result()  # cost and accuracy after the last step, as the script prints
    assert result["epochs"] == 300 and result["accuracy"] >= 0.95, result
    (exported,) = run_scripts([script.read_text(encoding="utf-8")], tmp_path, timeout=300)
    assert abs(exported["cost"] - result["cost"]) <= 1e-9


def test_a_new_function_may_not_redefine_one_the_open_graph_uses(main_window, tmp_path, qtbot):
    win = main_window
    path = tmp_path / "xor_swish.graph.json"
    path.write_text(json.dumps(xor_with(SWISH)), encoding="utf-8")
    assert win.files.open(str(path), ask=False)
    win.actions_by_name["new_function"].trigger()
    dialog = shown(win, NewFunctionDialog)
    dialog.forward.setText("tanh(x)")
    dialog.derivatives["x"].setText("1 - out*out")
    dialog.add_button.click()
    assert dialog.verdict.text() == ("✘ your Function my_swish is already defined differently by the open graph "
                                     "'xor network': give this one another name")
    assert F.CATALOGUE["my_swish"].expr == "x*sigmoid(x)"
    dialog.name.setText("my_tanh")  # another name is fine, and the open graph keeps its own
    dialog.add_button.click()
    assert dialog.verdict.text().startswith("✔ ") and F.CATALOGUE["my_tanh"].expr == "tanh(x)"


def test_help_stays_the_last_menu(main_window):
    """The Functions menu (added after Help by its installer) goes before Help."""
    titles = [a.text().replace("&", "") for a in main_window.menuBar().actions()]
    assert "Functions" in titles and titles[-1] == "Help", titles
