"""An edit of a big graph reads what it changes (issue #18 item 5): counts, never timings.

The label counts behind ``box_name`` and the parameter/input lists follow boxes as they
come and go instead of being read again; putting a box or an arrow back at its old place
(undo) reuses the hashes the order keeps instead of calling an Edge's ``__hash__`` per arrow."""
from __future__ import annotations

from graphcore import label_counts as LC
from graphcore.graph import Edge
from graphcore.graph_order import insert_at
from graphcore.randgraph import random_graph


def fresh(g):
    counts = {}
    for n in g.nodes():
        counts[g.label(n)] = counts.get(g.label(n), 0) + 1
    params = [n for n in g.nodes() if g.op(n) == "parameter"]
    inputs = [n for n in g.nodes() if g.op(n) == "input"]
    return counts, params, inputs


def kept(g):
    return LC.label_counts(g), g.parameters(), g.inputs()


def test_adding_and_removing_boxes_reads_no_other_box():
    g, _ = random_graph(300, 3)
    assert kept(g) == fresh(g)
    before = dict(LC.READS)
    a = g.add_node("parameter", value=1.0, label="w")
    b = g.add_node("input", label="w")  # a second "w": box_name now adds ids
    g.add_node("add")
    assert g.box_name(a) == f"w [{a}]"
    last = g.nodes()[-1]
    rec = g.record(g.parameters()[0])
    g.remove_node(rec.id)
    g.remove_node(last)
    g.remove_node(b)
    assert kept(g) == fresh(g)
    assert LC.READS == before  # no whole-graph read since the first
    assert g.box_name(a) == "w"


def test_a_box_put_back_in_the_middle_is_listed_in_its_place():
    g, _ = random_graph(100, 4)
    first = g.inputs()[0]
    at = g.nodes().index(first)
    removal = g.remove_node(first)
    g.add_record(removal.record, at=at)
    assert g.nodes().index(first) == at
    assert kept(g) == fresh(g)


def test_parameters_and_inputs_put_back_in_the_middle_go_into_their_place_without_a_re_read():
    """An undo of a deleted parameter or input (first, middle, last of its kind, or with none
    of its kind after it) puts it into the kept list in box order: no read of every box."""
    g, _ = random_graph(200, 6)
    kept(g)
    before = dict(LC.READS)
    for kind in ("parameter", "input"):
        same = [n for n in g.nodes() if g.op(n) == kind]
        last_box = g.nodes()[-1]
        for victim in (same[0], same[len(same) // 2], same[-1]):
            at = g.nodes().index(victim)
            removal = g.remove_node(victim)
            g.add_record(removal.record, at=at)
            assert kept(g) == fresh(g), (kind, victim)
        # several put back in reverse order of their deletion, as a multi-delete's undo does
        removals = [(g.nodes().index(n), g.remove_node(n)) for n in (same[1], same[2], same[-2])]
        for at, removal in reversed(removals):
            g.add_record(removal.record, at=at)
        assert kept(g) == fresh(g) and g.nodes()[-1] == last_box
    assert LC.READS["sources"] == before["sources"]


def test_a_box_of_another_kind_put_back_in_the_middle_keeps_the_source_lists():
    """An undo of a deleted add box (not a parameter or input) needs no re-read of the lists."""
    g, _ = random_graph(100, 4)
    other = next(n for n in g.nodes()[10:] if g.op(n) not in ("parameter", "input"))
    at = g.nodes().index(other)
    kept(g)
    removal = g.remove_node(other)
    g.add_record(removal.record, at=at)
    before = dict(LC.READS)
    assert kept(g) == fresh(g)
    assert LC.READS["sources"] == before["sources"]


def test_a_renamed_box_recounts_labels():
    g, _ = random_graph(50, 5)
    n = g.nodes()[0]
    LC.label_counts(g)
    before = dict(LC.READS)
    g.set_label(n, "only_one")
    assert LC.label_counts(g) == fresh(g)[0]
    g.set_label(g.nodes()[1], "only_one")  # now two: box_name tells them apart
    assert g.box_name(n) == f"only_one [{n}]"
    g.set_label(n, None)  # back to its id
    assert LC.label_counts(g) == fresh(g)[0] and g.box_name(g.nodes()[1]) == "only_one"
    assert LC.READS == before  # the renames were followed, no box read again


class Counted(Edge):
    calls = 0

    def __hash__(self):
        Counted.calls += 1
        return super().__hash__()


def test_inserting_in_the_middle_calls_no_hash_per_arrow():
    order = dict.fromkeys(Counted(f"a{i}", f"b{i}", 0) for i in range(2000))
    Counted.calls = 0
    new = insert_at(order, Counted("x", "y", 0), 700)
    assert Counted.calls == 1  # the new arrow's own hash only
    keys = list(order)
    assert list(new) == keys[:700] + [Counted("x", "y", 0)] + keys[700:]


def test_a_box_added_unwired_does_not_walk_the_graph_for_the_ignored_boxes(monkeypatch):
    """ignored_boxes (asked by the plots and the data set after every edit) keeps the boxes J
    needs while no arrow changes: an added box is ignored without a walk over the graph; an
    arrow wired to it walks again and the answer is a fresh one's."""
    from graphcore import engine
    from graphcore.graph import Graph

    g, _ = random_graph(300, 3)
    g.set_meta("loss", g.nodes()[-1])
    first = engine.ignored_boxes(g)
    walks = []
    real = Graph.upstream_of
    monkeypatch.setattr(Graph, "upstream_of", lambda self, ids: walks.append(1) or real(self, ids))
    new = g.add_node("parameter", value=1.0)
    assert engine.ignored_boxes(g) == first | {new} and walks == []
    newer = g.add_node("add")  # another unwired box: the kept answer grows by it
    assert engine.ignored_boxes(g) == first | {new, newer} and walks == []
    at = g.nodes().index(new)
    removal = g.remove_node(new)
    assert engine.ignored_boxes(g) == first | {newer}
    g.add_record(removal.record, at=at)  # put back before the last box: not a box at the end
    assert engine.ignored_boxes(g) == first | {new, newer}
    walks.clear()  # (the removal changed the wiring: one walk)
    target = next(n for n in g.nodes() if n not in first and g.op(n) == "add")
    g.disconnect(target, 0)
    g.connect(new, target, 0)  # now J depends on it
    loss = g.meta["loss"]
    expected = {n for n in g.nodes() if n not in real(g, [loss]) | {loss}}
    assert engine.ignored_boxes(g) == expected and new not in expected and walks == [1]
