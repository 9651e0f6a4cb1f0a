"""Re-checks a lesson's tasks against the live graph without blocking the window.

Edits and training change the graph many times a second, so checks are throttled: the first
change starts a short timer and later changes ride along with it (a debounce that restarted on
every change would never fire while training runs). When it fires, the graph is copied here,
in the window's thread (cheap, and the only moment the live graph is read), and the checks run
on the copy in a worker thread; their results come back as a Qt signal (queued into the
window's thread). A change that arrives while a check runs is checked once it has finished.

The window's thread takes only a snapshot of plain records (``snapshot``); the Graph is
rebuilt from it in the worker (``rebuild``): building a Graph validates every box and arrow,
ten times the cost of reading them (benchmarks/bench_lesson_checks.py).
"""
from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal

from graphcore.errors import one_line
from graphcore.graph import Graph

THROTTLE_MS = 400
_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lesson-check")


def snapshot(graph) -> tuple:
    """What the checks need of the live graph, as plain copies (window thread: cheap)."""
    return ([graph.record(nid) for nid in graph.nodes()], graph.edges(),
            copy.deepcopy({key: graph.meta.get(key) for key in Graph.META_KEYS}))


def rebuild(snap) -> Graph:
    """The snapshot as a Graph of its own (worker thread)."""
    nodes, edges, meta = snap
    g = Graph()
    with g.batch():
        for rec in nodes:
            g.add_record(rec)
        for e in edges:
            g.connect(e.src, e.dst, e.port, e.out)
        for key, value in meta.items():
            if value is not None:
                g.set_meta(key, value)
    return g


def run_checks(tasks, graph, answers: dict) -> dict:
    """task id → TaskResult for every task; ``answers`` holds the predictions to grade (a
    predict_gradient task with no answer is not graded here). Never raises: the checker's
    contract is done=False with the reason, and anything else becomes that too."""
    from graphcore.tasks import TaskResult, check
    out = {}
    for task in tasks:
        if task.kind == "predict_gradient" and task.id not in answers:
            continue
        try:
            out[task.id] = check(task, graph, answer=answers.get(task.id))
        except Exception as exc:  # noqa: BLE001 - a learner's graph must never take the lesson down
            out[task.id] = TaskResult(False, one_line(f"this task could not be checked: {exc}"))
    return out


class LessonChecker(QObject):
    checked = Signal(int, object)  # generation, {task id: TaskResult}
    _done = Signal(int, object)    # from the worker thread (queued into the window's)

    def __init__(self, graph_of, parent=None):
        super().__init__(parent)
        self._graph_of = graph_of
        self.tasks: list = []
        self.generation = 0      # bumped when the tasks change: late results of old tasks are dropped
        self._running = False
        self._pending = False
        self._answers: dict = {}
        self._timer = QTimer(self, singleShot=True, interval=THROTTLE_MS)
        self._timer.timeout.connect(self.check_now)
        self._done.connect(self._deliver)

    def set_tasks(self, tasks):
        self.tasks = list(tasks)
        self.generation += 1
        self._answers = {}
        self.schedule()

    def schedule(self):
        """The graph changed: check within THROTTLE_MS (never later however often it changes)."""
        if self.tasks and not self._timer.isActive():
            self._timer.start()

    def grade(self, task_id: str, answer: float):
        """The learner typed a prediction: grade it against the graph as it is now."""
        self._answers[task_id] = answer
        self.check_now()

    def grade_all(self, answers: dict):
        """Predictions already made (an exercise file's saved answers): graded with the next check."""
        if answers:
            self._answers.update(answers)
            self.check_now()

    def check_now(self):
        self._timer.stop()
        if not self.tasks:
            return
        if self._running:
            self._pending = True
            return
        snap = snapshot(self._graph_of())
        answers, self._answers = self._answers, {}
        self._running = True
        generation, tasks = self.generation, list(self.tasks)
        future = _POOL.submit(lambda: run_checks(tasks, rebuild(snap), answers))
        future.add_done_callback(lambda f: self._finished(generation, tasks, f))

    def _finished(self, generation, tasks, future):
        """In the worker thread: hand the results to the window's thread."""
        try:
            results = future.result()
        except Exception as exc:  # noqa: BLE001
            results = {t.id: _failed(exc) for t in tasks}
        try:
            self._done.emit(generation, results)
        except RuntimeError:  # the window closed while the check ran
            pass

    def _deliver(self, generation, results):
        self._running = False
        if generation == self.generation:
            self.checked.emit(generation, results)
        if self._pending:
            self._pending = False
            self.schedule()

    def wait_idle(self, timeout_s: float = 5.0) -> bool:
        """For tests and screenshots: let any running or scheduled check finish."""
        import time

        from PySide6.QtCore import QCoreApplication, QElapsedTimer
        clock = QElapsedTimer()
        clock.start()
        while (self._running or self._timer.isActive() or self._pending) and clock.elapsed() < timeout_s * 1000:
            QCoreApplication.processEvents()
            time.sleep(0.005)
        return not (self._running or self._timer.isActive() or self._pending)


def _failed(exc):
    from graphcore.tasks import TaskResult
    return TaskResult(False, one_line(f"this task could not be checked: {exc}"))
