"""Groups on the canvas: collapsed boxes with ports, frames, drill-in, Ctrl+G and the
edits that treat a group as one thing (issue 13, part 2)."""
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFontInfo

from graphcore import fileformat
from graphcore.builder import mlp
from graphcore.groups import groups_of
from gui import commands as C
from gui import group_commands as GC
from gui.canvas.group_item import CollapsedGroupItem, GroupFrameItem
from gui.canvas.interactions import MoveSelection
from gui.canvas.node_item import LABEL_FONT, PORT_FONT, VALUE_FONT, NodeItem, hint_font

from tests.gui.training_helpers import open_lesson

MIN_PX = 9.0


def _net(win, collapsed=True):
    g = mlp(["x1", "x2"], [3], "relu", "bce", groups=True,
            dataset={"generator": "xor", "n": 20, "seed": 0, "noise": 0.0, "test_fraction": 0.0})
    for n in groups_of(g).names():
        groups_of(g).set_collapsed(n, collapsed)
    win.document.load_graph(g, None)
    return win.document.graph, win.scene.group_layer


def _smallest_text_px(item) -> float:
    fonts = [LABEL_FONT, PORT_FONT, VALUE_FONT] + ([hint_font()] if getattr(item, "ignored", False) else [])
    return min(QFontInfo(f).pixelSize() for f in fonts)


def test_network_lessons_open_readable_with_few_top_level_items(main_window, tmp_path, qtbot):
    win = main_window
    win.resize(1400, 860)
    for lesson in ("xor_network", "circle_network", "spiral3_softmax"):
        open_lesson(win, lesson, tmp_path, qtbot)
        win.view.fit()
        qtbot.wait(20)
        layer = win.scene.group_layer
        tops = layer.top_level_items()
        assert 1 < len(tops) <= 8, (lesson, len(tops))
        assert any(isinstance(t, CollapsedGroupItem) for t in tops)
        zoom = win.view.zoom
        for item in layer.visible_items():
            px = _smallest_text_px(item) * zoom
            assert px >= MIN_PX, f"{lesson}: text of {type(item).__name__} is {px:.1f} px at fit zoom {zoom:.2f}"


def _collapsed_group_hides_its_boxes_and_takes_the_crossing_arrows(main_window):
    g, layer = _net(main_window)
    assert not main_window.scene.node_items["m1_1_1"].isVisible()
    box = layer.collapsed["layer 1"]
    assert [p.name for p in box.inputs] == ["a₁", "a₂"] and [p.name for p in box.outputs] == ["b₁", "b₂", "b₃"]
    edge = next(it for e, it in main_window.scene.edge_items.items() if e.src == "x1")
    assert edge.isVisible() and edge.dst_port is box.port_for("x1", True)
    # an arrow inside the collapsed group is not drawn (it has no item until the group opens)
    assert not any(it.isVisible() for e, it in main_window.scene.edge_items.items() if e.src == "w1_1_1")
    main_window.document.evaluate_now()
    assert all(t.startswith("μ ") for t in box.value_texts), box.value_texts


def _expand_in_place_shows_a_frame_and_one_undo_step_collapses_again(main_window):
    g, layer = _net(main_window)
    layer.set_collapsed("layer 1", False)
    assert "layer 1" in layer.frames and "layer 1" not in layer.collapsed
    assert all(n in layer.collapsed for n in ("neuron 1.1", "neuron 1.2", "neuron 1.3"))
    xs = {layer.collapsed[n].x() for n in ("neuron 1.1", "neuron 1.2", "neuron 1.3")}
    assert len(xs) == 1  # a layer's neurons in one column
    frame = layer.frames["layer 1"].rect
    assert frame.contains(layer.collapsed["neuron 1.2"].sceneBoundingRect().center())
    before = dict(g.layout)
    layer.set_collapsed("neuron 1.2", False)  # its boxes would cover neuron 1.3: the layer makes room
    assert not layer.frames["neuron 1.2"].rect.intersects(layer.collapsed["neuron 1.3"].sceneBoundingRect())
    main_window.document.undo_stack.undo()  # one step: expanded and moved
    assert g.layout == before and "neuron 1.2" in layer.collapsed
    main_window.document.undo_stack.undo()
    assert "layer 1" in layer.collapsed and not layer.frames


