"""Wiring to a collapsed group's ports with the mouse (issue 13): an arrow dropped on a group's
port plugs into the inner box port it stands for, in one undo step; an unwired inner input
and an unread inner output show as open ports; a taken aⱼ and a cycle are refused in one
line. And the wiring gesture's Escape: nothing changes, the arrow picked up comes back."""
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from graphcore.graph import Graph
from graphcore.groups import groups_of
from gui.canvas.interactions import WireDrag
from tests.gui.helpers import drag, view_point, wire


def _half_wired(win):
    """x, w → [unit: m = w·(unwired), s = σ(m), read by nothing] (collapsed), and sq unwired."""
    g = Graph("half")
    g.add_node("input", "x", label="x", value=1.0, pos=(0, 0))
    g.add_node("parameter", "w", label="w", value=0.5, pos=(0, 120))
    g.add_node("mul", "m", label="m", pos=(300, 0))
    g.add_node("sigmoid", "s", label="s", pos=(300, 120))
    g.add_node("square", "sq", label="sq", pos=(700, 0))
    g.connect("w", "m", 0)
    g.connect("m", "s", 0)
    groups_of(g).add("unit", ["m", "s"], collapsed=True)
    win.document.load_graph(g, None)
    win.view.fit()
    return win.document.graph, win.scene.group_layer.collapsed["unit"]


def _arrows(g):
    return {(e.src, e.dst, e.port, e.out) for e in g.edges()}


def _wiring_into_and_out_of_a_collapsed_group(main_window):
    win = main_window
    g, unit = _half_wired(win)
    assert [p.name for p in unit.inputs] == ["a₁"] and [p.name for p in unit.open_inputs] == ["m.b"]
    assert unit.outputs == [] and [p.name for p in unit.open_outputs] == ["s"]
    stack = win.document.undo_stack
    # The group's open output s onto sq's input: wired from the inner box s.
    drag(win, unit.open_outputs[0].scenePos(), win.scene.node_items["sq"].inputs[0].scenePos())
    assert ("s", "sq", 0, 0) in _arrows(g) and stack.count() == 1
    unit = win.scene.group_layer.collapsed["unit"]
    assert [p.name for p in unit.outputs] == ["b₁"] and unit.open_outputs == []  # now a boundary port
    # sq (which s feeds) into the open input m.b: a cycle, refused in one line, nothing pushed.
    drag(win, win.scene.node_items["sq"].outputs[0].scenePos(), unit.open_inputs[0].scenePos())
    assert "cycle" in win.scene.last_refusal and g.edge_into("m", 1) is None and stack.count() == 1
    # An arrow cannot start at the taken a₁ either: said at the press, nothing drawn.
    drag(win, unit.inputs[0].scenePos(), win.scene.node_items["x"].outputs[0].scenePos())
    assert "taken" in win.scene.last_refusal and win.scene.interaction is None and stack.count() == 1
    win.scene.last_refusal = None
    # x into the taken a₁ (it carries w): refused, says so.
    drag(win, win.scene.node_items["x"].outputs[0].scenePos(), unit.inputs[0].scenePos())
    assert "taken" in win.scene.last_refusal and "\n" not in win.scene.last_refusal
    assert g.edge_into("m", 0).src == "w" and stack.count() == 1
    # x into the open input m.b: the inner box's port, one undo step; undo takes it out again.
    drag(win, win.scene.node_items["x"].outputs[0].scenePos(), unit.open_inputs[0].scenePos())
    assert ("x", "m", 1, 0) in _arrows(g) and stack.count() == 2
    unit = win.scene.group_layer.collapsed["unit"]
    assert [p.name for p in unit.inputs] == ["a₁", "a₂"] and unit.open_inputs == []
    stack.undo()
    assert g.edge_into("m", 1) is None
    # An arrow drawn from the group's output b₁ ends at the inner box output it stands for.
    g.disconnect("sq", 0)
    unit = win.scene.group_layer.collapsed["unit"]
    win.scene.connect_ports(unit.open_outputs[0], win.scene.node_items["sq"].inputs[0])
    assert ("s", "sq", 0, 0) in _arrows(g)


def _escape_cancels_a_wire_and_the_arrow_picked_up_comes_back(main_window):
    win = main_window
    g, _ = _half_wired(win)
    wire(win, "x", "sq", 0)
    edges, steps = _arrows(g), win.document.undo_stack.count()
    vp, scene = win.view.viewport(), win.scene
    start = view_point(win, scene.node_items["sq"].inputs[0].scenePos())  # picks x → sq up by its input end
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    QTest.mouseMove(vp, start + view_point(win, QPointF(200, 200)) - view_point(win, QPointF(0, 0)))
    wire_drag = scene.interaction
    assert isinstance(wire_drag, WireDrag) and wire_drag.state.value == "dragging"
    picked = scene.edge_items[g.edge_into("sq", 0)]
    assert not picked.isVisible()
    QTest.keyClick(win.view, Qt.Key_Escape)
    assert wire_drag.state.value == "cancelled" and scene.interaction is None
    assert wire_drag.path_item is None and picked.isVisible()
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, start + view_point(win, QPointF(200, 200)))
    assert _arrows(g) == edges and win.document.undo_stack.count() == steps  # released off any port: no change


def test_group_ports_take_arrows_and_escape_cancels_a_wire(main_window):
    _wiring_into_and_out_of_a_collapsed_group(main_window)
    _escape_cancels_a_wire_and_the_arrow_picked_up_comes_back(main_window)  # one window for both
