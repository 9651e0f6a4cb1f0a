"""Port counts asked per arrow stay cheap: a Function without attrs has fixed ports, so wiring
it resolves no attrs (connect asks twice per arrow; resolving was a third of building a
10,000-box graph); a softmax's ports still follow its k."""
from __future__ import annotations

from graphcore import functions as F
from graphcore.graph import Graph


def test_wiring_attrless_boxes_resolves_no_attrs(monkeypatch):
    g = Graph()
    prev = g.add_node("parameter", "p", value=1.0)
    boxes = [g.add_node("sin", f"s{i}") for i in range(20)]
    calls = []
    original = F.Function.resolve_attrs

    def counted(self, *args, **kwargs):
        calls.append(self.name)
        return original(self, *args, **kwargs)
    monkeypatch.setattr(F.Function, "resolve_attrs", counted)
    for box in boxes:
        g.connect(prev, box, 0)
        prev = box
    assert calls == []
    assert g.n_inputs("s0") == 1 and g.n_outputs("s0") == 1


def test_a_softmax_still_counts_its_ports_from_k():
    g = Graph()
    sm = g.add_node("softmax", "sm", attrs={"k": 4})
    assert g.n_inputs(sm) == 4 and g.n_outputs(sm) == 4
    ce = g.add_node("cross_entropy", "ce", attrs={"k": 3})
    assert g.n_inputs(ce) == 4 and g.n_outputs(ce) == 1
