"""Groups in graphcore: the file's optional `groups` block, its refusals, nesting, ports, edits."""
from __future__ import annotations

import json

import pytest

from graphcore import fileformat, lessons
from graphcore.errors import FileFormatError
from graphcore.groups import GroupError, groups_of

from tests.groups.group_graphs import chain, xor_grouped


def doc_with(groups):
    doc = fileformat.to_dict(chain())
    doc["groups"] = groups
    return doc


@pytest.mark.parametrize("groups, words", [
    ([{"name": "g", "members": ["a", "nope"]}], ["group 'g'", "no box 'nope'"]),
    ([{"name": "g", "members": []}], ["group 'g' is empty"]),
    ([{"name": "g", "members": ["a"]}, {"name": "g", "members": ["sq"]}], ["already a group 'g'"]),
    ([{"name": "g", "members": ["a", "sq"]}, {"name": "h", "members": ["sq", "c"]}],
     ["group 'h' and group 'g' overlap", "box 'b'"]),
    ([{"name": "g", "members": ["a", "d"]}], ["group 'g' would have a cycle through the outside"]),
    ([{"name": "g", "members": ["a", "a"]}], ["group 'g'", "listed twice"]),
    ([{"name": "g", "members": ["a"], "colour": 1}], ["group 'g'", "unknown key 'colour'"]),
    ([{"name": "g", "members": ["a"], "collapsed": "yes"}], ["group 'g'", "'collapsed'"]),
    ([{"name": "", "members": ["a"]}], ["a group needs a name"]),
    ([{"members": ["a"]}], ["a group needs a name"]),
    ([{"name": "g"}], ["group 'g'", "missing 'members'"]),
    ([{"name": "g", "members": "a"}], ["group 'g'", "list of box ids"]),
    ({"name": "g"}, ["'groups' must be a list"]),
    (["g"], ["group #0", "must be an object"]),
])
def test_each_broken_rule_is_refused_in_one_line_naming_the_group(groups, words):
    with pytest.raises(FileFormatError) as info:
        fileformat.loads(json.dumps(doc_with(groups)))
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("'groups': ")
    for w in words:
        assert w in msg, msg


def test_a_file_without_groups_saves_exactly_as_before():
    for name in ("relu_bump", "ng_computation_graph", "logistic_regression"):  # the networks have groups now
        text = fileformat.dumps(lessons.LESSONS[name]())
        again = fileformat.dumps(fileformat.loads(text))
        assert again == text and '"groups"' not in again
    text = fileformat.dumps(lessons.LESSONS["xor_network"]())
    assert fileformat.dumps(fileformat.loads(text)) == text and '"collapsed": true' in text


def test_grouped_file_round_trips_and_keeps_nesting():
    g = xor_grouped()
    text = fileformat.dumps(g)
    g2 = fileformat.loads(text)
    assert fileformat.dumps(g2) == text
    gs = groups_of(g2)
    assert gs.children(None) == ["layer 1", "layer 2"]
    assert gs.children("layer 1") == [f"neuron 1.{u}" for u in range(1, 11)]
    assert gs.parent("neuron 1.4") == "layer 1"
    # a one-unit layer and its neuron hold the same boxes: the earlier in the file is the outer
    assert gs.parent("neuron 2.1") == "layer 2" and gs.parent("layer 2") is None
    assert set(gs.members("neuron 1.4")) == {"w1_4_1", "w1_4_2", "m1_4_1", "m1_4_2", "b1_4", "s1_4_1", "z1_4", "h1_4"}


def test_groups_are_off_by_default_in_the_builder():
    from graphcore.builder import mlp
    assert '"groups"' not in fileformat.dumps(mlp(["x1", "x2"], [3]))


def test_ports_are_named_and_ordered_by_the_variables_topological_order():
    g = xor_grouped()
    ports = groups_of(g).ports("layer 2")
    assert [p.name for p in ports.inputs] == [f"a{s}" for s in "₁₂₃₄₅₆₇₈₉"] + ["a₁₀"]
    assert [p.variable for p in ports.inputs] == [f"h1_{u}" for u in range(1, 11)]
    assert [(p.name, p.variable) for p in ports.outputs] == [("b₁", "p")]  # read by the loss L outside
    ports = groups_of(g).ports("neuron 1.3")
    assert [p.variable for p in ports.inputs] == ["x1", "x2"]


def test_removing_boxes_shrinks_groups_and_drops_an_emptied_one():
    g = xor_grouped()
    gs = groups_of(g)
    g.remove_node("h1_3")
    assert "h1_3" not in gs.members("neuron 1.3") and "h1_3" not in gs.members("layer 1")
    for n in gs.members("neuron 1.3"):
        g.remove_node(n)
    assert "neuron 1.3" not in gs and "layer 1" in gs
    with g.batch():  # a batch announces one reset: the groups follow it too
        g.clear()
    assert len(gs) == 0


def test_a_refused_change_leaves_the_groups_as_they_were():
    g = chain()
    gs = groups_of(g)
    with pytest.raises(GroupError, match="cycle through the outside"):
        gs.add("bad", ["a", "d"])
    gs.add("g", ["a", "sq"])
    with pytest.raises(GroupError):
        gs.load([{"name": "x", "members": ["c"]}, {"name": "y", "members": ["nope"]}])
    assert gs.to_list() == [{"name": "g", "members": ["a", "sq"]}]


def test_rename_collapse_and_ungroup_announce_a_change():
    g = chain()
    gs = groups_of(g)
    seen = []
    g.subscribe(lambda ev: seen.append((ev.kind, ev.key)))
    version = g.version
    gs.add("g", ["a", "sq"])
    gs.rename("g", "square of 2x")
    gs.set_collapsed("square of 2x", True)
    assert gs.to_list() == [{"name": "square of 2x", "members": ["a", "sq"], "collapsed": True}]
    gs.remove("square of 2x")
    assert len(gs) == 0 and seen == [("graph_changed", "groups")] * 4
    assert g.version == version  # not structural: the engine's plan stays


def test_graph_copy_keeps_the_groups():
    g = xor_grouped()
    assert groups_of(g.copy()).to_list() == groups_of(g).to_list()
