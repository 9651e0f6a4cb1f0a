"""Exercise files: a graph file plus a lesson — text, tasks, locked boxes and hidden values.

The lesson lives beside the Graph (``lesson_of(graph)``, as groups do) and is read and
written by ``fileformat`` as the optional top-level ``lesson`` block
(docs/FILE_FORMAT_LESSONS.md). A locked box cannot be moved, deleted or edited — its op,
label, value, column, attrs, position and the arrows into it stay as the exercise gave
them; the window's command layer asks ``lock_refusal`` before every change. A hidden
box's value shows as "?" until a task that reveals it is done.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from . import limits
from .errors import GraphError
from .tasks import Task, TaskError, parse_task, static_problem, task_label
from .variable_ref import VariableRef

LESSON_VERSION = 1
LESSON_KEYS = {"version", "title", "text", "tasks", "locks", "hidden", "answers"}
MAX_TITLE = 200
MAX_TEXT = limits.MAX_LESSON_TEXT
MAX_TASKS = limits.MAX_LESSON_TASKS


class ExerciseError(GraphError):
    """A lesson block, or an exercise or submission, that breaks a rule."""


class LockedError(GraphError):
    """A change refused because it would move, delete or edit a locked box."""


@dataclass
class Lesson:
    title: str
    text: str  # Markdown
    tasks: list[Task]
    locks: set[str]
    hidden: set[str]
    answers: dict[str, float] = field(default_factory=dict)  # task id → the learner's prediction (saved)
    done: set[str] = field(default_factory=set, compare=False)  # task ids done now (not saved)

    def copy(self) -> "Lesson":
        return Lesson(self.title, self.text, list(self.tasks), set(self.locks), set(self.hidden),
                      dict(self.answers), set(self.done))

    def task(self, task_id: str) -> Task:
        return next(t for t in self.tasks if t.id == task_id)

    def hidden_now(self) -> set[str]:
        """Hidden boxes still shown as "?": a box a done task reveals shows; a box no task
        reveals shows once every task is done."""
        named = {b for t in self.tasks for b in t.reveals}
        shown = {b for t in self.tasks if t.id in self.done for b in t.reveals}
        if all(t.id in self.done for t in self.tasks):
            shown |= self.hidden - named
        return self.hidden - shown


def lesson_of(graph) -> Lesson | None:
    """The graph's lesson (its file's ``lesson`` block), or None."""
    return graph.attached.get("lesson")


def set_lesson(graph, lesson: Lesson | None) -> None:
    graph.attached["lesson"] = lesson


def locked(graph) -> set[str]:
    lesson = lesson_of(graph)
    return set(lesson.locks) if lesson is not None else set()


def lock_refusal(graph, boxes) -> str | None:
    """The one-line refusal when a change would touch a locked box (named by its label), or None."""
    lesson = lesson_of(graph)
    if lesson is None or not lesson.locks or not boxes:
        return None
    touched = set(boxes) & lesson.locks
    hit = [b for b in graph.nodes() if b in touched]  # the first in the file's order
    if not hit:
        return None
    return f"{graph.box_name(hit[0])} is locked by the exercise: it cannot be moved, deleted or edited"


def task_problems(graph) -> dict[str, str]:
    """Task id → why its check cannot run on the graph as it is now (runnable tasks left out)."""
    lesson = lesson_of(graph)
    if lesson is None:
        return {}
    problems = {t.id: static_problem(t, graph) for t in lesson.tasks}
    return {tid: why for tid, why in problems.items() if why}


def broken_task(graph, before: dict[str, str]) -> str | None:
    """The refusal when a change left a task unable to run that could run ``before`` it (the
    saved file could then not be opened again), or None."""
    for tid, why in task_problems(graph).items():
        if tid not in before:
            return f"the exercise's task '{tid}' needs what this would change: {why}"
    return None


def cost_is_hidden(graph) -> bool:
    """Is the cost J's box one of the values the exercise hides for now?"""
    lesson, loss = lesson_of(graph), graph.meta.get("loss")
    return lesson is not None and VariableRef.box_of(loss) in lesson.hidden_now()


