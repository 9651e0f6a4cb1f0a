"""graphcore.groups.open_ports: the ports inside a group still free to wire from outside
(an unwired input, an output nothing reads); a collapsed group's box has a row for each."""
from graphcore.builder import GraphBuilder
from graphcore.group_layout import FOOTER, GROUP_ROW, HEADER, collapsed_size
from graphcore.groups import groups_of


def _half_built():
    """w·x with x unwired, and s = σ(w·x) read by nothing: the group {m, s} is half wired."""
    b = GraphBuilder("half")
    b.parameter("w", 0.5, label="w")
    b.input("x", value=1.0, label="x")
    b.box("sigmoid", id="s", label="s")
    g = b.graph
    g.add_node("mul", "m", label="m")
    g.connect("w", "m", 0)
    g.connect("m", "s", 0)
    return g


def test_unwired_inputs_and_unread_outputs_are_open_and_named_by_label():
    g = _half_built()
    gs = groups_of(g)
    gs.add("unit", ["s", "m"])
    free = gs.open_ports("unit")
    assert [(p.name, p.box, p.index) for p in free.inputs] == [("m.b", "m", 1)]
    assert [(p.name, p.box, p.index) for p in free.outputs] == [("s", "s", 0)]
    assert [p.name for p in gs.ports("unit").inputs] == ["a₁"]  # the boundary ports are unchanged


def test_wiring_an_open_port_closes_it_and_an_output_named_as_cost_is_not_open():
    g = _half_built()
    gs = groups_of(g)
    gs.add("product", ["m"], collapsed=True)
    # a₁ (w) and the open m.b on the left, b₁ (m, read by s) on the right: two rows, not one
    assert collapsed_size(gs, "product")[1] == HEADER + 2 * GROUP_ROW + FOOTER
    gs.add("unit", ["m", "s"])
    g.connect("x", "m", 1)
    g.set_meta("loss", "s")
    assert gs.open_ports("unit").inputs == [] and gs.open_ports("unit").outputs == []
    assert [p.name for p in gs.ports("unit").inputs] == ["a₁", "a₂"]
