"""``graphcore grade EXERCISE SUBMISSION --json`` on a right and a wrong submission of every
built-in lesson (each exercise is built here from the lesson), and its exit codes."""
from __future__ import annotations

import json

import pytest

from graphcore import cli, exercise, fileformat, lessons
from graphcore.engine import compile_graph
from graphcore.training import Trainer
from tests.exercise.exercise_helpers import RIGHT_SQUARE, WRONG_SQUARE, clean_catalogue, square_graph, with_lesson

# Lessons without a parameter: a prediction and "build this expression" (the lesson's own formula).
EXPRESSIONS = {"ng_computation_graph": ("3*(a + b*c)", "b", "three"),
               "sin2x": ("sin(2*x)", "x", "two"), "x_squared": ("x*x", "x", None)}


def _exercise(name: str):
    """The lesson's graph with tasks: predict dJ/d(first source) and either build its formula
    or bring the cost 1 % below where it starts; the first input and J are locked. (A lesson
    added later with neither a parameter nor a formula here gets the prediction alone.)"""
    g = lessons.LESSONS[name]()
    tasks = []
    if name in EXPRESSIONS:
        expr, box, _ = EXPRESSIONS[name]
        tasks.append({"id": "build", "kind": "build_expression", "expr": expr})
    elif g.parameters():
        box = g.parameters()[0]
        j0 = compile_graph(g).run(_train(g), backward=False).cost
        tasks.append({"id": "lower", "kind": "cost_below", "value": round(j0 * 0.99, 6)})
    else:
        box = next(n for n in g.inputs() if g.value(n) is not None)
    loss = g.meta["loss"].split(":")[0]
    tasks.insert(0, {"id": "predict", "kind": "predict_gradient", "box": box, "text": "dJ/d? before you step"})
    locks = g.inputs()[:1] + [loss]  # not a parameter: training changes those
    return with_lesson(g, tasks, locks=locks, title=name), box, loss


def _train(g):
    from graphcore.datasets import for_graph
    ds = for_graph(g)
    return None if ds is None else ds.train()


def _right(g, box):
    sub = g.copy()
    if g.parameters():
        tr = Trainer(sub, epochs=6)
        tr.train()
        tr.write_back()
    grad = float(compile_graph(g).run(_train(g)).grad(box))  # the graph as handed out, before any step
    exercise.lesson_of(sub).answers["predict"] = grad
    return sub


def _wrong(g, name, box, loss):
    sub = g.copy()
    exercise.lesson_of(sub).answers["predict"] = 1234.5
    x, y = sub.layout.get(loss, (0, 0))
    sub.move(loss, x + 40, y)  # a locked box moved (by editing the file: the window refuses it)
    if name in EXPRESSIONS and EXPRESSIONS[name][2]:
        sub.set_value(EXPRESSIONS[name][2], 7.0)
    return sub


def grade(capsys, *argv):
    code = cli.main(["grade", *map(str, argv), "--json"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else None), err


def _not_in_the_course() -> list[str]:
    """The lessons the course's own test (test_exercise_grade_course.py) does not already grade."""
    try:
        from graphcore import course
    except ImportError:
        return list(lessons.LESSONS)
    return [n for n in lessons.LESSONS if all(lesson.example != n for lesson in course.lessons())]


@pytest.mark.parametrize("name", _not_in_the_course())
def test_right_and_wrong_submission_of_every_lesson(tmp_path, capsys, name):
    g, box, loss = _exercise(name)
    ex = tmp_path / "exercise.graph.json"
    fileformat.save(g, ex)
    right, wrong = tmp_path / "right.graph.json", tmp_path / "wrong.graph.json"
    fileformat.save(_right(g, box), right)
    fileformat.save(_wrong(g, name, box, loss), wrong)

    code, doc, err = grade(capsys, ex, right)
    assert (code, err) == (0, ""), doc
    assert doc["ok"] and doc["done"] == doc["total"] and doc["locks_ok"] and doc["exercise"] == name
    assert doc["tasks"][0]["id"] == "predict" and doc["total"] == len(exercise.lesson_of(g).tasks)

    code, doc, err = grade(capsys, ex, wrong)
    assert code == 1 and not doc["ok"] and doc["done"] < doc["total"]
    assert not doc["tasks"][0]["done"] and "1234.5" in doc["tasks"][0]["detail"]
    assert doc["lock_problems"] == [f"locked box {g.box_name(loss)} was moved"]


def test_a_submission_that_drops_the_lesson_or_deletes_a_locked_box_fails(tmp_path, capsys):
    g, box, loss = _exercise("ng_computation_graph")
    fileformat.save(g, tmp_path / "ex.json")
    plain = g.copy()
    exercise.set_lesson(plain, None)
    fileformat.save(plain, tmp_path / "plain.json")
    code, doc, _ = grade(capsys, tmp_path / "ex.json", tmp_path / "plain.json")
    assert code == 1 and doc["lock_problems"] == ["the submission has no lesson block, so its locks are gone"]


def test_bad_input_exits_2_with_one_line(tmp_path, capsys):
    g, _, _ = _exercise("x_squared")
    fileformat.save(g, tmp_path / "ex.json")
    fileformat.save(lessons.x_squared(), tmp_path / "plain.json")
    (tmp_path / "junk.json").write_text("{not json", encoding="utf-8")
    cases = [((tmp_path / "plain.json", tmp_path / "ex.json"), "not an exercise"),
             ((tmp_path / "ex.json", tmp_path / "missing.json"), "missing.json"),
             ((tmp_path / "ex.json", tmp_path / "junk.json"), "invalid JSON")]
    for args, words in cases:
        code, doc, err = grade(capsys, *args)
        assert code == 2 and doc is None and words in err and err.count("\n") == 1
    assert cli.main(["grade", str(tmp_path / "ex.json")]) == 2
    assert "the following arguments are required" in capsys.readouterr().err


def test_grade_is_in_the_usage():
    assert "grade" in cli.build_parser().format_help()


def test_fix_derivative_graded_on_the_submission_s_own_function(tmp_path, capsys):
    """The exercise holds a wrong derivative; the right submission redefines it (the exercise's
    graph is let go first, so the name is free), the wrong one hands it back unchanged."""
    import gc

    restore = clean_catalogue()
    try:
        for name, rec in (("ex", WRONG_SQUARE), ("wrong", WRONG_SQUARE), ("right", RIGHT_SQUARE)):
            g = with_lesson(square_graph(rec), [{"id": "fix", "kind": "fix_derivative", "function": "my_sq"}],
                            locks=["x"])
            fileformat.save(g, tmp_path / f"{name}.json")
            del g
            restore()
            gc.collect()
        code, doc, _ = grade(capsys, tmp_path / "ex.json", tmp_path / "right.json")
        assert code == 0 and doc["tasks"][0]["detail"].startswith("✔")
        code, doc, _ = grade(capsys, tmp_path / "ex.json", tmp_path / "wrong.json")
        assert code == 1 and doc["tasks"][0]["detail"].startswith("✘")
    finally:
        restore()


def test_grade_without_json_prints_one_line_per_task(tmp_path, capsys):
    g, box, _ = _exercise("ng_computation_graph")
    fileformat.save(g, tmp_path / "ex.json")
    fileformat.save(_right(g, box), tmp_path / "right.json")
    assert cli.main(["grade", str(tmp_path / "ex.json"), str(tmp_path / "right.json")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "ng_computation_graph: 2 of 2 tasks done"
    assert out[1].startswith("  ✔ predict: dJ/d? before you step — right: dJ/db = 6") and len(out) == 3
