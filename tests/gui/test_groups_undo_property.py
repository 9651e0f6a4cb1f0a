"""Property: any sequence of group / ungroup / collapse / expand / move / delete / undo /
redo on the canvas's document is undone exactly: back at the start, the file is the
saved one, byte for byte; and every state met again through undo/redo is the same."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphcore import fileformat
from graphcore.builder import mlp
from graphcore.groups import groups_of
from gui import commands as C
from gui import group_commands as GC
from gui.canvas.scene import GraphScene
from gui.document import Document

OPS = st.one_of(
    st.tuples(st.just("group"), st.lists(st.integers(0, 40), min_size=1, max_size=6)),
    st.tuples(st.just("ungroup"), st.integers(0, 20)),
    st.tuples(st.just("collapse"), st.integers(0, 20), st.booleans()),
    st.tuples(st.just("move"), st.integers(0, 20), st.integers(-3, 3), st.integers(-3, 3)),
    st.tuples(st.just("delete"), st.integers(0, 40), st.booleans()),
    st.tuples(st.just("undo")),
    st.tuples(st.just("redo")),
)


def _command(g, op):
    names, nodes = groups_of(g).names(), g.nodes()
    kind = op[0]
    if kind == "group":
        return GC.GroupCommand(g, sorted({nodes[i % len(nodes)] for i in op[1]})) if nodes else None
    if not names and kind in ("ungroup", "collapse", "move"):
        return None
    name = names[op[1] % len(names)] if names else None
    if kind == "ungroup":
        return GC.UngroupCommand(g, name)
    if kind == "collapse":
        return GC.CollapseCommand(g, name, op[2])
    if kind == "move":
        members = groups_of(g).members(name)
        old = {m: g.layout[m] for m in members}
        return C.MoveCommand(g, old, {m: (x + 20 * op[2], y + 20 * op[3]) for m, (x, y) in old.items()})
    if op[2] and names:  # delete a whole group's boxes, as Delete on a collapsed group does
        return C.RemoveCommand(g, groups_of(g).members(names[op[1] % len(names)]))
    return C.RemoveCommand(g, [nodes[op[1] % len(nodes)]]) if nodes else None


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(OPS, min_size=1, max_size=14))
def test_any_sequence_of_group_edits_undoes_to_the_saved_file(qapp, ops):
    doc = Document()
    scene = GraphScene(doc)
    g0 = mlp(["x1", "x2"], [2], "relu", "bce", groups=True)
    groups_of(g0).set_collapsed("layer 1", True)
    doc.load_graph(g0, None)
    g, stack = doc.graph, doc.undo_stack
    saved = fileformat.dumps(g)
    seen = {0: saved}
    for op in ops:
        if op[0] == "undo":
            stack.undo()
        elif op[0] == "redo":
            stack.redo()
        else:
            cmd = _command(g, op)
            if cmd is None or doc.push(cmd) is not None:
                continue  # refused: nothing changed, nothing on the stack
            seen = {i: s for i, s in seen.items() if i < stack.index()}
        text = fileformat.dumps(g)
        assert seen.setdefault(stack.index(), text) == text
        layer = scene.group_layer
        assert all(it.isVisible() == (layer.rep.get(n) == n) for n, it in scene.node_items.items())
    top = stack.count()
    stack.setIndex(0)
    assert fileformat.dumps(g) == saved
    stack.setIndex(top)
    if top in seen:
        assert fileformat.dumps(g) == seen[top]
    scene.deleteLater()
