"""Groups in the real window, by real input: Ctrl+G on a selection, the name typed in
place, collapse with the title's − button, drill in with a double-click, Esc out, Ctrl+Z."""
from __future__ import annotations

import json

import pytest

from tests.e2e.window_lessons import lesson, saved

pytestmark = pytest.mark.slow


def test_ctrl_g_name_collapse_drill_in_then_undo(studio, tmp_path):
    s = studio(lesson(tmp_path, "ng_computation_graph"))
    s.click(s.empty_canvas_point())
    s.key("ctrl+a", "ctrl+g")
    s.wait(lambda st: "group 1" in st["groups"]["names"] and st["editor_open"], "Ctrl+G to make 'group 1'")
    s.key("ctrl+a")
    s.type("lecture")
    s.key("Return")
    st = s.wait(lambda st: st["groups"]["names"] == ["lecture"] and not st["editor_open"], "the name typed in place")
    s.click(st["groups"]["shown"]["lecture"]["button"])  # − : collapse
    st = s.wait(lambda st: st["groups"]["shown"].get("lecture", {}).get("collapsed"), "the group to collapse")
    assert not any(b["shown"] for b in st["boxes"].values())
    s.double_click(st["groups"]["shown"]["lecture"]["center"])
    st = s.wait(lambda st: st["groups"]["focus"] == "lecture", "a double-click to open the group")
    assert all(b["shown"] for b in st["boxes"].values())
    s.key("Escape")
    s.wait(lambda st: st["groups"]["focus"] is None, "Esc to go back out")
    s.key("ctrl+z", "ctrl+z")  # the collapse, then the group with its name: one step each
    st = s.wait(lambda st: st["groups"]["names"] == [], "Ctrl+Z twice to take the group away")
    assert all(b["shown"] for b in st["boxes"].values()) and not st["dirty"]
    s.assert_alive()


def test_wire_into_and_out_of_a_collapsed_group(studio, tmp_path):
    """The mouse plugs arrows into a collapsed group's open ports: the inner boxes get them."""
    path = tmp_path / "half.graph.json"
    path.write_text(json.dumps({
        "format": "backprop-studio.graph", "version": 1, "name": "half wired",
        "nodes": [{"id": "x", "op": "input", "label": "x", "value": 2.0},
                  {"id": "w", "op": "parameter", "label": "w", "value": 0.5},
                  {"id": "m", "op": "mul", "label": "m"}, {"id": "s", "op": "square", "label": "s"},
                  {"id": "J", "op": "identity", "label": "J"}],
        "edges": [{"src": "w", "dst": "m", "port": 0}, {"src": "m", "dst": "s", "port": 0}],
        "loss": "J", "layout": {"x": [0, 0], "w": [0, 140], "m": [300, 0], "s": [300, 140], "J": [700, 0]},
        "groups": [{"name": "unit", "members": ["m", "s"], "collapsed": True}]}))
    s = studio(path)
    ports = s.wait(lambda st: "m.b" in st["groups"]["shown"]["unit"]["ports"], "the open port m.b")
    ports = ports["groups"]["shown"]["unit"]["ports"]
    s.drag(s.box("x")["out"][0], ports["m.b"])
    st = s.wait(lambda st: "a₂" in st["groups"]["shown"]["unit"]["ports"], "x wired into m, a new port a₂")
    s.drag(st["groups"]["shown"]["unit"]["ports"]["s"], s.box("J")["in"][0])
    s.wait(lambda st: st["cost"].startswith("cost J = 1"), "the cost J = (0.5 · 2)² = 1 once wired")
    arrows = {(e.src, e.dst, e.port) for e in saved(s).edges()}
    assert {("x", "m", 1), ("s", "J", 0)} <= arrows
    s.assert_alive()
