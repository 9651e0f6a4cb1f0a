"""Graph.merge (graphcore/merge.py): copying a checked fragment equals building it box by box (paste, issue #20)."""
from __future__ import annotations

import json

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
