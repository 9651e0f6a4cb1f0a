"""The window's two ways in for a graph file keep groups sound: copying part of a grouped
graph gives a fragment the loader accepts (its groups would name boxes that were not
copied, so it leaves them out), and opening a grouped file keeps its groups."""
from __future__ import annotations

import json

import pytest

from graphcore import fileformat

from tests.groups.group_graphs import xor_grouped

pytest.importorskip("PySide6")


def test_a_fragment_of_a_grouped_graph_loads():
    from gui import clipboard

    g = xor_grouped()
    picked = ["x1", "w1_1_1", "m1_1_1", "w1_2_1"]
    doc = clipboard.fragment(g, picked)
    back = fileformat.loads(json.dumps(doc))
    assert back.nodes() == picked and "groups" not in doc


def test_opening_a_grouped_file_in_the_window_keeps_its_groups_and_drops_the_old_ones():
    from graphcore.graph import Graph
    from graphcore.groups import groups_of
    from gui.document import replace_contents

    g, source = Graph(), xor_grouped()
    replace_contents(g, source)
    assert groups_of(g).to_list() == groups_of(source).to_list() and len(groups_of(g)) == 13
    assert fileformat.dumps(g) == fileformat.dumps(source)
    replace_contents(g, fileformat.loads(fileformat.dumps(Graph("plain"))))
    assert len(groups_of(g)) == 0 and '"groups"' not in fileformat.dumps(g)
