"""Property: whatever a learner does — move, retype, rename, rewire, delete, paste, undo,
redo, save and reopen, in any order — an exercise's locked boxes stay exactly as handed
out (record, position, the arrows into them) and stay locked."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from graphcore import exercise, fileformat, lessons
from gui import clipboard
from gui import commands as C
from gui.document import Document

LOCKS = ["b", "u", "J"]  # a source, a Function box in the middle, the cost

step = st.one_of(
    st.tuples(st.just("move"), st.integers(0, 20), st.integers(-50, 50)),
    st.tuples(st.just("value"), st.integers(0, 20), st.floats(-9, 9)),
    st.tuples(st.just("rename"), st.integers(0, 20), st.text("xyz", min_size=1, max_size=3)),
    st.tuples(st.just("delete"), st.lists(st.integers(0, 20), min_size=1, max_size=3)),
    st.tuples(st.just("disconnect"), st.integers(0, 20)),
    st.tuples(st.just("connect"), st.integers(0, 20), st.integers(0, 20), st.integers(0, 1)),
    st.tuples(st.just("paste"), st.lists(st.integers(0, 20), min_size=1, max_size=3)),
    st.tuples(st.sampled_from(["undo", "redo", "save"])),
    # lock one more box mid-way (as a lesson may) — often the one just changed, so the undo
    # stack then holds a change to a locked box
    st.tuples(st.just("lock"), st.integers(0, 20)),
    st.tuples(st.just("lock_last"), st.integers(0, 20)),
)


def _exercise_text() -> str:
    g = lessons.ng_computation_graph()
    exercise.set_lesson(g, exercise.make_lesson(g, title="J", text="", locks=LOCKS, hidden=[],
                                                tasks=[{"kind": "predict_gradient", "box": "b"}]))
    return fileformat.dumps(g)


EXERCISE = _exercise_text()


def _pick(items, i):
    return items[i % len(items)] if items else None


def _command(g, act):
    """The command a learner's gesture makes (as the canvas, inspector and menus make them)."""
    nodes, kind = g.nodes(), act[0]
    box = _pick(nodes, act[1]) if kind in ("move", "value", "rename", "connect") else None
    if kind == "move":
        x, y = g.layout.get(box, (0, 0))
        return C.MoveCommand(g, {box: (x, y)}, {box: (x + act[2], y)})
    if kind == "value":
        return C.SetValueCommand(g, box, act[2]) if g.op(box) in ("input", "constant", "parameter") else None
    if kind == "rename":
        return C.RenameCommand(g, box, act[2])
    if kind == "delete":
        return C.RemoveCommand(g, sorted({_pick(nodes, i) for i in act[1]}))
    if kind == "disconnect":
        edge = _pick(g.edges(), act[1])
        return C.DisconnectCommand(g, edge) if edge else None
    if kind == "connect":
        dst = _pick(nodes, act[2])
        return C.ConnectCommand(g, box, dst, act[3]) if act[3] < g.n_inputs(dst) else None
    frag = clipboard.fragment(g, sorted({_pick(nodes, i) for i in act[1]}))
    return C.InsertFragmentCommand(g, frag["nodes"], frag.get("edges", []),
                                   {n["id"]: (300.0, 300.0) for n in frag["nodes"]})


def _kept(g, boxes):
    return {b: exercise.locked_state(g, b) for b in boxes}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(step, min_size=1, max_size=14))
@example(steps=[("move", 0, 10), ("lock_last", 0), ("undo",)])  # the undo of a change to a box locked since
@example(steps=[("value", 0, 2.0), ("undo",), ("lock_last", 0), ("redo",), ("save",), ("undo",)])
@example(steps=[("paste", [0]), ("lock", 7), ("undo",)])  # a pasted box locked since: undoing the paste would delete it
def test_locked_boxes_survive_any_edit_sequence(qapp, steps):
    doc = Document()
    doc.load_graph(fileformat.loads(EXERCISE), None)
    kept = _kept(doc.graph, LOCKS)
    last: list[str] = []  # the boxes the last accepted command changed
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "mine.graph.json")
        for act in steps:
            if act[0] in ("undo", "redo"):
                getattr(doc.undo_stack, act[0])()
            elif act[0] == "save":
                doc.save(path)
                doc.open(path)
            elif act[0] in ("lock", "lock_last"):
                choices = [b for b in last if b in doc.graph] if act[0] == "lock_last" else []
                box = _pick(choices or doc.graph.nodes(), act[1])
                exercise.lesson_of(doc.graph).locks.add(box)
                kept.setdefault(box, exercise.locked_state(doc.graph, box))
            else:
                cmd = _command(doc.graph, act)
                if cmd is not None:
                    refused = doc.push(cmd)
                    last = [] if refused else sorted(cmd.touched())
                    if refused and "locked" in refused:
                        assert cmd.touched() & set(kept) and "\n" not in refused
            assert exercise.lesson_of(doc.graph).locks == set(kept)
            assert _kept(doc.graph, kept) == kept, act
