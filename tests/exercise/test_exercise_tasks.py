"""Each task kind passes when the task is done and fails when it is not; a lesson block that
breaks a rule is refused in one line naming the task, the box or the key."""
from __future__ import annotations

import json

import pytest

from graphcore import exercise, fileformat
from graphcore.errors import FileFormatError
from graphcore.tasks import KINDS, TaskError, check, parse_task
from graphcore.training import Trainer
from tests.exercise.exercise_helpers import (RIGHT_SQUARE, WRONG_SQUARE, clean_catalogue, j_graph, logistic,
                                             square_graph, with_lesson)


@pytest.fixture(autouse=True)
def _catalogue():
    restore = clean_catalogue()
    yield
    restore()


def task(rec):
    return parse_task(rec, 0)


def test_predict_gradient_right_and_wrong_answer():
    g = j_graph()  # dJ/db = 3c = 6
    t = task({"kind": "predict_gradient", "box": "b", "tolerance": 0.01})
    assert check(t, g, answer=6.0).done
    assert check(t, g, answer=5.95).done  # within 1 % of |dJ/db|
    assert check(t, g, answer=6.1).done is False
    assert "type your prediction" in check(t, g).detail


def test_cost_below_done_after_training_not_before():
    g = logistic()
    t = task({"kind": "cost_below", "value": 0.3})
    assert not check(t, g).done and "not yet" in check(t, g).detail
    tr = Trainer(g, epochs=60)
    tr.train()
    tr.write_back()
    assert check(t, g).done


def test_accuracy_at_least_on_train_and_on_test():
    g = logistic()
    t = task({"kind": "accuracy_at_least", "value": 0.95})
    before = check(t, g)
    assert not before.done and "%" in before.detail
    tr = Trainer(g)
    tr.train()
    tr.write_back()
    assert check(t, g).done
    no_test = check(task({"kind": "accuracy_at_least", "value": 0.5, "on": "test"}), g)
    assert not no_test.done and "no test points" in no_test.detail


def test_build_expression_equal_and_different():
    g = j_graph()
    t = task({"kind": "build_expression", "expr": "3*(a + b*c)"})
    assert check(t, g).done
    g.set_value("three", 4.0)
    res = check(t, g)
    assert not res.done and "your graph gives" in res.detail


def test_build_expression_missing_input_is_not_done():
    res = check(task({"kind": "build_expression", "expr": "a*d"}), j_graph())
    assert not res.done and "'d'" in res.detail


def test_fix_derivative_wrong_then_fixed():
    t = task({"kind": "fix_derivative", "function": "my_sq"})
    wrong = check(t, square_graph(WRONG_SQUARE))
    assert not wrong.done and wrong.detail.startswith("✘")
    restore = clean_catalogue()
    restore()
    import gc
    gc.collect()
    assert check(t, square_graph(RIGHT_SQUARE)).done


def test_check_never_raises_on_an_unrunnable_graph():
    g = j_graph()
    g.disconnect("J", 0)  # J's first port unwired: nothing evaluates
    for rec in ({"kind": "cost_below", "value": 1}, {"kind": "predict_gradient", "box": "b"},
                {"kind": "build_expression", "expr": "3*(a+b*c)"}):
        res = check(task(rec), g, answer=1.0)
        assert not res.done and res.detail.startswith("cannot check")


def test_every_kind_has_a_test_here():
    src = open(__file__, encoding="utf-8").read()
    assert all(f'"{k}"' in src for k in KINDS)


@pytest.mark.parametrize("rec, words", [
    ({"kind": "guess"}, "unknown task kind 'guess'"),
    ({"kind": "cost_below"}, "missing 'value'"),
    ({"kind": "cost_below", "value": "low"}, "'value' must be a finite number"),
    ({"kind": "cost_below", "value": 1, "colour": 2}, "unknown key 'colour'"),
    ({"kind": "accuracy_at_least", "value": 95}, "from 0 to 1"),
    ({"kind": "build_expression", "expr": "a", "points": 0}, "'points'"),
    ("x", "must be an object"),
])
def test_parse_refusals_name_the_task(rec, words):
    with pytest.raises(TaskError) as err:
        parse_task(rec, 2)
    assert words in str(err.value) and "task" in str(err.value) and "\n" not in str(err.value)


def _exercise_doc():
    g = with_lesson(j_graph(), [{"id": "p", "kind": "predict_gradient", "box": "b"}], locks=["a"], hidden=["u"])
    return json.loads(fileformat.dumps(g))


@pytest.mark.parametrize("edit, words", [
    (lambda L: L["tasks"][0].update(kind="nope"), "task 'p': unknown task kind 'nope'"),
    (lambda L: L["locks"].append("ghost"), "a lock on box 'ghost'"),
    (lambda L: L["tasks"][0].update(box="ghost"), "task 'p' (predict_gradient): its check cannot run: no box 'ghost'"),
    (lambda L: L["tasks"].append({"kind": "fix_derivative", "function": "nobody"}), "no Function of yours"),
    (lambda L: L.update(version=2), "unsupported lesson version 2"),
    (lambda L: L.update(extra=1), "unknown key 'extra'"),
    (lambda L: L["tasks"].append({"id": "p", "kind": "cost_below", "value": 1}), "used by another task"),
    (lambda L: L["tasks"].extend([{"kind": "cost_below", "value": 1}] * 100), "too many tasks (101; the limit is 100)"),
    (lambda L: L.update(text="x" * 100_001), "'text' must be text of at most 100,000 characters"),
])
def test_file_refusals_are_one_line(edit, words):
    doc = _exercise_doc()
    edit(doc["lesson"])
    with pytest.raises(FileFormatError) as err:
        fileformat.from_dict(doc)
    assert str(err.value).startswith("'lesson': ") and words in str(err.value)


def test_lesson_round_trips_and_plain_files_load_as_before():
    doc = _exercise_doc()
    g = fileformat.from_dict(doc)
    assert exercise.lesson_of(g).locks == {"a"} and fileformat.to_dict(g) == doc
    del doc["lesson"]
    plain = fileformat.from_dict(doc)
    assert exercise.lesson_of(plain) is None and "lesson" not in fileformat.to_dict(plain)


def test_hidden_values_show_once_the_revealing_task_is_done():
    g = with_lesson(j_graph(), [{"id": "p", "kind": "predict_gradient", "box": "b", "reveals": ["u"]},
                                {"id": "q", "kind": "cost_below", "value": 100}], hidden=["u", "v"])
    lesson = exercise.lesson_of(g)
    assert lesson.hidden_now() == {"u", "v"}
    lesson.done.add("p")
    assert lesson.hidden_now() == {"v"}  # v: no task names it, so it waits for all of them
    lesson.done.add("q")
    assert lesson.hidden_now() == set()
