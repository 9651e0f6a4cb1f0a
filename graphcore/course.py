"""The course: the ready-made lessons in the order of the course notes (``../shared/seeds``).

Each lesson has a title, one paragraph for its card on the start page, the example graph it
opens (``assets/examples/<example>.graph.json``), its text (``assets/lessons/<key>.md``,
Markdown) and its tasks (records for ``graphcore.tasks.parse_task``). A lesson whose example
file is not installed is left out, so the course grows when a lesson's file is added.

Qt-free: the window's start page and Lesson panel (gui/lessons/) read it, so could a grader.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ASSETS = Path(__file__).resolve().parent.parent / "assets"
EXAMPLES = ASSETS / "examples"
TEXTS = ASSETS / "lessons"


@dataclass(frozen=True)
class CourseLesson:
    key: str                  # stable name: progress is kept under it
    title: str
    paragraph: str            # the card's one paragraph
    example: str              # the graph it opens: assets/examples/<example>.graph.json
    tasks: tuple = ()         # task records (dicts), parsed by graphcore.tasks.parse_task
    also: tuple = ()          # other example files the lesson's text sends the learner to

    def example_path(self, folder: Path = EXAMPLES) -> Path:
        return Path(folder) / f"{self.example}.graph.json"


def _predict(tid, text, box):  # graded within the checker's default tolerance (1 %)
    return {"id": tid, "kind": "predict_gradient", "text": text, "box": box}


def _cost(tid, text, value):
    return {"id": tid, "kind": "cost_below", "text": text, "value": value}


def _accuracy(tid, text, value, on="train"):
    return {"id": tid, "kind": "accuracy_at_least", "text": text, "value": value, "on": on}


def _build(tid, text, expr, inputs):
    return {"id": tid, "kind": "build_expression", "text": text, "expr": expr, "inputs": list(inputs)}


COURSE: tuple[CourseLesson, ...] = (
    CourseLesson(
        "computation_graph", "Values forward, gradients backward",
        "J = 3(a + bc) as a computation graph: the values flow forward box by box, then each "
        "Function multiplies its upstream derivative by its local derivative and sends the "
        "downstream derivative back. Work out the gradients by hand, then check them.",
        "ng_computation_graph",
        (_predict("predict_b", "Predict dJ/db before you step: type your answer", "b"),
         _predict("predict_c", "Predict dJ/dc: type your answer", "c"),
         _build("use_b_twice", "Change the graph so that J = 3(a + bc) + b", "3*(a + b*c) + b", "abc"))),
    CourseLesson(
        "derivative", "The derivative is the tangent's slope",
        "f(x) = x² and f(x) = sin(2x): the derivative at a point is the slope of the tangent. "
        "The central difference (f(x + ε) − f(x − ε)) / 2ε estimates it from two values; "
        "backprop gives it exactly.",
        "x_squared",
        (_predict("predict_square", "Predict f′(3) for f(x) = x²: type your answer", "x"),
         _build("cube", "Change the graph so that f(x) = x³ (then step through it: what is f′(3) now?)",
                "x*x*x", "x")),
        also=("sin2x",)),
    CourseLesson(
        "linear_model", "A linear model learns by gradient descent",
        "The linear model m(x; w, b) = x₁w₁ + x₂w₂ + b, a sigmoid and binary cross-entropy on "
        "the simple data set. Gradient descent moves w₁, w₂ and b against the gradient of the "
        "cost J until the line separates the two classes.",
        "logistic_regression",
        (_cost("cost_02", "Train until the cost J is below 0.2", 0.2),
         _accuracy("all_points", "Classify every training point right (100 %)", 1.0))),
    CourseLesson(
        "optimizers", "Optimizers: SGD, momentum, AdaGrad, RMSprop, Adam",
        "The same model with each optimizer in turn. Plain gradient descent takes the same step "
        "size everywhere; momentum remembers the last steps; AdaGrad and RMSprop divide by the "
        "size of past gradients; Adam does both.",
        "logistic_regression",
        (_cost("cost_01", "From the start, bring J below 0.1 in 200 epochs: pick the optimizer", 0.1),)),
    CourseLesson(
        "relu_bump", "Two relus make a bump",
        "One relu is a ramp; a second, shifted and subtracted, bends it back down. Together "
        "they make a bump, and a sigmoid turns it into “y = 1 only in the middle”: the "
        "effective-dose problem from the notes.",
        "relu_bump",
        (_accuracy("bump_95", "Reach 95 % accuracy on the points", 0.95),)),
    CourseLesson(
        "xor", "xor: one hidden layer",
        "No single line separates xor's classes. Ten relus in a hidden layer each bend the "
        "plane once; the output adds the bends into a boundary that does.",
        "xor_network",
        (_cost("xor_cost", "Bring the cost J below 0.2", 0.2),
         _accuracy("xor_95", "Reach 95 % accuracy on the points", 0.95))),
    CourseLesson(
        "circle", "circle: a closed boundary",
        "Points inside a circle against points outside it: the hidden relus have to surround "
        "one class, so the boundary must close on itself.",
        "circle_network",
        (_accuracy("circle_95", "Reach 95 % accuracy on the points", 0.95),)),
    CourseLesson(
        "softmax", "Three classes with softmax",
        "Three classes on a spiral: three outputs, softmax turns them into probabilities and "
        "cross-entropy is the cost J. The decision is the argmax; training uses the softmax.",
        "spiral3_softmax",
        (_accuracy("spiral_90", "Reach 90 % accuracy on the points", 0.9),)),
    CourseLesson(
        "vanishing_gradients", "Vanishing gradients",
        "A deep, narrow network of sigmoids: each layer multiplies the gradient by σ′ ≤ ¼, so "
        "the first layers hardly learn. Its relu twin keeps the gradient's size.",
        "vanishing_gradients",
        (_cost("vanish_cost", "Make the deep sigmoid network learn anyway: bring the cost J below 0.1", 0.1),
         _accuracy("vanish_95", "Reach 95 % accuracy on the points", 0.95)),
        also=("vanishing_gradients_relu",)),
)


def lessons(folder: Path = EXAMPLES) -> list[CourseLesson]:
    """The course as installed: the lessons whose example file exists, in the course's order."""
    return [lesson for lesson in COURSE if lesson.example_path(folder).is_file()]


