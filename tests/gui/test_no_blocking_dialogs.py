"""No test may hang on a modal dialog: the conftest guard answers every static dialog."""
from PySide6.QtWidgets import QFileDialog, QMessageBox


def test_closing_with_unsaved_changes_is_answered_not_blocking(main_window, no_modal_dialogs):
    win = main_window
    win.edit.add_box("parameter", win.view.mapToScene(40, 40))
    assert win.document.dirty
    assert win.close()  # the guard answered "Discard" instead of waiting for a click
    assert ("question", "Unsaved changes") in [(k, t) for k, t, _ in no_modal_dialogs.seen]


def test_static_dialogs_return_at_once_and_an_unanswered_file_dialog_is_reported(no_modal_dialogs):
    assert QMessageBox.warning(None, "t", "x") == QMessageBox.Ok
    path, _ = QFileDialog.getOpenFileName(None, "Open", "", "*")
    assert path == ""
    assert [k for k, _ in no_modal_dialogs.unexpected] == ["getOpenFileName"]
    no_modal_dialogs.unexpected.clear()  # expected here; elsewhere it fails the test in teardown
