"""Tasks that check themselves against a live graph (docs/FILE_FORMAT_LESSONS.md).

A task is one record of a lesson's ``tasks`` list: ``kind``, ``text`` (what the learner
reads), an optional ``id`` and the kind's own keys. ``parse_task`` checks the record's
shape; ``static_problem`` whether its check can run on a given graph at all (a box or a
Function it names, a cost J, a data set) — the graph file refuses a task that cannot;
``check`` grades it against the graph as it is now and never raises for a learner's graph.
"""
from __future__ import annotations

import ast
import functools
import math
from dataclasses import dataclass, field

import numpy as np

from . import limits
from .errors import GraphError
from .numbers import format_number
from .variable_ref import VariableRef

KINDS = ("predict_gradient", "cost_below", "accuracy_at_least", "build_expression", "fix_derivative")

# The keys each kind takes besides id, kind, text and reveals: required, then optional.
REQUIRED = {"predict_gradient": {"box"}, "cost_below": {"value"}, "accuracy_at_least": {"value"},
            "build_expression": {"expr"}, "fix_derivative": {"function"}}
OPTIONAL = {"predict_gradient": {"tolerance"}, "cost_below": set(), "accuracy_at_least": {"on"},
            "build_expression": {"inputs", "points", "tol", "range", "seed"}, "fix_derivative": set()}
COMMON = {"id", "kind", "text", "reveals"}
DEFAULTS = {"tolerance": 0.01, "on": "train", "points": 8, "tol": 1e-6, "range": [0.1, 2.0], "seed": 0}
MAX_POINTS = limits.MAX_TASK_POINTS
MAX_TEXT = 2000


class TaskError(GraphError):
    """A task record that breaks a rule, or whose check cannot run; the message names the task."""


@dataclass(frozen=True)
class Task:
    kind: str
    text: str
    params: dict = field(hash=False, compare=True)
    id: str

    @property
    def reveals(self) -> tuple[str, ...]:
        """Box ids whose hidden values this task shows once done."""
        return tuple(self.params.get("reveals", ()))

    def param(self, key: str):
        return self.params.get(key, DEFAULTS.get(key))

    def to_record(self) -> dict:
        return {"id": self.id, "kind": self.kind, "text": self.text, **self.params}


@dataclass(frozen=True)
class TaskResult:
    done: bool
    detail: str


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def parse_task(rec: dict, index: int) -> Task:
    """One task record (``index``: its place in the list, from 0) → Task, or TaskError."""
    where = f"task {index + 1}"
    if not isinstance(rec, dict):
        raise TaskError(f"{where}: must be an object")
    kind = rec.get("kind")
    if isinstance(rec.get("id"), str):
        where = f"task '{rec['id']}'"
    if kind not in KINDS:
        raise TaskError(f"{where}: unknown task kind {kind!r} (one of {', '.join(KINDS)})")
    where = f"{where} ({kind})"
    tid = rec.get("id", f"task{index + 1}")
    if not isinstance(tid, str) or not tid.strip() or len(tid) > 100:
        raise TaskError(f"{where}: 'id' must be text of 1 to 100 characters")
    text = rec.get("text", "")
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise TaskError(f"{where}: 'text' must be text of at most {MAX_TEXT} characters")
    extra = set(rec) - COMMON - REQUIRED[kind] - OPTIONAL[kind]
    if extra:
        raise TaskError(f"{where}: unknown key '{sorted(extra)[0]}'")
    missing = REQUIRED[kind] - set(rec)
    if missing:
        raise TaskError(f"{where}: missing '{sorted(missing)[0]}'")
    params = {k: v for k, v in rec.items() if k not in ("id", "kind", "text")}
    problem = _shape_problem(kind, params)
    if problem:
        raise TaskError(f"{where}: {problem}")
    return Task(kind, text, params, tid)


def _shape_problem(kind: str, p: dict) -> str | None:
    """What is wrong with the kind's keys as written (types and ranges), or None."""
    if "reveals" in p and not (isinstance(p["reveals"], list) and all(isinstance(b, str) for b in p["reveals"])):
        return "'reveals' must be a list of box ids"
    if kind == "predict_gradient":
        if not isinstance(p["box"], str):
            return "'box' must be a box id"
        if "tolerance" in p and not (_num(p["tolerance"]) and p["tolerance"] > 0):
            return "'tolerance' must be a number > 0"
    elif kind in ("cost_below", "accuracy_at_least"):
        if not _num(p["value"]):
            return "'value' must be a finite number"
        if kind == "accuracy_at_least" and not 0 <= p["value"] <= 1:
            return "'value' must be a share of points from 0 to 1 (0.95 for 95 %)"
        if p.get("on", "train") not in ("train", "test"):
            return "'on' must be \"train\" or \"test\""
    elif kind == "build_expression":
        return _expression_shape(p)
    elif not isinstance(p["function"], str) or not p["function"]:
        return "'function' must be the name of one of your Functions"
    return None


