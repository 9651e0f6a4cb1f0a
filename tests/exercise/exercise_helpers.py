"""Small graphs and exercises the exercise tests share."""
from __future__ import annotations

from graphcore import exercise, fileformat
from graphcore import functions as F
from graphcore.builder import GraphBuilder
from graphcore.lessons import logistic_regression, ng_computation_graph

WRONG_SQUARE = {"name": "my_sq", "ports": ["x"], "forward": "x*x", "derivatives": {"x": "x"}}
RIGHT_SQUARE = {**WRONG_SQUARE, "derivatives": {"x": "2*x"}}


def j_graph():
    """J = 3(a + bc) with a = 5, b = 3, c = 2 (the course's first graph)."""
    return ng_computation_graph()


def logistic():
    return logistic_regression()


def with_lesson(graph, tasks, locks=(), hidden=(), title="t", text="x"):
    exercise.set_lesson(graph, exercise.make_lesson(graph, title=title, text=text, tasks=tasks,
                                                    locks=locks, hidden=hidden))
    return graph


def square_graph(fn_record):
    """f = my_sq(x) at x = 3, through a learner Function read from a file's 'functions' block."""
    b = GraphBuilder("square")
    b.input("x", value=3.0, label="x", at=(0, 0))
    doc = fileformat.to_dict(b.graph)
    doc["functions"] = [fn_record]
    doc["nodes"].append({"id": "f", "op": fn_record["name"]})
    doc["edges"].append({"src": "x", "dst": "f", "port": 0})
    doc["loss"] = "f"
    return fileformat.from_dict(doc)


def clean_catalogue():
    before = dict(F.CATALOGUE)
    return lambda: (F.CATALOGUE.clear(), F.CATALOGUE.update(before))
