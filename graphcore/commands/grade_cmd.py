"""graphcore grade EXERCISE SUBMISSION [--json]"""
from __future__ import annotations

from ..grading import grade
from .common import print_json


def add_arguments(p):
    p.add_argument("exercise", help="the exercise file (a graph file with a 'lesson' block)")
    p.add_argument("submission", help="the learner's saved file")
    p.add_argument("--json", action="store_true", help="print JSON (README: Exercises and grading)")


def run(args) -> int:
    report = grade(args.exercise, args.submission)
    if args.json:
        print_json(report)
    else:
        print(f"{report['exercise'] or 'exercise'}: {report['done']} of {report['total']} tasks done")
        for row in report["tasks"]:
            print(f"  {'✔' if row['done'] else '✘'} {row['id']}: {row['text'] or row['kind']} — {row['detail']}")
        for problem in report["lock_problems"]:
            print(f"  ✘ {problem}")
    return 0 if report["ok"] else 1
