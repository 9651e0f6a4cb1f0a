"""Undo never corrupts the model: random sequences of the editor's undo commands, pushed
through the Document with undos and redos in between, bring the graph back to exactly
the saved JSON (``fileformat.dumps``) of every earlier state, and redo to every later one.

Commands the model refuses (a cycle, a taken port, a bad value) must leave it untouched."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.reliability.reliability_docs import lessons

from graphcore import fileformat
from graphcore import functions as F
from graphcore.layout import compute_layout
from gui import commands as C
from gui.document import Document
from gui.training.commands import SetValuesCommand

OPS = ["parameter", "constant", "input", "add", "mul", "sin", "exp", "softmax", "cross_entropy", "leaky_relu",
       "pow", "mean", "sigmoid"]
LABELS = ["w₁", "", "a\nb", "x", "🙂", "__import__('os')"]


def make_command(data, g):
    """One command a learner could make, drawn against the graph as it is now."""
    nodes = g.nodes()
    pick = (lambda: data.draw(st.sampled_from(nodes))) if nodes else (lambda: "nobody")
    kind = data.draw(st.sampled_from(["add", "add", "remove", "connect", "connect", "disconnect", "move", "rename",
                                      "value", "column", "attr", "meta", "paste", "values"]))
    if kind == "add" or not nodes:
        op = data.draw(st.sampled_from(OPS))
        fields = {"value": data.draw(st.sampled_from([0.5, -2.0, 1e300]))} if op in ("parameter", "constant") else {}
        if op in ("softmax", "cross_entropy"):
            fields["attrs"] = {"k": data.draw(st.integers(2, 4))}
        if op == "pow":
            fields["attrs"] = {"exponent": 2.0}
        return C.AddNodeCommand(g, op, (data.draw(st.integers(-500, 500)), data.draw(st.integers(-500, 500))),
                                **fields)
    if kind == "remove":
        chosen = data.draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3, unique=True))
        edges = [e for e in g.edges() if data.draw(st.booleans())][:2]
        return C.RemoveCommand(g, chosen, edges)
    if kind == "connect":
        src, dst = pick(), pick()
        detach = data.draw(st.sampled_from(g.edges())) if g.edges() and data.draw(st.booleans()) else None
        return C.ConnectCommand(g, src, dst, data.draw(st.integers(0, 3)), data.draw(st.integers(0, 2)), detach)
    if kind == "disconnect" and g.edges():
        return C.DisconnectCommand(g, data.draw(st.sampled_from(g.edges())))
    if kind == "move":
        chosen = data.draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3, unique=True))
        old = {n: g.layout.get(n, (0.0, 0.0)) for n in chosen}
        new = {n: (float(data.draw(st.integers(-900, 900))), 40.0) for n in chosen}
        return C.MoveCommand(g, old, new)
    if kind == "rename":
        return C.RenameCommand(g, pick(), data.draw(st.sampled_from(LABELS)))
    if kind == "value":
        return C.SetValueCommand(g, pick(), data.draw(st.sampled_from([1.5, -3.0, 0.0, None, float("nan")])))
    if kind == "column":
        return C.SetColumnCommand(g, pick(), data.draw(st.sampled_from(["x1", "x2", "y", None])))
    if kind == "attr":
        key, value = data.draw(st.sampled_from([("k", 2), ("k", 3), ("k", 5), ("slope", 0.2), ("exponent", 3.0),
                                                ("slope", None), ("nope", 1)]))
        return C.SetAttrCommand(g, pick(), key, value)
    if kind == "meta":
        key = data.draw(st.sampled_from(["loss", "output", "name", "threshold"]))
        value = {"name": "renamed", "threshold": 0.25}.get(key) or data.draw(st.sampled_from(nodes + [None]))
        return C.SetMetaCommand(g, key, value)
    if kind == "paste":
        chosen = data.draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=4, unique=True))
        doc = fileformat.to_dict(g)
        frag_nodes = [n for n in doc["nodes"] if n["id"] in chosen]
        frag_edges = [e for e in doc["edges"] if e["src"] in chosen and e["dst"] in chosen]
        positions = {n: (g.layout.get(n, (0, 0))[0] + 40, g.layout.get(n, (0, 0))[1] + 40) for n in chosen}
        return C.InsertFragmentCommand(g, frag_nodes, frag_edges, positions)
    params = g.parameters()
    if params:
        old = {p: g.value(p) for p in params}
        return SetValuesCommand(g, old, {p: data.draw(st.sampled_from([0.1, -7.0, 3.25])) for p in params}, "Train")
    return C.RenameCommand(g, pick(), "x")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.data())
def test_random_edits_undo_and_redo_to_exactly_the_saved_json(qapp, data):
    doc = Document()
    start = data.draw(st.sampled_from(lessons() + [None]))
    if start is not None:
        loaded = fileformat.loads(json.dumps(start))
        # As the window opens a file: every box gets a place on the canvas.
        loaded.layout.update({n: p for n, p in compute_layout(loaded).items() if n not in loaded.layout})
        doc.load_graph(loaded, None)
    g, stack = doc.graph, doc.undo_stack
    states = [fileformat.dumps(g)]  # states[i]: the graph after i steps on the stack
    for _ in range(data.draw(st.integers(1, 25))):
        move = data.draw(st.sampled_from(["edit", "edit", "edit", "undo", "redo"]))
        if move == "undo" and stack.canUndo():
            stack.undo()
            assert fileformat.dumps(g) == states[stack.index()]
        elif move == "redo" and stack.canRedo():
            stack.redo()
            assert fileformat.dumps(g) == states[stack.index()]
        else:
            before = fileformat.dumps(g)
            try:
                command = make_command(data, g)
            except Exception as exc:  # a command's constructor reads the graph: only model errors allowed
                from graphcore.errors import GraphError
                assert isinstance(exc, GraphError), exc
                assert fileformat.dumps(g) == before
                continue
            refused = doc.push(command)
            if refused:
                assert fileformat.dumps(g) == before, f"a refused command changed the graph: {refused}"
                continue
            del states[stack.index():]
            states.append(fileformat.dumps(g))
            assert len(states) == stack.index() + 1
            fileformat.loads(states[-1])  # every state is a valid file
    # Undo everything, then redo everything: each step lands exactly on its saved JSON.
    while stack.canUndo():
        stack.undo()
        assert fileformat.dumps(g) == states[stack.index()]
    assert fileformat.dumps(g) == states[0]
    while stack.canRedo():
        stack.redo()
        assert fileformat.dumps(g) == states[stack.index()]
    assert fileformat.dumps(g) == states[-1]
    # A Document destroyed with its undo stack hears the stack's last cleanChanged (see the
    # README's Reliability notes); disconnect first so the next example starts quiet.
    stack.cleanChanged.disconnect()


def test_ops_used_exist():
    assert set(OPS) <= set(F.CATALOGUE)
