"""Learner Functions live in one global catalogue: a graph file that defines a name already
defined differently by a graph still open is refused (one line naming the Function), so the
open graph's numbers never change under it; the same definition is shared."""
from __future__ import annotations

import numpy as np
import pytest

from graphcore import engine, fileformat
from graphcore import functions as F
from tests.learner.learner_helpers import SWISH, xor_with

DATA = {"x1": np.array([0.5, -1.0]), "x2": np.array([1.0, 0.0]), "y": np.array([1.0, 0.0])}
TANH = dict(SWISH, forward="tanh(x)", derivatives={"x": "1 - out*out"})


def cost(graph) -> float:
    ev = engine.compile_graph(graph).run(DATA)
    return float(np.sum(ev.value(graph.meta["loss"])))


def test_a_different_definition_is_refused_while_a_graph_using_the_name_is_open():
    first = fileformat.from_dict(xor_with(SWISH))
    before = cost(first)
    with pytest.raises(fileformat.FileFormatError) as exc:
        fileformat.from_dict(xor_with(TANH))
    assert str(exc.value) == ("'functions': your Function my_swish is already defined differently by the open "
                              "graph 'xor network': give this one another name")
    assert F.CATALOGUE["my_swish"].expr == "x*sigmoid(x)"
    assert cost(first) == before  # the open graph's numbers did not change


def test_the_same_definition_is_shared_and_a_closed_graph_frees_the_name():
    first = fileformat.from_dict(xor_with(SWISH))
    second = fileformat.from_dict(xor_with(dict(SWISH)))  # same definition: fine
    assert cost(first) == cost(second)
    del first, second
    third = fileformat.from_dict(xor_with(TANH))
    assert F.CATALOGUE["my_swish"].expr == "tanh(x)" and np.isfinite(cost(third))


def test_a_graph_whose_boxes_of_it_were_deleted_does_not_hold_the_name():
    first = fileformat.from_dict(xor_with(SWISH))
    for n in [n for n in first.nodes() if first.op(n) == "my_swish"]:
        first.remove_node(n)
    fileformat.from_dict(xor_with(TANH))
    assert F.CATALOGUE["my_swish"].expr == "tanh(x)"
