"""Property: any set of groups the rules accept, drawn from random selections of a random
graph, saves and loads back to the same file and the same nesting; a refused selection
names its group and changes nothing."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from graphcore import fileformat
from graphcore.groups import GroupError, groups_of
from graphcore.randgraph import random_graph

GRAPHS = {seed: fileformat.dumps(random_graph(24, seed)[0]) for seed in range(3)}

selection = st.one_of(
    # a run of boxes in topological order: never has a cycle through the outside
    st.tuples(st.just("run"), st.integers(0, 23), st.integers(1, 12)),
    # any boxes at all: often refused (overlap or a cycle through the outside)
    st.tuples(st.just("any"), st.lists(st.integers(0, 23), min_size=1, max_size=8, unique=True)),
)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(GRAPHS)), st.lists(selection, min_size=1, max_size=8))
def test_accepted_groups_round_trip(seed, picks):
    g = fileformat.loads(GRAPHS[seed])
    gs = groups_of(g)
    order = g.topological_order()
    accepted = 0
    for i, pick in enumerate(picks):
        members = order[pick[1]:pick[1] + pick[2]] if pick[0] == "run" else [order[j] for j in pick[1]]
        if not members:
            continue
        before = gs.to_list()
        try:
            gs.add(f"group {i}", members, collapsed=i % 2 == 0)
            accepted += 1
        except GroupError as exc:
            assert f"group 'group {i}'" in str(exc) and "\n" not in str(exc)
            assert gs.to_list() == before
    assert len(gs) == accepted
    text = fileformat.dumps(g)
    g2 = fileformat.loads(text)
    assert fileformat.dumps(g2) == text
    gs2 = groups_of(g2)
    assert gs2.to_list() == gs.to_list()
    assert [gs2.parent(n) for n in gs2.names()] == [gs.parent(n) for n in gs.names()]
    for name in gs2.names():  # nesting: a group's parent holds every one of its boxes
        parent = gs2.parent(name)
        if parent is not None:
            assert set(gs2.members(name)) <= set(gs2.members(parent))
