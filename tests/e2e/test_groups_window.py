"""Groups in the real window, by real input: Ctrl+G on a selection, the name typed in
place, collapse with the title's − button, drill in with a double-click, Esc out, Ctrl+Z."""
from __future__ import annotations

import pytest

from test_real_window import lesson

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
