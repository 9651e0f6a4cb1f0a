"""The grader: a learner's saved file checked against an exercise's tasks (``graphcore grade``).

The exercise's tasks are the ones graded (a submission cannot change them), on the
submission's graph — except a prediction of dJ/d·, which is made before any step and so
is graded against the exercise as handed out, with the answer the submission saved
(its lesson's ``answers``). The submission's locked boxes must still be exactly the exercise's (record,
position and the arrows into them), and its lesson must lock the same boxes.
"""
from __future__ import annotations

import gc

from . import fileformat
from .exercise import ExerciseError, lesson_of, locked_state
from .errors import GraphError, short_path
from .tasks import TaskResult, check, judge_prediction, prediction_target


def _read_exercise(path) -> tuple[object, dict]:
    graph = fileformat.load(path)
    lesson = lesson_of(graph)
    if lesson is None:
        raise ExerciseError(f"{short_path(path)}: not an exercise (the file has no 'lesson' block)")
    kept = {b: locked_state(graph, b) for b in lesson.locks}
    names = {b: graph.box_name(b) for b in lesson.locks}
    targets = {}
    for task in lesson.tasks:
        if task.kind == "predict_gradient":
            try:
                targets[task.id] = prediction_target(task, graph)
            except GraphError as exc:
                targets[task.id] = TaskResult(False, f"cannot check: {exc}")
    return lesson, {"kept": kept, "names": names, "targets": targets}


def lock_problems(exercise_locks: dict, submission) -> list[str]:
    """What the submission changed of the exercise's locked boxes (empty: nothing)."""
    lesson = lesson_of(submission)
    kept, names = exercise_locks["kept"], exercise_locks["names"]
    if lesson is None:
        return ["the submission has no lesson block, so its locks are gone"]
    out = []
    if lesson.locks != set(kept):
        out.append("the submission does not lock the same boxes as the exercise")
    for box in sorted(kept):
        if box not in submission:
            out.append(f"locked box {names[box]} was deleted")
            continue
        now = locked_state(submission, box)
        changed = [k for k in ("node", "at", "inputs") if now[k] != kept[box][k]]
        if changed:
            what = {"node": "edited", "at": "moved", "inputs": "rewired"}
            out.append(f"locked box {names[box]} was {' and '.join(what[k] for k in changed)}")
    return out


def grade(exercise_path, submission_path) -> dict:
    """The grader's JSON (README "Exercises and grading"); raises GraphError on bad input."""
    lesson, locks = _read_exercise(exercise_path)  # "locks": what the grade needs of the exercise
    gc.collect()  # the exercise graph is gone: its Functions no longer hold their names
    submission = fileformat.load(submission_path)
    answers = (lesson_of(submission).answers if lesson_of(submission) is not None else {})
    rows = []
    for task in lesson.tasks:
        target = locks["targets"].get(task.id)
        if isinstance(target, TaskResult):
            result = target
        elif target is not None:
            result = judge_prediction(task, target, answers.get(task.id))
        else:
            result = check(task, submission)
        rows.append({"id": task.id, "kind": task.kind, "text": task.text, "done": result.done,
                     "detail": result.detail})
    problems = lock_problems(locks, submission)
    done = sum(r["done"] for r in rows)
    return {"ok": done == len(rows) and not problems, "exercise": lesson.title, "done": done,
            "total": len(rows), "tasks": rows, "locks_ok": not problems, "lock_problems": problems}
