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


def test_a_box_added_at_any_place_goes_into_the_kept_lists_where_a_read_puts_it():
    """``add_node(at=)`` as ``insert_at`` places it (a negative place: the front, as past the end:
    the end); the kept source lists follow without a re-read and agree with one."""
    from graphcore import label_counts as LC

    for at in (-5, -3, -2, -1, 0, 1, 2, 3, 99, None):
        g, a, b = small()
        g.add_node("parameter", "p0", value=0.0)
        assert g.parameters() == [a, "p0"]  # read: kept from here on
        reads = LC.READS["sources"]
        new = g.add_node("parameter", "q", value=0.0, at=at)
        kept = g.parameters()
        assert LC.READS["sources"] == reads, at
        assert kept == [n for n in g.nodes() if g.op(n) == "parameter"], at
        assert kept.index(new) == (0 if at is not None and at <= 0 else 2 if at is None or at >= 4 else 1), at
