"""File ▸ Export ▸ Python (numpy)/(PyTorch): the script of the graph as it is in the window,
trained parameters included, written atomically; failures said in a dialog."""
import json
import subprocess
import sys

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from graphcore import engine
from tests.gui.training_helpers import open_lesson


def _export_via_menu(win, monkeypatch, key, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))
    win.actions_by_name[key].trigger()


def _first_cost(script, tmp_path):
    out = subprocess.run([sys.executable, str(script), "--json", "--epochs", "0"], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["first"]["cost"]


def test_numpy_export_from_the_window_runs_with_the_trained_parameters(main_window, qtbot, tmp_path, monkeypatch):
    win = main_window
    g = open_lesson(win, "logistic_regression", tmp_path, qtbot)
    start = {p: g.value(p) for p in g.parameters()}
    win.training.runner.step_epoch()  # the window's own training writes new values into the graph
    qtbot.waitUntil(lambda: {p: g.value(p) for p in g.parameters()} != start)
    plan = engine.compile_graph(g)
    expected = plan.run(win.document.dataset().train()).cost
    script = tmp_path / "exported.py"
    _export_via_menu(win, monkeypatch, "export_numpy", script)
    text = script.read_text()
    assert "import torch" not in text and "def backward" in text
    for p in g.parameters():  # the trained values, not the file's
        assert repr(float(g.value(p))) in text
    assert _first_cost(script, tmp_path) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_torch_export_from_the_window(main_window, qtbot, tmp_path, monkeypatch):
    pytest.importorskip("torch")
    win = main_window
    g = open_lesson(win, "logistic_regression", tmp_path, qtbot)
    script = tmp_path / "exported_torch.py"
    _export_via_menu(win, monkeypatch, "export_torch", script)
    assert "nn.Module" in script.read_text()
    expected = engine.compile_graph(g).run(win.document.dataset().train()).cost
    assert _first_cost(script, tmp_path) == pytest.approx(expected, rel=1e-9)


def test_an_incomplete_graph_is_refused_in_a_dialog_and_nothing_is_written(main_window, tmp_path, monkeypatch):
    win = main_window
    win.edit.add_box("mul", win.view.mapToScene(50, 50))  # both ports unwired
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: shown.append(text)))
    script = tmp_path / "never.py"
    _export_via_menu(win, monkeypatch, "export_numpy", script)
    assert len(shown) == 1 and "cannot be exported" in shown[0] and "unwired" in shown[0], shown
    assert not script.exists()


def test_an_unwritable_path_is_said_in_a_dialog(main_window, qtbot, tmp_path, monkeypatch):
    win = main_window
    open_lesson(win, "ng_computation_graph", tmp_path, qtbot)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: shown.append(text)))
    assert not win.code_export.export_to("numpy", str(tmp_path / "no_such_folder" / "x.py"))
    assert shown and "cannot write" in shown[0]