# --- the lesson block ----------------------------------------------------------------------
def read_block(block, graph) -> Lesson:
    """The ``lesson`` block checked against ``graph`` (its boxes must exist, every task's
    check must be able to run); raises ExerciseError / TaskError with one line naming it."""
    if not isinstance(block, dict):
        raise ExerciseError("must be an object")
    extra = set(block) - LESSON_KEYS
    if extra:
        raise ExerciseError(f"unknown key '{sorted(extra)[0]}'")
    version = block.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version != LESSON_VERSION:
        raise ExerciseError(f"unsupported lesson version {version!r} (this program reads version {LESSON_VERSION})")
    title, text = block.get("title", ""), block.get("text", "")
    if not isinstance(title, str) or len(title) > MAX_TITLE:
        raise ExerciseError(f"'title' must be text of at most {MAX_TITLE} characters")
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise ExerciseError(f"'text' must be text of at most {MAX_TEXT:,} characters")
    tasks = _read_tasks(block.get("tasks", []), graph)
    locks = _read_boxes(block, "locks", graph)
    hidden = _read_boxes(block, "hidden", graph)
    return Lesson(title, text, tasks, set(locks), set(hidden), _read_answers(block.get("answers", {}), tasks))


def _read_answers(answers, tasks) -> dict[str, float]:
    if not isinstance(answers, dict):
        raise ExerciseError("'answers' must be an object of task id → number")
    ids = {t.id for t in tasks if t.kind == "predict_gradient"}
    for tid, v in answers.items():
        if tid not in ids:
            raise ExerciseError(f"'answers': no predict_gradient task '{tid}'")
        if not (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)):
            raise ExerciseError(f"'answers': the answer to task '{tid}' must be a finite number")
    return {tid: float(v) for tid, v in answers.items()}


def _read_tasks(records, graph) -> list[Task]:
    if not isinstance(records, list):
        raise ExerciseError("'tasks' must be a list")
    if len(records) > MAX_TASKS:
        raise ExerciseError(limits.too_many("tasks", len(records), MAX_TASKS))
    tasks, seen = [], set()
    for i, rec in enumerate(records):
        task = parse_task(rec, i)
        if task.id in seen:
            raise TaskError(f"{task_label(task)}: the id is used by another task")
        seen.add(task.id)
        problem = static_problem(task, graph)
        if problem:
            raise TaskError(f"{task_label(task)}: its check cannot run: {problem}")
        tasks.append(task)
    return tasks


def _read_boxes(block: dict, key: str, graph) -> list[str]:
    ids = block.get(key, [])
    if not isinstance(ids, list) or not all(isinstance(b, str) for b in ids):
        raise ExerciseError(f"'{key}' must be a list of box ids")
    for b in ids:
        if b not in graph:
            what = "a lock on" if key == "locks" else "a hidden value of"
            raise ExerciseError(f"'{key}': {what} box '{b}', which the graph does not have", [b])
    if len(set(ids)) != len(ids):
        raise ExerciseError(f"'{key}': a box is listed twice")
    return ids


def to_record(lesson: Lesson, graph) -> dict:
    """The block as the file stores it: boxes in the graph's order (files diff well), and
    only boxes the graph still has (a file never names a box it does not hold)."""
    order = list(graph.nodes())
    return {"version": LESSON_VERSION, "title": lesson.title, "text": lesson.text,
            "tasks": [t.to_record() for t in lesson.tasks],
            "locks": [n for n in order if n in lesson.locks],
            "hidden": [n for n in order if n in lesson.hidden],
            **({"answers": dict(lesson.answers)} if lesson.answers else {})}


def make_lesson(graph, *, title: str, text: str, tasks: list, locks, hidden) -> Lesson:
    """A lesson for ``graph`` from what the instructor chose (task records as in the file);
    checked exactly as a file's block is, so what is saved can be opened again."""
    return read_block({"version": LESSON_VERSION, "title": title, "text": text, "tasks": tasks,
                       "locks": [n for n in graph.nodes() if n in set(locks)],
                       "hidden": [n for n in graph.nodes() if n in set(hidden)]}, graph)


# --- what a lock keeps -------------------------------------------------------------------------
def locked_state(graph, box: str) -> dict:
    """Everything a lock keeps of one box: its record, position and the arrows into it."""
    rec = graph.node(box)
    return {"node": {k: rec.get(k) for k in ("op", "label", "value", "column", "attrs")},
            "at": graph.layout.get(box),
            "inputs": [None if e is None else [e.src, e.out] for e in graph.inputs_of(box)]}
