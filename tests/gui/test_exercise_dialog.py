"""File ▸ Save as Exercise…: the dialog writes an exercise file that opens again with its locks,
hidden values and tasks; a mistake in the tasks is one line and the dialog stays open."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFileDialog

from graphcore import exercise, fileformat, lessons
from gui import exercise_dialog as ED


def _window_with(win, graph):
    win.document.load_graph(graph, None)
    return win


def test_the_dialog_writes_an_exercise_that_opens_with_its_locks(main_window, tmp_path, monkeypatch):
    win = _window_with(main_window, lessons.ng_computation_graph())
    out = tmp_path / "ex.graph.json"

    def fill(dialog):
        assert "predict_gradient" in dialog.tasks.toPlainText()  # a starter task on a real box
        dialog.title.setText("Predict, then build")
        dialog.text.setPlainText("# J = 3(a + bc)\nPredict **dJ/db**.")
        dialog.set_chosen(1, ["a", "b", "J"])
        dialog.set_chosen(2, ["u"])
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(ED.ExerciseDialog, "exec", fill)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    assert win.actions_by_name["save_exercise"].isEnabled()
    win.actions_by_name["save_exercise"].trigger()
    lesson = exercise.lesson_of(fileformat.load(out))
    assert (lesson.title, lesson.locks, lesson.hidden) == ("Predict, then build", {"a", "b", "J"}, {"u"})
    assert [t.kind for t in lesson.tasks] == ["predict_gradient"]
    assert exercise.lesson_of(win.document.graph) is None  # the open graph is not changed
    assert "Saved exercise ex.graph.json" in win.statusBar().currentMessage()


def _bad_tasks_are_one_line_and_the_dialog_stays_open(main_window):
    win = _window_with(main_window, lessons.ng_computation_graph())
    dialog = ED.ExerciseDialog(win.document.graph, win)
    for text, words in (("[{\"kind\": \"guess\"}]", "unknown task kind 'guess'"),
                        ("[{", "not valid JSON"),
                        ("[{\"kind\": \"predict_gradient\", \"box\": \"nobody\"}]", "no box 'nobody'"),
                        ("{}", "must be a JSON list")):
        dialog.tasks.setPlainText(text)
        dialog.accept()
        assert words in dialog.error.text() and "\n" not in dialog.error.text()
        assert dialog.result() != QDialog.Accepted and dialog.tasks.toPlainText() == text
    dialog.deleteLater()


def test_bad_tasks_and_a_refused_exercise_file_leave_the_window_as_it_was(main_window, tmp_path, no_modal_dialogs):
    _bad_tasks_are_one_line_and_the_dialog_stays_open(main_window)
    import json

    g = lessons.ng_computation_graph()
    exercise.set_lesson(g, exercise.make_lesson(g, title="t", text="", locks=["a"], hidden=[], tasks=[]))
    doc = json.loads(fileformat.dumps(g))
    doc["lesson"]["tasks"] = [{"id": "fix", "kind": "fix_derivative", "function": "my_gone"}]
    bad = tmp_path / "bad.graph.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    win = _window_with(main_window, lessons.x_squared())
    assert not win.files.open(str(bad), ask=False)
    (kind, title, text), = no_modal_dialogs.seen
    assert "task 'fix' (fix_derivative): its check cannot run" in text and "\n" not in text
    assert win.document.graph.meta["name"] == "f(x) = x²" and win.document.graph.nodes() == ["x", "f"]
