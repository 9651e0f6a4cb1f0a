"""The learner's lesson progress file (gui/lessons/progress.py; no Qt): kept across restarts,
and a file that cannot be read is moved aside (never written over) with one line saying so."""
import json
import os

import pytest

from gui.lessons.progress import BROKEN_NAME, FILE_NAME, Progress


def test_done_tasks_survive_a_new_progress_object(tmp_path):
    p = Progress(tmp_path)
    assert p.problem is None and p.done("xor") == set()
    assert p.mark_done("xor", "xor_95") and not p.mark_done("xor", "xor_95")
    again = Progress(tmp_path)
    assert again.done("xor") == {"xor_95"} and again.count("xor", ["xor_95", "xor_cost"]) == 1
    assert json.loads((tmp_path / FILE_NAME).read_text()) == {"version": 1, "lessons": {"xor": ["xor_95"]}}


@pytest.mark.parametrize("content", [b"{not json", b'{"version": 1, "lessons": {"x": 3}}', b"\xff\xfe\x00",
                                     b'{"version": 7, "lessons": {}}', b"[]", b'{"version": 1, "lessons": '
                                     b'{"x": [1, 2]}}'])
def test_a_broken_file_is_kept_aside_and_progress_starts_afresh(tmp_path, content):
    (tmp_path / FILE_NAME).write_bytes(content)
    p = Progress(tmp_path)
    assert p.done("x") == set() and p.problem and "\n" not in p.problem
    assert "could not be read" in p.problem and BROKEN_NAME in p.problem
    assert (tmp_path / BROKEN_NAME).read_bytes() == content
    p.mark_done("x", "t")
    assert Progress(tmp_path).done("x") == {"t"}


def test_a_fifo_or_a_folder_in_its_place_does_not_hang_or_crash(tmp_path):
    os.mkfifo(tmp_path / FILE_NAME)
    p = Progress(tmp_path)  # read without blocking: a regular file only
    assert p.problem and "could not be read" in p.problem
    (tmp_path / BROKEN_NAME).unlink()
    (tmp_path / FILE_NAME).mkdir()
    assert Progress(tmp_path).problem


def test_an_unwritable_folder_is_reported_not_raised(tmp_path):
    p = Progress(tmp_path / "missing" / "folder")
    assert not p.mark_done("x", "t") or p.problem  # the lesson goes on; the reason is one line
    assert p.problem and "\n" not in p.problem


def test_a_second_broken_file_does_not_replace_the_first(tmp_path):
    for content in (b"first", b"second"):
        (tmp_path / FILE_NAME).write_bytes(content)
        assert Progress(tmp_path).problem
    assert (tmp_path / BROKEN_NAME).read_bytes() == b"first"
    assert (tmp_path / "lesson_progress.broken-2.json").read_bytes() == b"second"
