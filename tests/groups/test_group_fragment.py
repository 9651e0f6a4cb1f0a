"""Copying part of a grouped graph gives a fragment the loader accepts (its groups would
name boxes that were not copied, so the fragment leaves them out)."""
from __future__ import annotations

import json

import pytest

from graphcore import fileformat

from group_graphs import xor_grouped

pytest.importorskip("PySide6")


def test_a_fragment_of_a_grouped_graph_loads():
    from gui import clipboard

    g = xor_grouped()
    picked = ["x1", "w1_1_1", "m1_1_1", "w1_2_1"]
    doc = clipboard.fragment(g, picked)
    back = fileformat.loads(json.dumps(doc))
    assert back.nodes() == picked and "groups" not in doc
