"""The model's typed records: VariableRef, NodeRecord / add_record, EventKind, Removal."""
import pytest

from graphcore import fileformat
from graphcore.graph import EventKind, Graph, GraphEvent, NodeRecord, VariableRef


def softmax_graph():
    g = Graph()
    g.add_node("input", "x", label="x in", column="x", pos=(1, 2))
    g.add_node("parameter", "w", value=0.5)
    g.add_node("softmax", "sm", attrs={"k": 2})
    g.connect("x", "sm", 0)
    g.connect("w", "sm", 1)
    return g


@pytest.mark.parametrize("text, ref", [("h", VariableRef("h")), ("sm:1", VariableRef("sm", 1)),
                                       ("sm:", VariableRef("sm", 0))])
def test_variable_ref_reads_the_file_text(text, ref):
    assert VariableRef.parse(text) == ref and VariableRef.box_of(text) == ref.node
    assert VariableRef.parse(text).key == (text if text != "sm:" else "sm:0")


@pytest.mark.parametrize("text", ["L: 0", "L:-0", "L:x", "L:01"])
def test_variable_ref_refuses_a_port_that_is_no_number(text):
    with pytest.raises(ValueError):
        VariableRef.parse(text)


def test_plan_keys_are_the_refs_of_each_output():
    g = softmax_graph()
    assert g.variable_keys("sm") == ["sm:0", "sm:1"] == [VariableRef.of_output("sm", k, 2).key for k in (0, 1)]
    assert g.variable_keys("x") == ["x"] == [VariableRef.of_output("x", 0, 1).key]


def test_a_record_puts_a_box_back_as_it_was():
    g = softmax_graph()
    text, order = fileformat.dumps(g), g.edges()
    rec, edges, cleared = g.remove_node("x")
    assert rec == NodeRecord("x", "input", label="x in", column="x", pos=(1.0, 2.0)) and cleared == {}
    g.add_record(rec, at=0)
    for e in sorted(edges, key=order.index):
        g.connect(e.src, e.dst, e.port, e.out, at=order.index(e))
    assert fileformat.dumps(g) == text
    assert [g.record(n).to_dict() for n in g.nodes()] == fileformat.to_dict(g)["nodes"]


def test_remove_node_reports_the_loss_and_output_it_cleared():
    g = softmax_graph()
    g.set_meta("output", "sm")
    g.set_meta("loss", "sm:1")
    removal = g.remove_node("sm")
    assert removal.cleared == {"loss": "sm:1", "output": "sm"}
    assert g.meta["loss"] is None and g.meta["output"] is None
    assert g.remove_node("w").cleared == {}


def test_event_kinds_are_typed_and_still_equal_their_text():
    seen = []
    g = Graph()
    g.subscribe(seen.append)
    g.add_node("parameter", "p", value=1.0)
    g.move("p", 3, 4)
    assert [e.kind for e in seen] == [EventKind.NODE_ADDED, EventKind.NODE_MOVED]
    assert seen[1].kind == "node_moved" and isinstance(seen[1].kind, EventKind)
    assert GraphEvent("graph_changed", key="groups").kind is EventKind.GRAPH_CHANGED
    with pytest.raises(ValueError):
        GraphEvent("node_moevd")


def test_the_change_log_follows_every_kind():
    from graphcore.incremental import ChangeLog
    assert set(ChangeLog._FOLLOW) == set(EventKind)
