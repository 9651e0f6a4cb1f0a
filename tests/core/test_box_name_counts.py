"""Naming every box reads the labels once per change, not once per name (was quadratic)."""
from graphcore.graph import Graph


def test_naming_every_box_reads_each_label_a_bounded_number_of_times(monkeypatch):
    g = Graph()
    ids = [g.add_node("input", label=f"x{i % 50}") for i in range(400)]
    unique = g.add_node("input", label="alone")
    reads = []
    real = Graph.label
    monkeypatch.setattr(Graph, "label", lambda self, n: reads.append(n) or real(self, n))
    names = [g.box_name(n) for n in ids + [unique]]
    assert len(reads) <= 3 * len(ids)  # quadratic was 400 × 401
    assert names[0] == f"x0 [{ids[0]}]" and names[-1] == "alone"


def test_a_rename_is_seen_at_once():
    g = Graph()
    a, b = g.add_node("input", label="h"), g.add_node("input", label="h")
    assert g.box_name(a) == f"h [{a}]"
    g.set_label(b, "k")
    assert g.box_name(a) == "h"
