"""A graph naming no output box has no decision boundary, said before any compiling: the
window's boundary plot asks after every change (a 10,000-box graph: a full compile each time)."""
from __future__ import annotations

import pytest

from graphcore import boundary
from graphcore.errors import GraphError
from graphcore.graph import Graph


def test_no_output_box_is_refused_without_compiling(monkeypatch):
    g = Graph()
    x = g.add_node("input", "x1", value=0.5)
    s = g.add_node("sin", "s")
    g.connect(x, s, 0)
    compiled = []
    monkeypatch.setattr(boundary, "compile_graph", lambda *a, **k: compiled.append(1))
    with pytest.raises(GraphError, match="names no output box"):
        boundary.decision_boundary(g, None, {"x1": [0.0, 1.0], "x2": [0.0, 1.0]}, axes=("x1", "x2"))
    assert compiled == []
