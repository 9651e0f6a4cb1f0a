"""graphcore.group_layout: groups laid out as units, inside out (headless)."""
from graphcore.builder import mlp
from graphcore.group_layout import collapsed_origin, collapsed_size, layout_groups
from graphcore.groups import groups_of


def _apply(g, pos):
    for n, (x, y) in pos.items():
        g.move(n, x, y)


def test_collapsed_layers_stand_left_to_right_and_neurons_share_a_column():
    g = mlp(["x1", "x2"], [4], "relu", "bce", groups=True)
    gs = groups_of(g)
    for n in gs.names():
        gs.set_collapsed(n, True)
    _apply(g, layout_groups(g))
    l1, l2 = collapsed_origin(g, gs.members("layer 1")), collapsed_origin(g, gs.members("layer 2"))
    assert g.layout["x1"][0] < l1[0] < l2[0] < g.layout["L"][0]
    assert l1[0] + collapsed_size(gs, "layer 1")[0] < l2[0]  # no overlap between the layer boxes
    neurons = [collapsed_origin(g, gs.members(f"neuron 1.{u}")) for u in range(1, 5)]
    assert len({x for x, _ in neurons}) == 1  # one column
    ys = sorted(y for _, y in neurons)
    height = collapsed_size(gs, "neuron 1.1")[1]
    assert all(b - a >= height for a, b in zip(ys, ys[1:]))  # stacked, not on top of each other


def test_layout_keeps_the_levels_top_left_and_moves_only_that_level():
    g = mlp(["x1", "x2"], [3], "relu", "bce", groups=True)
    gs = groups_of(g)
    before = collapsed_origin(g, gs.members("neuron 1.2"))
    pos = layout_groups(g, "neuron 1.2")
    assert set(pos) == set(gs.members("neuron 1.2"))
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    assert (min(xs), min(ys)) == (round(before[0]), round(before[1]))  # the group's box stays where it was
