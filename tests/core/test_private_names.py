"""No private names used across modules in graphcore/ and gui/ (issue #17 item 6).

A leading underscore says "mine": another module that imports ``_name`` from a project
module, or reads ``obj._name`` of an object it does not own, ties itself to details the
owner may change without notice. The check reads every module with ast and fails on
``from <project module> import _name`` and on ``x._name`` where ``x`` is not ``self``,
``cls`` or ``super()``. An entry in ALLOWED is an exception with its reason: an attribute
name (a stdlib or Qt name that is public though spelled with "_") or "path:function" (a
function that may read another object's private fields); a "path:function" entry that is
no longer needed fails too, so the list only shrinks.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECT = ("graphcore", "gui")

ALLOWED: dict[str, str] = {
    # attribute names: public interfaces spelled with a leading underscore
    "_replace": "namedtuple's public method (the underscore keeps it apart from field names)",
    "_asdict": "namedtuple's public method",
    "_fields": "namedtuple's public attribute",
    "_getframe": "sys._getframe, the stdlib's documented way to read a caller's frame",
    "_exit": "os._exit, the stdlib's exit without cleanup (a forked child)",
    # functions that read another object's private fields
    "graphcore/graph.py:Graph.assign": "a Graph copying another Graph's own fields (the same class)",
    "graphcore/merge.py:FragmentMerge.merge": "Graph.merge (a base class of Graph) reading the "
                                             "fragment Graph's own fields: the same class",
    "graphcore/merge.py:FragmentMerge._merge_in_batch": "Graph.merge's bulk way inside a batch (a "
                                                        "paste): the fragment Graph's own fields, the same class",
    "graphcore/graph.py:Graph._data": "networkx's own node dict (G._node): the hottest read in the "
                                      "model, no view made per call",
}


def _is_project(node: ast.ImportFrom) -> bool:
    return node.level > 0 or (node.module or "").split(".")[0] in PROJECT


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _own(value: ast.expr) -> bool:
    """``self``, ``cls`` or ``super()``: the object's own class speaking."""
    if isinstance(value, ast.Name):
        return value.id in ("self", "cls")
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "super"


class _Finder(ast.NodeVisitor):
    def __init__(self, rel: str):
        self.rel, self.scope, self.found = rel, [], []

    def _where(self) -> str:
        return f"{self.rel}:{'.'.join(self.scope)}" if self.scope else self.rel

    def _scoped(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def visit_ImportFrom(self, node: ast.ImportFrom):
        if _is_project(node):
            for alias in node.names:
                if _private(alias.name):
                    self.found.append((self._where(), f"line {node.lineno}: from "
                                       f"{'.' * node.level}{node.module or ''} import {alias.name}"))

    def visit_Attribute(self, node: ast.Attribute):
        if _private(node.attr) and not _own(node.value):
            self.found.append((self._where(), f"line {node.lineno}: {ast.unparse(node.value)}.{node.attr}",
                               node.attr))
        self.generic_visit(node)


def uses_in(source: str, rel: str) -> list[tuple]:
    """(where, what[, attribute]) for every private name ``source`` takes from elsewhere."""
    finder = _Finder(rel)
    finder.visit(ast.parse(source))
    return finder.found


def problems(uses) -> list[str]:
    return [f"{where} {what}" for where, what, *attr in uses
            if where not in ALLOWED and not (attr and attr[0] in ALLOWED)]


def all_uses() -> list[tuple]:
    out = []
    for package in PROJECT:
        for path in sorted((ROOT / package).rglob("*.py")):
            out += uses_in(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
    return out


def test_no_private_name_is_used_across_modules():
    found = problems(all_uses())
    assert not found, "make these public (or add them to ALLOWED with a reason):\n" + "\n".join(found)


def test_every_allowed_function_is_still_needed_and_every_entry_has_a_reason():
    where = {w for w, *_ in all_uses()}
    stale = [k for k in ALLOWED if ":" in k and k not in where]
    assert not stale, f"no longer reads another object's privates, remove from ALLOWED: {stale}"
    assert all(reason.strip() for reason in ALLOWED.values())


@pytest.mark.parametrize("source, expected", [
    ("from graphcore.kernel_emitter import _helper\n", ["m.py line 1: from graphcore.kernel_emitter import _helper"]),
    ("from .kernel_emitter import _helper, templates\n", ["m.py line 1: from .kernel_emitter import _helper"]),
    ("from os import _exit\nfrom graphcore.numbers import format_number\n", []),
    ("def f(scene):\n    scene._add_item()\n", ["m.py:f line 2: scene._add_item"]),
    ("class A:\n    def f(self, other):\n        return other.view._schedule\n",
     ["m.py:A.f line 3: other.view._schedule"]),
    ("x = functions._sign\n", ["m.py line 1: functions._sign"]),
    ("class A:\n    def f(self):\n        return self._x, cls._y, super()._z(), self.__class__\n", []),
    ("import sys\nframe = sys._getframe(1)\np = point._replace(x=1)\n", []),
    ("class Graph:\n    def assign(self, source):\n        return source._g\n", []),
])
def test_the_check_sees_private_names_taken_from_elsewhere(source, expected):
    rel = "graphcore/graph.py" if "class Graph" in source else "m.py"
    assert problems(uses_in(source, rel)) == [e.replace("m.py", rel) for e in expected]