def by_key(key: str) -> CourseLesson | None:
    return next((lesson for lesson in COURSE if lesson.key == key), None)


def text_of(lesson: CourseLesson, folder: Path = TEXTS) -> str:
    """The lesson's Markdown; its card paragraph when the text file is missing or unreadable."""
    try:
        return (Path(folder) / f"{lesson.key}.md").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return f"# {lesson.title}\n\n{lesson.paragraph}\n"


def tasks_of(lesson: CourseLesson) -> list:
    """The lesson's tasks as ``graphcore.tasks.Task`` (the course's own records: a refusal
    here is a bug in this file, and the tests parse every one)."""
    from .tasks import parse_task
    return [parse_task(dict(rec), i) for i, rec in enumerate(lesson.tasks)]


def lesson_for_example(path) -> CourseLesson | None:
    """The first lesson whose own graph is this example file (None: a file of no lesson)."""
    stem = Path(path).name.removesuffix(".graph.json")
    return next((lesson for lesson in COURSE if lesson.example == stem), None)


def title_for_example(path) -> str:
    """What File ▸ Examples calls a file: the first lesson that opens it (or mentions it),
    else its name without the suffix."""
    stem = Path(path).name.removesuffix(".graph.json")
    for lesson in COURSE:
        if stem == lesson.example:
            return lesson.title
    for lesson in COURSE:
        if stem in lesson.also:
            return f"{lesson.title} — {_summary(Path(path))[1] or stem.replace('_', ' ')}"
    return stem.replace("_", " ")


def example_order(path) -> tuple:
    """Sort key for example files: the course's order (a lesson's own file, then those its text
    mentions), files of no lesson last by name."""
    stem = Path(path).name.removesuffix(".graph.json")
    for i, lesson in enumerate(COURSE):
        if stem == lesson.example:
            return (i, 0, stem)
        if stem in lesson.also:
            return (i, 1, stem)
    return (len(COURSE), 0, stem)


def _summary(path: Path) -> tuple[frozenset, str | None]:
    """The ops of an example file's boxes and its graph's name ((), None when it cannot be read)."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return frozenset(), None
    return _read_summary(str(path), mtime)


@lru_cache(maxsize=64)
def _read_summary(path: str, mtime: float) -> tuple[frozenset, str | None]:
    from . import fileformat
    from .errors import GraphError
    try:
        g = fileformat.load(path)
    except (GraphError, OSError):
        return frozenset(), None
    return frozenset(g.op(n) for n in g.nodes()), g.meta.get("name")


def lessons_using(op: str, folder: Path = EXAMPLES) -> list[CourseLesson]:
    """The installed lessons whose graph (or a graph its text sends to) has a box of ``op``."""
    found = []
    for lesson in lessons(folder):
        stems = (lesson.example, *lesson.also)
        if any(op in _summary(Path(folder) / f"{stem}.graph.json")[0] for stem in stems):
            found.append(lesson)
    return found
