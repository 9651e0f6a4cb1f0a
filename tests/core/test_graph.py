"""The Graph model: checked changes, change events, the error hierarchy, fan-out, the rank order."""
import random

import networkx as nx
import numpy as np
import pytest

from graphcore import fileformat
from graphcore.engine import compile_graph
from graphcore.errors import (BadAttributeError, BadIdError, CycleError, DuplicateIdError, GraphError,
                              PortError, PortTakenError, UnknownFunctionError, UnknownNodeError)
from graphcore.graph import Edge, Graph, NodeRecord


def chain():
    g = Graph()
    g.add_node("parameter", "a", value=2.0)
    g.add_node("parameter", "b", value=3.0)
    g.add_node("mul", "m")
    g.add_node("sigmoid", "s")
    g.connect("a", "m", 0)
    g.connect("b", "m", 1)
    g.connect("m", "s", 0)
    return g


def record(g):
    events = []
    g.subscribe(events.append)
    return events


def test_each_change_emits_one_event():
    g = Graph()
    events = record(g)
    g.add_node("parameter", "a", value=1.0)
    g.add_node("neg", "n")
    g.connect("a", "n", 0)
    g.set_value("a", 2.0)
    g.set_label("n", "minus")
    g.move("n", 10, 20)
    g.set_meta("loss", "n")
    g.disconnect("n", 0)
    g.remove_node("n")
    kinds = [(e.kind, e.node, e.key) for e in events]
    assert kinds == [("node_added", "a", None), ("node_added", "n", None), ("edge_added", None, None),
                     ("node_changed", "a", "value"), ("node_changed", "n", "label"), ("node_moved", "n", None),
                     ("graph_changed", None, "loss"), ("edge_removed", None, None), ("node_removed", "n", None)]
    assert events[2].edge == Edge("a", "n", 0, 0)
    assert g.meta["loss"] is None, "removing the loss box clears the loss"


def test_attr_column_and_meta_changes_are_announced_with_their_key():
    g = Graph()
    g.add_node("input", "x", column="x")
    g.add_node("leaky_relu", "r")
    events = record(g)
    v = g.version
    g.set_attr("r", "slope", 0.2)
    g.set_column("x", "x2")
    g.set_meta("threshold", 0.3)
    g.set_meta("name", "lesson")
    assert [(e.kind, e.node, e.key) for e in events] == [
        ("node_changed", "r", "attrs"), ("node_changed", "x", "column"),
        ("graph_changed", None, "threshold"), ("graph_changed", None, "name")]
    assert g.attrs("r") == {"slope": 0.2} and g.column("x") == "x2" and g.version == v + 2


def test_batch_emits_one_reset_and_nested_batches_too():
    g = Graph()
    events = record(g)
    with g.batch():
        g.add_node("parameter", "a", value=1.0)
        with g.batch():
            g.add_node("exp", "e")
            g.connect("a", "e", 0)
        g.set_value("a", 3.0)
    assert [e.kind for e in events] == ["reset"]
    with g.batch():
        pass
    assert [e.kind for e in events] == ["reset"], "an empty batch says nothing"


def test_unsubscribe_and_versions():
    g = chain()
    events = []
    unsubscribe = g.subscribe(events.append)
    v, vv = g.version, g.values_version
    g.set_value("a", 5.0)
    assert (g.version, g.values_version) == (v, vv + 1), "a parameter value is not structure"
    g.add_node("exp", "e")
    assert g.version == v + 1
    unsubscribe()
    g.add_node("exp", "e2")
    assert len(events) == 2


def snapshot(g):
    return (fileformat.dumps(g), g.version, list(g.nodes()), list(g.edges()), dict(g._rank))


@pytest.mark.parametrize("change,error,names", [
    (lambda g: g.add_node("nope"), UnknownFunctionError, ()),
    (lambda g: g.add_node("exp", "1x"), BadIdError, ("1x",)),
    (lambda g: g.add_node("exp", "a"), DuplicateIdError, ("a",)),
    (lambda g: g.add_node("parameter", "p"), BadAttributeError, ("p",)),
    (lambda g: g.add_node("exp", "e", value=1.0), BadAttributeError, ("e",)),
    (lambda g: g.add_node("parameter", "p", value=float("nan")), BadAttributeError, ("p",)),
    (lambda g: g.add_node("pow", "p"), BadAttributeError, ("p",)),
    (lambda g: g.add_node("exp", "e", column="x"), BadAttributeError, ("e",)),
    (lambda g: g.connect("s", "m", 0), CycleError, ("s", "m")),
    (lambda g: g.connect("m", "m", 0), CycleError, ("m", "m")),
    (lambda g: g.connect("a", "m", 0), PortTakenError, ("m", "a")),
    (lambda g: g.connect("a", "m", 2), PortError, ("m",)),
    (lambda g: g.connect("a", "s", 0, out=1), PortError, ("a",)),
    (lambda g: g.connect("a", "b", 0), PortError, ("b",)),
    (lambda g: g.connect("zz", "s", 0), UnknownNodeError, ("zz",)),
    (lambda g: g.disconnect("s", 3), PortError, ("s",)),
    (lambda g: g.set_value("m", 1.0), BadAttributeError, ("m",)),
    (lambda g: g.set_value("a", None), BadAttributeError, ("a",)),
    (lambda g: g.set_value("a", "x"), BadAttributeError, ("a",)),
    (lambda g: g.set_attr("m", "slope", 0.1), BadAttributeError, ("m",)),
    (lambda g: g.set_meta("loss", "nobox"), UnknownNodeError, ("nobox",)),
    (lambda g: g.set_meta("loss", "s:1"), PortError, ("s",)),
    (lambda g: g.set_meta("colour", 1), BadAttributeError, ()),
    (lambda g: g.remove_node("zz"), UnknownNodeError, ("zz",)),
])
def test_refused_changes_leave_the_graph_unchanged(change, error, names):
    g = chain()
    events = record(g)
    before = snapshot(g)
    with pytest.raises(error) as exc:
        change(g)
    assert isinstance(exc.value, GraphError)
    assert exc.value.nodes == names
    assert "\n" not in str(exc.value)
    for n in names:
        assert n in str(exc.value)
    assert snapshot(g) == before and events == []


