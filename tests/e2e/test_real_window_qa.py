"""What a learner-eye pass in the real window found: each scenario crashed the window or
marked it unsaved under real X input (xdotool), and passes since the fix."""
from __future__ import annotations

import pytest

from tests.e2e.window_lessons import lesson

pytestmark = pytest.mark.slow


def test_a_click_on_an_off_grid_box_leaves_the_file_saved(studio, tmp_path):
    s = studio(lesson(tmp_path, "ng_computation_graph"))  # box u sits at x 210, off the 20-px grid
    before = s.box("u")["center"]
    s.click(s.box("u")["center"])
    state = s.wait(lambda st: st["boxes"]["u"]["selected"], "box u to be selected")
    state = s.wait(lambda st: True, "one more probe after the click")
    assert not state["dirty"] and "•" not in state["title"], state["title"]
    assert state["boxes"]["u"]["center"] == before
    s.assert_alive()


def _tab(s, text):
    found = [t["center"] for t in s.probe()["tabs"] if t["text"] == text]
    assert found, f"no tab {text!r}"
    return found[0]


def _visible(s, text):
    return any(b["text"] == text for b in s.probe()["buttons"])


@pytest.mark.parametrize("answer", ["6", "abc"])
def test_enter_in_a_quiz_answer_grades_it(studio, tmp_path, answer):
    s = studio(lesson(tmp_path, "ng_computation_graph"))
    s.click(_tab(s, "Step through backprop"))
    quiz = "Quiz me: type what each step computes before it is shown"
    s.wait(lambda st: any(b["text"] == quiz for b in st["buttons"]), "the quiz check box")
    s.click(next(b["left"] for b in s.probe()["buttons"] if b["text"] == quiz))
    s.wait(lambda st: True, "the quiz to switch on")
    for i in range(6):  # a, b, c hold values; u = b · c is the first question
        if _visible(s, "Check"):
            break
        s.click(s.button("Step ▶"))
        s.wait(lambda st, i=i: st["stepper"]["index"] == i, f"step {i + 1}")
    s.wait(lambda st: any(b["text"] == "Check" for b in st["buttons"]), "a quiz question")
    s.type(answer)
    s.key("Return")
    s.wait(lambda st: not any(b["text"] == "Check" for b in st["buttons"]), "the answer to be graded")
    s.assert_alive()
    s.click(s.button("Step ▶"))  # the window goes on working after the answer
    s.wait(lambda st: st["stepper"]["index"] >= 4, "the next step")
    s.assert_alive()