def _drill_in_shows_only_the_inside_and_the_breadcrumb_goes_back(main_window, qtbot):
    g, layer = _net(main_window)
    layer.drill_in("layer 1")
    assert not main_window.scene.node_items["x1"].isVisible()
    assert set(layer.collapsed) == {"neuron 1.1", "neuron 1.2", "neuron 1.3"}
    layer.drill_in("neuron 1.2")
    assert main_window.scene.node_items["m1_2_1"].isVisible()
    into = next(it for e, it in main_window.scene.edge_items.items() if (e.src, e.dst) == ("x1", "m1_2_1"))
    assert into.isVisible() and into.src_port is layer.stubs[(True, "x1")].port  # the arrow from outside: "a₁ x₁"
    assert layer.stubs[(False, "h1_2")].text.startswith("b₁")
    new = main_window.edit.add_box("add", QPointF(0, 0))  # placed inside: it joins the group shown
    assert main_window.scene.node_items[new].isVisible()
    assert new in groups_of(g).members("neuron 1.2") and new in groups_of(g).members("layer 1")
    main_window.document.undo_stack.undo()
    assert new not in g and "neuron 1.2" in groups_of(g)
    crumbs = main_window.breadcrumb
    assert crumbs.isVisible() and [b.text() for b in crumbs.buttons] == ["network", "layer 1"]
    crumbs.buttons[1].click()
    assert layer.focus == "layer 1"
    qtbot.keyClick(main_window.view, Qt.Key_Escape)
    assert layer.focus is None and not crumbs.isVisible()
    assert main_window.scene.node_items["x1"].isVisible()


def _select(win, ids):
    win.select_nodes(ids)


def _ctrl_g_groups_the_selection_and_undo_removes_it(main_window, qtbot):
    win = main_window
    g, layer = _net(win, collapsed=False)
    groups_of(g).remove("layer 2")
    groups_of(g).remove("neuron 2.1")
    win.document.undo_stack.clear()
    _select(win, ["w2_1_1", "m2_1_1", "w2_1_2", "m2_1_2"])
    win.actions_by_name["group"].trigger()
    assert "group 1" in groups_of(g) and "group 1" in layer.frames
    editor = win.scene.inline_editor
    assert editor is not None
    editor.line.setText("products")
    editor.commit()
    assert "products" in groups_of(g) and win.document.undo_stack.count() == 1  # named within the same step
    win.document.undo_stack.undo()
    assert groups_of(g).names() == ["layer 1", "neuron 1.1", "neuron 1.2", "neuron 1.3"]


def _ctrl_g_refuses_a_cycle_through_the_outside_with_the_reason(main_window):
    win = main_window
    g, layer = _net(win, collapsed=False)
    _select(win, ["x1", "L"])  # x₁ feeds L through the whole network, outside the selection
    win.actions_by_name["group"].trigger()
    assert "cycle through the outside" in win.scene.last_refusal
    assert win.document.undo_stack.count() == 0


def _ctrl_g_refuses_an_overlap_that_is_not_nesting(main_window):
    win = main_window
    g, layer = _net(win, collapsed=False)
    _select(win, ["h1_3", "w2_1_3", "m2_1_3"])  # the end of neuron 1.3 with part of layer 2
    win.actions_by_name["group"].trigger()
    assert "overlap without one holding the other" in win.scene.last_refusal


def _ungroup_and_undo_put_the_group_back_in_its_place(main_window):
    win = main_window
    g, layer = _net(win)
    before = fileformat.dumps(g)
    layer.collapsed["layer 2"].setSelected(True)
    win.actions_by_name["ungroup"].trigger()
    assert "layer 2" not in groups_of(g)
    win.document.undo_stack.undo()
    assert fileformat.dumps(g) == before


def _dragging_a_collapsed_group_moves_its_boxes_in_one_step(main_window):
    win = main_window
    g, layer = _net(win)
    members = groups_of(g).members("layer 1")
    old = {m: g.layout[m] for m in members}
    item = layer.collapsed["layer 1"]
    item.setSelected(True)
    move = win.scene.begin(MoveSelection(win.scene))
    move.snapshot()
    item.setPos(item.pos() + QPointF(100, 40))
    move.commit()
    assert win.document.undo_stack.count() == 1
    assert all(g.layout[m] == (old[m][0] + 100, old[m][1] + 40) for m in members)
    win.document.undo_stack.undo()
    assert {m: g.layout[m] for m in members} == old


def _delete_a_collapsed_group_and_undo_restores_its_membership(main_window):
    win = main_window
    g, layer = _net(win)
    before = fileformat.dumps(g)
    win.edit.select_all()
    assert set(win.scene.selected_nodes()) == set(g.nodes())  # Ctrl+A: the boxes behind collapsed groups too
    win.scene.clearSelection()
    layer.collapsed["layer 1"].setSelected(True)
    win.edit.delete()
    assert "m1_1_1" not in g and "layer 1" not in groups_of(g)
    win.document.undo_stack.undo()
    assert fileformat.dumps(g) == before
    assert "layer 1" in layer.collapsed


