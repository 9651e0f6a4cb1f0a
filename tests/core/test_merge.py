"""Graph.merge (graphcore/merge.py): copying a checked fragment equals building it box by box (paste, issue #20)."""
from __future__ import annotations

import json

import pytest

from graphcore import fileformat
from graphcore.graph import EventKind, Graph, NodeRecord
from graphcore.randgraph import random_graph


def test_merge_equals_adding_and_connecting_each_box():
    src, _ = random_graph(800, 5)
    frag = fileformat.loads(json.dumps(fileformat.to_dict(src)))
    doc = fileformat.to_dict(frag)
    for before in (0, 3):  # into an empty graph, and after boxes already there
        built, merged = Graph(), Graph()
        for g in (built, merged):
            for i in range(before):
                g.add_node("parameter", f"p{i}", value=1.0)
        rename = {n: n + "_c" for n in frag.nodes()}
        pos = {n: (1.0, 2.0) for n in frag.nodes()[:5]}
        for nd in doc["nodes"]:
            built.add_record(NodeRecord.from_dict(nd, rename[nd["id"]], pos.get(nd["id"])))
        for ed in doc["edges"]:
            built.connect(rename[ed["src"]], rename[ed["dst"]], ed["port"], ed.get("out", 0))
        events = []
        merged.subscribe(events.append)
        assert merged.merge(frag, rename, pos) == [rename[n] for n in frag.nodes()]
        assert fileformat.to_dict(merged) == fileformat.to_dict(built)
        assert merged.topological_order() == built.topological_order()
        assert sorted(merged._rank, key=merged._rank.get) == sorted(built._rank, key=built._rank.get)
        assert [e.kind for e in events].count(EventKind.NODE_ADDED) == len(frag)
        assert [e.kind for e in events].count(EventKind.EDGE_ADDED) == len(frag.edges())
        # the copy is its own: editing it leaves the fragment as it was
        n = frag.nodes()[0]
        merged.set_label(rename[n], "changed")
        assert frag.label(n) != "changed"



def test_merge_in_a_batch_adds_in_bulk_and_records_what_one_event_each_would():
    """Inside a batch (a paste of many boxes) the boxes and arrows go in at once; the graph,
    its kept tables and the batch's record end as merging event by event leaves them."""
    from graphcore import merge as M
    from graphcore import label_counts as LC
    from graphcore.label_counts import label_counts, sources

    src, _ = random_graph(600, 7)
    frag = fileformat.loads(json.dumps(fileformat.to_dict(src)))
    rename = {n: n + "_c" for n in frag.nodes()}
    pos = {n: (3.0, 4.0) for n in frag.nodes()[::3]}
    states, heard = [], []
    for batched in (False, True):
        g = Graph()
        g.add_node("parameter", "p0", value=1.0)
        label_counts(g), sources(g)  # kept tables, to be followed
        events = []
        g.subscribe(events.append)
        before, v0 = dict(M.MERGES), g.version
        if batched:
            with g.batch():
                g.merge(frag, rename, pos)
        else:
            g.merge(frag, rename, pos)
        assert M.MERGES["bulk"] - before["bulk"] == int(batched)
        assert M.MERGES["one_by_one"] - before["one_by_one"] == int(not batched)
        reads = dict(LC.READS)
        label_counts(g), sources(g)
        assert LC.READS == reads  # the kept tables followed the merge: no whole-graph read
        states.append((fileformat.to_dict(g), list(g.layout.items()), g.topological_order(),
                       sorted(g._rank, key=g._rank.get), dict(label_counts(g)), sources(g), g.members))
        heard.append((events, g.version - v0))
    assert states[0] == states[1]
    (one_by_one, v_plain), (bulk, v_bulk) = heard
    assert v_plain == len(one_by_one) == len(frag) + len(frag.edges())
    assert v_bulk == v_plain + 1  # the same changes, then the batch's reset
    assert [e.kind for e in bulk] == [EventKind.RESET]
    ch = bulk[0].changes
    assert ch.nodes == {e.node for e in one_by_one if e.node} and ch.edges == {e.edge for e in one_by_one if e.edge}
    assert ch.kinds == {EventKind.NODE_ADDED, EventKind.EDGE_ADDED} and ch.structural and not ch.everything


