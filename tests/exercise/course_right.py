"""Right submissions of the course's lessons, for the grader's test: the parameters that do
every training task (cost, accuracy), found once by training and kept in
tests/exercise/data/course_right.json, so the test grades them without training (fast).

    python -m tests.exercise.course_right     # rewrite the file (after a lesson's graph or tasks change)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from graphcore import exercise, fileformat
from graphcore.tasks import check

DATA = Path(__file__).resolve().parent / "data" / "course_right.json"
TRAINING_KINDS = ("cost_below", "accuracy_at_least")
MAX_EPOCHS = 6000


def exercise_of(lesson):
    """The lesson's example file with the lesson's text and tasks: the exercise handed out."""
    from graphcore import course
    g = fileformat.load(lesson.example_path())
    exercise.set_lesson(g, exercise.make_lesson(g, title=lesson.title, text=course.text_of(lesson),
                                                tasks=[dict(t) for t in lesson.tasks], locks=[], hidden=[]))
    return g


def train_until_done(g, tasks) -> dict[str, float]:
    """Train with the file's settings, 100 epochs at a time, until every training task is done."""
    from graphcore.training import Trainer
    trainer = Trainer(g, epochs=100)
    while trainer.epoch < MAX_EPOCHS:
        trainer.train(100)
        trainer.write_back()
        if all(check(t, g).done for t in tasks):
            return {p: float(v) for p, v in zip(trainer.param_ids, trainer.params)}
    raise SystemExit(f"{g.meta.get('name')}: not done after {MAX_EPOCHS} epochs")


def main() -> int:
    from graphcore import course
    out = {}
    for lesson in course.lessons():
        g = exercise_of(lesson)
        tasks = [t for t in exercise.lesson_of(g).tasks if t.kind in TRAINING_KINDS]
        if tasks:
            out[lesson.key] = train_until_done(g, tasks)
            print(lesson.key, "done")
    DATA.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
