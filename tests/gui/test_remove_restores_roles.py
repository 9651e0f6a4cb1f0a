"""Deleting the boxes the cost J and the output name, then undoing, names them again
(RemoveCommand takes what Graph.remove_node reports it cleared)."""
from graphcore import fileformat
from graphcore.graph import Graph
from gui import commands as C


def test_undo_of_a_delete_names_the_cost_and_output_again(qapp):
    g = Graph()
    g.add_node("parameter", "w", value=1.0, pos=(0, 0))
    g.add_node("softmax", "sm", attrs={"k": 2}, pos=(100, 0))
    g.add_node("sigmoid", "s", label="J", pos=(200, 0))
    g.connect("w", "sm", 0)
    g.connect("w", "sm", 1)
    g.connect("sm", "s", 0, out=1)
    g.set_meta("output", "sm:1")
    g.set_meta("loss", "s")
    before = fileformat.dumps(g)
    cmd = C.RemoveCommand(g, ["s", "sm"])
    cmd.apply()
    assert g.meta["loss"] is None and g.meta["output"] is None and g.nodes() == ["w"]
    cmd.undo()
    assert fileformat.dumps(g) == before
