"""A collapsed group's boxes get no canvas item until the group opens (File ▸ Open of a big
grouped graph builds what shows, gui/canvas/lazy_items.py), and every edit across such a
group works as it did: expanding shows the right values, undo/redo and copy/paste return
exactly to the saved file."""
from graphcore import fileformat
from graphcore.groups import groups_of
from gui import commands as C
from gui.canvas import style
from gui.canvas.node_item import NodeItem
from tests.gui.helpers import open_collapsed


def _built(scene) -> set:
    return {it.node_id for it in scene.items() if isinstance(it, NodeItem)}


def test_a_collapsed_groups_boxes_have_no_items_until_it_opens(main_window, tmp_path):
    g, scene, layer = open_collapsed(main_window, tmp_path)
    hidden = set(groups_of(g).members("layer 1")) | set(groups_of(g).members("layer 2"))
    assert hidden and _built(scene) == set(g.nodes()) - hidden  # only what shows has an item
    for name in ("layer 1", "layer 2"):  # nor the arrows inside a collapsed group
        members = set(groups_of(g).members(name))
        assert not any(e.src in members and e.dst in members for e in scene.edge_items)
    into = next(it for e, it in scene.edge_items.items() if e.src == "x1")
    assert into.isVisible() and into.dst_port is layer.collapsed["layer 1"].port_for("x1", True)

    layer.set_collapsed("layer 1", False)  # its neurons show, still collapsed: their boxes still have none
    assert _built(scene) == set(g.nodes()) - hidden
    layer.set_collapsed("neuron 1.2", False)
    inner = set(groups_of(g).members("neuron 1.2"))
    assert inner <= _built(scene) and all(scene.node_items[n].isVisible() for n in inner)
    ev = main_window.document.evaluation
    for n in inner:
        assert scene.node_items[n].value_text == style.format_value(ev.value(n)) != ""
    for e, item in scene.edge_items.items():
        if e.src in inner and e.dst in inner:
            assert item.isVisible() and item.src_port is scene.node_items[e.src].outputs[e.out]
            assert item.dst_port is scene.node_items[e.dst].inputs[e.port]

    main_window.document.undo_stack.undo()  # collapsed again: the items stay, hidden
    assert "neuron 1.2" in layer.collapsed and not any(scene.node_items[n].isVisible() for n in inner)
    late = groups_of(g).members("layer 2")[0]
    item = scene.node_items[late]  # asked for by id (the inspector, a search): built, hidden
    assert isinstance(item, NodeItem) and not item.isVisible() and item.value_text


def test_undo_redo_and_copy_paste_across_a_collapsed_group(main_window, tmp_path):
    win = main_window
    g, scene, layer = open_collapsed(win, tmp_path)
    saved = fileformat.dumps(g)
    stack = win.document.undo_stack
    inner = groups_of(g).members("layer 1")
    param = next(n for n in inner if g.op(n) == "parameter")
    assert win.document.push(C.SetValueCommand(g, param, 0.25)) is None  # a box with no item yet
    layer.collapsed["layer 1"].setSelected(True)
    assert win.edit.copy()
    new = win.edit.paste()
    assert len(new) == len(inner) and "layer 1 (2)" in layer.collapsed
    win.scene.clearSelection()
    layer.collapsed["layer 2"].setSelected(True)
    win.edit.delete()
    assert "layer 2" not in groups_of(g)
    after = fileformat.dumps(g)
    while stack.canUndo():
        stack.undo()
    assert fileformat.dumps(g) == saved and set(layer.collapsed) == {"layer 1", "layer 2"}
    while stack.canRedo():
        stack.redo()
    assert fileformat.dumps(g) == after and "layer 1 (2)" in layer.collapsed
    stack.undo()  # the delete undone: layer 2 back, collapsed
    layer.drill_in("layer 1")
    groups = groups_of(g)
    neuron = min((n for n in groups.names() if param in groups.members(n)), key=lambda n: len(groups.members(n)))
    layer.set_collapsed(neuron, False)
    win.document.evaluate_now()
    assert scene.node_items[param].isVisible() and scene.node_items[param].value_text == style.format_value(0.25)


def test_a_box_built_after_a_failed_evaluation_carries_its_fault_mark(main_window, tmp_path):
    """The evaluation fails at a box behind a collapsed group; when the group opens, the box's
    new item is outlined like every box the failure named (it was not, until the next run)."""
    g, scene, layer = open_collapsed(main_window, tmp_path)
    inner = set(groups_of(g).members("neuron 1.2"))
    at = next(n for n in sorted(inner) if g.op(n) == "mul")
    main_window.document.evaluation_failed.emit("w·x is not finite", [at])  # as a failed run says it
    assert scene.failed_at == {at} and at not in _built(scene)  # still behind the collapsed groups
    layer.set_collapsed("layer 1", False)
    layer.set_collapsed("neuron 1.2", False)
    assert scene.node_items[at].error
    assert not any(scene.node_items[n].error for n in inner - {at})
    main_window.document.evaluate_now()  # the next run that succeeds clears it
    assert not scene.failed_at and not scene.node_items[at].error