def _expression_shape(p: dict) -> str | None:
    if not isinstance(p["expr"], str) or not p["expr"].strip():
        return "'expr' must be an expression (text)"
    if "inputs" in p and not (isinstance(p["inputs"], list) and all(isinstance(n, str) for n in p["inputs"])):
        return "'inputs' must be a list of names"
    points = p.get("points", DEFAULTS["points"])
    if not (isinstance(points, int) and not isinstance(points, bool) and 1 <= points <= MAX_POINTS):
        return f"'points' must be a whole number from 1 to {MAX_POINTS}"
    if "tol" in p and not (_num(p["tol"]) and p["tol"] > 0):
        return "'tol' must be a number > 0"
    rng = p.get("range", DEFAULTS["range"])
    if not (isinstance(rng, list) and len(rng) == 2 and all(_num(v) for v in rng) and rng[0] < rng[1]):
        return "'range' must be [low, high] with low < high"
    if "seed" in p and not (isinstance(p["seed"], int) and not isinstance(p["seed"], bool) and p["seed"] >= 0):
        return "'seed' must be a whole number ≥ 0"
    return None


def task_label(task: Task) -> str:
    return f"task '{task.id}' ({task.kind})"


# --- can the check run on this graph at all? ---------------------------------------------------
def static_problem(task: Task, graph) -> str | None:
    """Why ``task``'s check can never run on ``graph`` (a box, Function, cost J or data set it
    needs is missing), or None. The graph file refuses such a task; ``check`` reports it."""
    from . import functions as F
    p = task.params
    for box in task.reveals:
        if box not in graph:
            return f"'reveals' names no box '{box}'"
    if task.kind == "predict_gradient":
        box = VariableRef.box_of(p["box"])
        if box not in graph:
            return f"no box '{p['box']}' to predict the gradient of"
        if p["box"] not in graph.variable_keys(box):
            return f"'{p['box']}' is not a Variable of box {graph.box_name(box)}"
    if task.kind in ("predict_gradient", "cost_below") and not graph.meta.get("loss"):
        return "the graph names no cost J ('loss')"
    if task.kind == "accuracy_at_least":
        if not graph.meta.get("output"):
            return "the graph names no 'output' to classify with"
        if not graph.meta.get("dataset"):
            return "the graph has no data set to measure accuracy on"
    if task.kind == "build_expression":
        try:
            _reference(task)
        except GraphError as exc:
            return f"'expr': {exc}"
    if task.kind == "fix_derivative":
        fn = F.CATALOGUE.get(p["function"])
        if fn is None or fn.group != "mine":
            return f"no Function of yours named '{p['function']}' (the file's 'functions' block defines them)"
        if not any(graph.op(n) == fn.name for n in graph.nodes()):  # a file keeps only the Functions its boxes use
            return f"no box uses your Function '{p['function']}'"
    return None


# --- grading -----------------------------------------------------------------------------------
def check(task: Task, graph, *, answer: float | None = None) -> TaskResult:
    """Grade ``task`` against ``graph`` as it is now. Never raises for a learner's graph: a
    check that cannot run gives done=False with the reason."""
    problem = static_problem(task, graph)
    if problem:
        return TaskResult(False, f"cannot check: {problem}")
    try:
        return _CHECKS[task.kind](task, graph, answer)
    except GraphError as exc:
        return TaskResult(False, f"cannot check: {exc}")
    except (ArithmeticError, ValueError, TypeError, MemoryError, RecursionError) as exc:
        return TaskResult(False, f"cannot check: {type(exc).__name__}: {exc}")


def _data(graph, which: str = "train"):
    from .datasets import for_graph
    ds = for_graph(graph)
    if ds is None:
        return None
    return ds.train() if which == "train" else ds.test()


def _predict_gradient(task: Task, graph, answer) -> TaskResult:
    return judge_prediction(task, prediction_target(task, graph), answer)


def prediction_target(task: Task, graph) -> tuple[float, str]:
    """The engine's dJ/d· a predict_gradient task asks for, and the box's name; raises GraphError."""
    from .engine import compile_graph
    key = task.params["box"]
    name = graph.box_name(VariableRef.box_of(key))
    grad = compile_graph(graph).run(_data(graph)).grad(key)
    if grad is None or np.ndim(grad) != 0:
        raise GraphError(f"dJ/d{name} is one number per sample, not one number")
    return float(grad), name


def judge_prediction(task: Task, target: tuple[float, str], answer) -> TaskResult:
    true, name = target
    if answer is None:
        return TaskResult(False, f"type your prediction of dJ/d{name} first")
    if not _num(answer):
        return TaskResult(False, f"your answer {answer!r} is not a number")
    tol = task.param("tolerance")  # relative for |dJ/d·| above 1, absolute below
    if abs(answer - true) <= tol * max(1.0, abs(true)):
        return TaskResult(True, f"right: dJ/d{name} = {format_number(true)}")
    return TaskResult(False, f"not yet: your {format_number(answer)} is not dJ/d{name} (within {format_number(tol)})")


