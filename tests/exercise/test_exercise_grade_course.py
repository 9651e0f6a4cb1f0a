"""The grader on the course's own lessons (graphcore.course: each lesson's example file, text
and tasks): a right submission (predictions right, the expression built, parameters that do
the training tasks — recorded in data/course_right.json) exits 0; a wrong one (wrong
predictions, the graph untouched and untrained) exits 1 with no task done."""
from __future__ import annotations

import json

import pytest

from graphcore import cli, exercise, fileformat
from graphcore.expr import from_expr
from graphcore.tasks import prediction_target

course = pytest.importorskip("graphcore.course")  # the course lives beside this branch's work
from tests.exercise.course_right import DATA, exercise_of  # noqa: E402

RIGHT = json.loads(DATA.read_text(encoding="utf-8"))


def _submission(ex, answers: dict, graph=None, values=None):
    sub = ex.copy() if graph is None else graph
    lesson = exercise.lesson_of(ex).copy()
    lesson.answers = dict(answers)
    exercise.set_lesson(sub, lesson)
    if values:
        sub.set_values(values)
    return sub


def _right(lesson, ex):
    tasks = exercise.lesson_of(ex).tasks
    answers = {t.id: prediction_target(t, ex)[0] for t in tasks if t.kind == "predict_gradient"}
    builds = [t for t in tasks if t.kind == "build_expression"]
    graph = None
    if builds:  # the learner's graph is the expression, its root still the cost J
        graph = from_expr(builds[0].params["expr"], builds[0].params.get("inputs"))
        graph.set_meta("loss", graph.meta["output"])
    trains = any(t.kind in ("cost_below", "accuracy_at_least") for t in tasks)
    if trains and lesson.key not in RIGHT:
        pytest.skip(f"no right submission recorded for lesson {lesson.key}: run python -m tests.exercise.course_right")
    return _submission(ex, answers, graph, RIGHT.get(lesson.key) if trains else None)


@pytest.mark.parametrize("key", [lesson.key for lesson in course.lessons()])
def test_right_and_wrong_submission_of_every_course_lesson(tmp_path, capsys, key):
    lesson = course.by_key(key)
    ex = exercise_of(lesson)
    paths = {name: tmp_path / f"{name}.graph.json" for name in ("ex", "right", "wrong")}
    fileformat.save(ex, paths["ex"])
    fileformat.save(_right(lesson, ex), paths["right"])
    wrong = {t.id: prediction_target(t, ex)[0] + 1000 for t in exercise.lesson_of(ex).tasks
             if t.kind == "predict_gradient"}
    fileformat.save(_submission(ex, wrong), paths["wrong"])
    for name, code_wanted in (("right", 0), ("wrong", 1)):
        code = cli.main(["grade", str(paths["ex"]), str(paths[name]), "--json"])
        doc = json.loads(capsys.readouterr().out)
        assert code == code_wanted, (name, doc, "lesson changed? python -m tests.exercise.course_right")
        assert doc["total"] == len(lesson.tasks) and doc["exercise"] == lesson.title
        assert doc["done"] == (doc["total"] if name == "right" else 0), (name, doc["tasks"])