def _copy_paste_a_group_makes_a_new_group_around_the_copies(main_window):
    win = main_window
    g, layer = _net(win)
    layer.collapsed["layer 2"].setSelected(True)
    assert win.edit.copy()
    new = win.edit.paste()
    assert len(new) == len(groups_of(g).members("layer 2"))
    assert {"layer 2 (2)", "neuron 2.1 (2)"} <= set(groups_of(g).names())
    assert set(groups_of(g).members("layer 2 (2)")) == set(new)
    win.document.undo_stack.undo()
    assert "layer 2 (2)" not in groups_of(g)


def _f2_renames_the_picked_group(main_window):
    win = main_window
    g, layer = _net(win)
    menu = layer.group_menu("layer 2")  # the right-click menu names what can be done
    assert [a.text() for a in menu.actions()] == ["Open (double-click)", "Expand in place", "Rename… (F2)",
                                                  "Ungroup (Ctrl+Shift+G)"]
    menu.actions()[1].trigger()
    assert "layer 2" in layer.frames
    win.document.undo_stack.undo()
    layer.collapsed["layer 2"].setSelected(True)
    editor = win.edit.rename()
    editor.line.setText("output layer")
    editor.commit()
    assert "output layer" in groups_of(g) and "output layer" in layer.collapsed
    assert win.document.undo_stack.undoText().startswith("Rename group")


def _auto_layout_lays_groups_out_as_units(main_window):
    win = main_window
    g, layer = _net(win, collapsed=False)
    for m in groups_of(g).members("layer 1"):
        g.move(m, 0.0, 0.0)  # every box on one spot
    win.edit.auto_layout()
    frames = [layer.frames[n].rect for n in ("neuron 1.1", "neuron 1.2", "neuron 1.3")]
    assert len({round(r.left()) for r in frames}) == 1
    assert all(not a.intersects(b) for i, a in enumerate(frames) for b in frames[i + 1:])
    assert win.document.undo_stack.count() == 1


def _group_items_are_not_node_items(main_window):
    from gui.canvas.overlay import CanvasOverlay
    g, layer = _net(main_window)
    main_window.scene.set_overlay(CanvasOverlay(current="m1_2_1", known_values={"x1", "x2", "h1_1"}))
    assert layer.collapsed["layer 1"].current and not layer.collapsed["layer 2"].current  # the step is inside
    assert layer.collapsed["layer 1"].values_hidden == [False, True, True]  # b₂, b₃ not computed yet
    main_window.scene.set_overlay(None)
    assert not layer.collapsed["layer 1"].current
    g, layer = _net(main_window, collapsed=False)
    assert all(isinstance(f, GroupFrameItem) for f in layer.frames.values())
    assert not any(isinstance(i, NodeItem) for i in layer.frames.values())
    cmd = GC.CollapseCommand(g, "layer 1", True)
    assert main_window.document.push(cmd) is None
    assert isinstance(layer.collapsed["layer 1"], CollapsedGroupItem)
    assert main_window.document.push(C.RemoveCommand(g, ["x1"])) is None


def test_collapse_expand_and_drill_in(main_window, qtbot):
    _collapsed_group_hides_its_boxes_and_takes_the_crossing_arrows(main_window)
    _expand_in_place_shows_a_frame_and_one_undo_step_collapses_again(main_window)
    _drill_in_shows_only_the_inside_and_the_breadcrumb_goes_back(main_window, qtbot)


def test_ctrl_g_and_its_refusals(main_window, qtbot):
    _ctrl_g_groups_the_selection_and_undo_removes_it(main_window, qtbot)
    main_window.document.undo_stack.clear()
    _ctrl_g_refuses_a_cycle_through_the_outside_with_the_reason(main_window)
    _ctrl_g_refuses_an_overlap_that_is_not_nesting(main_window)


def test_a_group_is_one_thing_to_ungroup_move_delete_copy_and_rename(main_window):
    for check in (_ungroup_and_undo_put_the_group_back_in_its_place,
                  _dragging_a_collapsed_group_moves_its_boxes_in_one_step,
                  _delete_a_collapsed_group_and_undo_restores_its_membership,
                  _copy_paste_a_group_makes_a_new_group_around_the_copies, _f2_renames_the_picked_group):
        main_window.document.undo_stack.clear()
        check(main_window)


def test_auto_layout_and_item_kinds(main_window):
    _auto_layout_lays_groups_out_as_units(main_window)
    main_window.document.undo_stack.clear()
    _group_items_are_not_node_items(main_window)