def _cost_below(task: Task, graph, answer) -> TaskResult:
    from .engine import compile_graph
    cost = compile_graph(graph).run(_data(graph), backward=False).cost
    target = task.params["value"]
    if cost is None:
        return TaskResult(False, "cannot check: the graph gives no cost J")
    if cost < target:
        return TaskResult(True, f"J = {format_number(cost, 4)} < {format_number(target)}")
    return TaskResult(False, f"not yet: J = {format_number(cost, 4)}, not below {format_number(target)}")


def _accuracy_at_least(task: Task, graph, answer) -> TaskResult:
    from .engine import compile_graph
    on, target = task.param("on"), task.params["value"]
    data = _data(graph, on)
    if data is None or "y" not in data:
        return TaskResult(False, f"cannot check: the data set has no {on} points with labels y")
    plan = compile_graph(graph)
    pred = plan.predict(plan.run(data, backward=False))
    if pred is None:
        return TaskResult(False, "cannot check: the graph names no 'output'")
    acc = float(np.mean(np.broadcast_to(pred, np.shape(data["y"])) == data["y"]))
    if acc >= target:
        return TaskResult(True, f"{acc:.1%} of the {on} points right (≥ {target:.0%})")
    return TaskResult(False, f"not yet: {acc:.1%} of the {on} points right, {target:.0%} wanted")


def _build_expression(task: Task, graph, answer) -> TaskResult:
    ref, inputs = _reference(task)
    boxes = {}
    for name in inputs:
        box = _input_for(graph, name)
        if box is None:
            return TaskResult(False, f"not yet: no input box for '{name}' (its column, id or label)")
        boxes[name] = box
    lo, hi = task.param("range")
    rng = np.random.default_rng(task.param("seed"))
    points = {name: rng.uniform(lo, hi, task.param("points")) for name in inputs}
    want = _root_value(ref, points)  # its input boxes read the columns named as the inputs
    data = {graph.column(b) or b: points[n] for n, b in boxes.items()}
    got = _root_value(graph, data)
    if got is None:
        return TaskResult(False, "not yet: the graph names no cost J or output to compare")
    got = np.broadcast_to(got, want.shape)
    tol = task.param("tol")
    bad = ~np.isclose(got, want, rtol=tol, atol=tol)
    if not bad.any():
        return TaskResult(True, f"equal to {task.params['expr']} at {len(want)} random points")
    i = int(np.argmax(bad))
    at = ", ".join(f"{n} = {format_number(points[n][i], 4)}" for n in inputs)
    return TaskResult(False, f"not yet: at {at} your graph gives {format_number(got[i])}, "
                             f"{task.params['expr']} gives {format_number(want[i])}")


def _reference(task: Task):
    """The expression's own graph (graphcore.expr) and the names that are its inputs."""
    p = task.params
    try:
        names = free_names(p["expr"])
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        from .expr import from_expr
        from_expr(p["expr"])  # refuses it in one line, with the column
        raise
    inputs = tuple(p.get("inputs") or names)
    return _expression_graph(p["expr"], inputs), list(inputs)


@functools.lru_cache(maxsize=64)
def _expression_graph(expr: str, inputs: tuple):
    """Built once per expression: every command in an exercise's window asks whether the task
    can still run. Only read (evaluated), never changed."""
    from .expr import from_expr
    return from_expr(expr, list(inputs))


def _input_for(graph, name: str) -> str | None:
    """The learner's input box for an expression name: by column, then id, then label."""
    ins = graph.inputs()
    for match in (lambda b: graph.column(b) == name, lambda b: b == name, lambda b: graph.label(b) == name):
        found = [b for b in ins if match(b)]
        if found:
            return found[0]
    return None


def _root_value(graph, data) -> np.ndarray | None:
    from .engine import compile_graph
    key = graph.meta.get("loss") or graph.meta.get("output")
    if not key:
        return None
    ev = compile_graph(graph).run(data, backward=False)
    return np.asarray(ev.value(key), dtype=float)


def _fix_derivative(task: Task, graph, answer) -> TaskResult:
    from . import functions as F
    from .learner import verdict
    fn = F.CATALOGUE[task.params["function"]]
    v = verdict(fn)
    return TaskResult(v.ok, f"{v.mark} {v.text}")


_CHECKS = {"predict_gradient": _predict_gradient, "cost_below": _cost_below,
           "accuracy_at_least": _accuracy_at_least, "build_expression": _build_expression,
           "fix_derivative": _fix_derivative}


@functools.lru_cache(maxsize=256)
def free_names(expr: str) -> tuple[str, ...]:
    """The names an expression reads, in order of first use (callees like sin are not names)."""
    tree = ast.parse(expr.strip(), mode="eval")
    callees = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    seen: dict[str, None] = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and id(n) not in callees:
            seen.setdefault(n.id, None)
    return tuple(seen)
