"""Graph-wide lists several panels ask for after each edit are read once per change that
can alter them (counted through the caches' identity, not timed)."""
from __future__ import annotations

from graphcore.graph import Graph
from graphcore.label_counts import label_counts


def small():
    g = Graph()
    a = g.add_node("parameter", value=1.0)
    b = g.add_node("input")
    g.add_node("add")
    return g, a, b


def test_label_counts_survive_moves_and_values_and_follow_renames():
    g, a, b = small()
    counts = label_counts(g)
    g.move(a, 10, 20)
    g.set_value(a, 2.0)
    assert label_counts(g) is counts
    g.set_label(a, "w")  # the kept counts follow the rename (note_relabelled), right without a re-read
    assert label_counts(g) == {"w": 1, "input": 1, "add": 1}
    with g.batch():  # a batch (an undo of several renames) may hold labels
        g.set_label(a, "v")
    assert label_counts(g) == {"v": 1, "input": 1, "add": 1}
    g.set_label(b, "v")  # two boxes share a label now
    assert label_counts(g) == {"v": 2, "add": 1}


def test_parameters_and_inputs_follow_the_structure():
    g, a, b = small()
    assert g.parameters() == [a] and g.inputs() == [b]
    g.parameters().append("x")  # a copy: the cache is not the caller's
    assert g.parameters() == [a]
    c = g.add_node("parameter", value=0.0)
    g.remove_node(b)
    assert g.parameters() == [a, c] and g.inputs() == []
