"""What a lesson's task check costs, and how much of it the window's thread pays.

The Lesson panel re-checks the tasks after changes (gui/lessons/checker.py): the window's
thread only takes a snapshot of the graph's records; a worker thread rebuilds a Graph from it
and runs the checks. For every lesson of the course: the snapshot (window thread), the rebuild
and the checks (worker), and — for comparison — a whole ``Graph.copy()``, which the window's
thread would otherwise pay; medians of interleaved rounds.

    python benchmarks/bench_lesson_checks.py
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.timing import interleaved  # noqa: E402
from graphcore import course, fileformat  # noqa: E402
from gui.lessons.checker import rebuild, run_checks, snapshot  # noqa: E402

FRAME_MS = 16.0  # the window thread's part must fit well inside one frame at 60 Hz


def main() -> int:
    print("| lesson | boxes | tasks | snapshot, window thread (ms) | rebuild + checks, worker (ms) "
          "| Graph.copy() (ms) | copy / snapshot |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    worst = 0.0
    for lesson in course.lessons():
        graph = fileformat.load(lesson.example_path())
        tasks = course.tasks_of(lesson)
        answers = {t.id: 1.0 for t in tasks if t.kind == "predict_gradient"}  # grade the predictions too
        snap = snapshot(graph)
        times = interleaved({"snapshot": lambda g=graph: snapshot(g), "copy": graph.copy,
                             "worker": lambda t=tasks, s=snap, a=answers: run_checks(t, rebuild(s), a)},
                            rounds=15, budget_s=10)
        worst = max(worst, times["snapshot"] * 1e3)
        print(f"| {lesson.title} | {len(graph)} | {len(tasks)} | {times['snapshot'] * 1e3:.2f} | "
              f"{times['worker'] * 1e3:.2f} | {times['copy'] * 1e3:.2f} | "
              f"{times['copy'] / times['snapshot']:.1f}× |")
    verdict = "✅ met" if worst < FRAME_MS / 4 else "❌ not met"
    print(f"\n- Slowest snapshot in the window thread: {worst:.2f} ms — target < {FRAME_MS / 4:.0f} ms "
          f"(a quarter of a 60 Hz frame) {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