def test_cycle_error_names_both_boxes():
    g = chain()
    with pytest.raises(CycleError) as exc:
        g.connect("s", "m", 1, replace=True)
    assert "'s'" in str(exc.value) and "m" in str(exc.value)
    assert "cycle" in str(exc.value)


def test_port_taken_names_the_box_and_the_arrow_already_there():
    g = chain()
    with pytest.raises(PortTakenError, match="input 0 of 'm' is already wired from 'a'"):
        g.connect("b", "m", 0)
    old = g.connect("b", "m", 0, replace=True)
    assert old == Edge("a", "m", 0)
    assert g.edge_into("m", 0) == Edge("b", "m", 0)


def test_same_source_into_both_ports_fans_out_gradient_twice():
    """x*x: one Variable on both ports of mul; dJ/dx = x + x = 2x (the copy gate sums)."""
    g = Graph()
    g.add_node("parameter", "x", value=3.0)
    g.add_node("mul", "sq")
    g.connect("x", "sq", 0)
    g.connect("x", "sq", 1)
    g.set_meta("loss", "sq")
    assert g.inputs_of("sq") == [Edge("x", "sq", 0), Edge("x", "sq", 1)]
    ev = compile_graph(g).run()
    assert ev.cost == 9.0 and float(ev.grad("x")) == 6.0
    # and on a data column: per-sample gradients 2xᵢ/m
    g.set_value("x", 1.0)
    g2 = Graph()
    g2.add_node("input", "x", column="x")
    g2.add_node("mul", "sq")
    g2.connect("x", "sq", 0)
    g2.connect("x", "sq", 1)
    g2.set_meta("loss", "sq")
    ev = compile_graph(g2).run({"x": np.array([1.0, -2.0, 4.0])})
    assert np.array_equal(ev.grad("x"), 2 * np.array([1.0, -2.0, 4.0]) / 3)


def test_remove_node_returns_what_puts_it_back():
    g = chain()
    rec, edges, cleared = g.remove_node("m")
    assert rec == NodeRecord("m", "mul") and set(edges) == {Edge("a", "m", 0), Edge("b", "m", 1), Edge("m", "s", 0)}
    assert "m" not in g and g.edges() == [] and cleared == {}
    g.add_record(rec)
    for e in edges:
        g.connect(e.src, e.dst, e.port, e.out)
    assert fileformat.dumps(g) != "" and len(g.edges()) == 3


def test_set_attr_refuses_to_strand_arrows():
    g = Graph()
    for i in range(3):
        g.add_node("parameter", f"z{i}", value=float(i))
    g.add_node("softmax", "s", attrs={"k": 3})
    for i in range(3):
        g.connect(f"z{i}", "s", i)
    with pytest.raises(BadAttributeError, match="remove it first"):
        g.set_attr("s", "k", 2)
    assert g.attrs("s") == {"k": 3}
    g.set_attr("s", "k", 4)
    assert g.n_inputs("s") == 4 and g.variable_keys("s") == ["s:0", "s:1", "s:2", "s:3"]


def test_unique_ids_and_topological_order():
    g = Graph()
    ids = [g.add_node("exp") for _ in range(3)]
    assert ids == ["exp", "exp1", "exp2"]
    g.add_node("parameter", "p", value=1.0)
    g.connect("exp2", "exp", 0)
    g.connect("p", "exp2", 0)
    order = g.topological_order()
    assert order.index("p") < order.index("exp2") < order.index("exp")


def test_rank_order_keeps_up_with_random_edits():
    """The incremental topological rank agrees with networkx on cycles and stays an order."""
    for seed in range(60):
        r = random.Random(seed)
        g = Graph()
        ids = [g.add_node("add") for _ in range(10)]
        for _ in range(50):
            if r.random() < 0.2 and g.edges():
                e = r.choice(g.edges())
                g.disconnect(e.dst, e.port)
                continue
            a, b, port = r.choice(ids), r.choice(ids), r.randint(0, 1)
            cycle = a == b or nx.has_path(g._g, b, a)
            try:
                g.connect(a, b, port)
                assert not cycle
            except CycleError:
                assert cycle
            except PortTakenError:
                pass
            assert all(g._rank[e.src] < g._rank[e.dst] for e in g.edges())
        if r.random() < 0.5:
            g.remove_node(ids.pop())


def test_clear_removes_everything_with_one_reset():
    g = chain()
    events = record(g)
    g.clear()
    assert len(g) == 0 and g.edges() == [] and [e.kind for e in events] == ["reset"]


def test_copy_is_independent():
    g = chain()
    h = g.copy()
    h.set_value("a", 10.0)
    assert g.value("a") == 2.0 and fileformat.dumps(g) != fileformat.dumps(h)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), "0.5", True, None])
def test_a_bad_threshold_is_refused_without_naming_a_box(bad):
    """The threshold belongs to the graph, not a box: the message and its box list say so
    (a box list naming 'graph' would send the window looking for a box that is not there)."""
    g = Graph()
    with pytest.raises(BadAttributeError) as info:
        g.set_meta("threshold", bad)
    assert "threshold must be a finite number" in str(info.value) and "box" not in str(info.value)
    assert list(info.value.nodes) == []
    assert g.meta.get("threshold", 0.5) == 0.5