def _take_out(g, chosen, lone=()):
    """What RemoveCommand.do keeps: the records, the arrows (once each: ``lone`` ones between boxes
    that stay first), the cleared roles, the places."""
    at = {n: i for i, n in enumerate(g.nodes())} | {e: i for i, e in enumerate(g.edges())}
    records, edges, meta, seen = [], [g.disconnect(e.dst, e.port) for e in lone], {}, set()
    with g.batch():
        for n in [n for n in g.nodes() if n in chosen]:
            rec, attached, cleared = g.remove_node(n)
            records.append(rec)
            meta.update(cleared)
            fresh = [e for e in attached if e not in seen]
            seen.update(fresh)
            edges += fresh
    return records, edges, meta, at


def test_put_back_gives_back_the_graph_a_delete_took_from_and_keeps_its_order_and_ranks():
    """Undo of a big delete (graphcore/merge.py put_back): the same file, topological order and
    kept tables as before the delete, ranks every arrow agrees with (so a cycle is still
    refused), for a delete of everything and of parts (arrows into boxes that stayed)."""
    import random

    from graphcore import label_counts as LC
    from graphcore.errors import CycleError
    from graphcore.label_counts import label_counts, sources

    turned = 0
    for seed in range(5):
        g, _ = random_graph(300, seed)
        before, order = fileformat.to_dict(g), g.topological_order()
        label_counts(g), sources(g)
        rnd = random.Random(seed)
        chosen = set(g.nodes()) if seed == 0 else set(rnd.sample(g.nodes(), rnd.randint(30, 280)))
        lone = [e for e in g.edges() if e.src not in chosen and e.dst not in chosen][:5]
        records, edges, meta, at = _take_out(g, chosen, lone)
        mixed = [e for e in edges if e.src in chosen and e.dst not in chosen]
        assert bool(mixed) == (seed != 0)  # parts: some arrows go into boxes that stayed
        for e in lone:  # an edit since, undone: the ranks of the boxes that stayed turned around
            if g.n_inputs(e.src) and g.edge_into(e.src, 0) is None:
                try:
                    g.connect(e.dst, e.src, 0)
                except CycleError:  # the other way round through other arrows
                    continue
                g.disconnect(e.src, 0)
        turned += sum(g._rank[e.src] > g._rank[e.dst] for e in lone)
        assert not g.put_back(records, edges, at)  # outside a batch: the caller goes one by one
        events = []
        g.subscribe(events.append)
        with g.batch():
            assert g.put_back(records, edges, at)
            for key, ref in meta.items():
                g.set_meta(key, ref)
        assert fileformat.to_dict(g) == before and g.topological_order() == order
        assert all(g._rank[e.src] < g._rank[e.dst] for e in g.edges())
        assert len(set(g._rank.values())) == len(g)
        assert [e.kind for e in events] == [EventKind.RESET] and events[0].changes.nodes >= chosen
        reads = dict(LC.READS)
        counts, srcs = dict(label_counts(g)), sources(g)
        if seed == 0:
            assert LC.READS == reads  # all appended: the kept tables followed, no whole-graph read
        fresh = fileformat.loads(json.dumps(before))
        assert counts == label_counts(fresh) and srcs == sources(fresh)
        e = next(e for e in g.edges() if g.n_inputs(e.src))  # its feeder fed by it: a cycle, refused
        with pytest.raises(CycleError):
            g.connect(e.dst, e.src, 0, replace=True)
    assert turned  # some lone arrow was put back between boxes ranked the other way round


def test_put_back_changes_nothing_when_the_boxes_no_longer_fit():
    g, _ = random_graph(120, 9)
    records, edges, _, at = _take_out(g, set(g.nodes()[:60]))
    g.add_node("parameter", records[0].id, value=1.0)  # its id taken meanwhile
    state = fileformat.to_dict(g)
    with g.batch():
        assert not g.put_back(records, edges, at)
    assert fileformat.to_dict(g) == state
