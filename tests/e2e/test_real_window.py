"""The window under a real X server, driven only by real input from this process (xdotool).

Each test opens a copy of a lesson with the real entry point, acts as a learner would,
checks what the window shows (its probe, gui/e2e_probe.py) and what Ctrl+S wrote (read
back with graphcore.fileformat), and that the process is still alive.
"""
from __future__ import annotations

import json
import time

import pytest

from graphcore import fileformat
from tests.e2e.window_lessons import lesson, saved

pytestmark = pytest.mark.slow


@pytest.fixture
def ng(tmp_path):
    """J = 3(a + bc): the constant box 'three' (value 3) feeds the cost J."""
    return lesson(tmp_path, "ng_computation_graph")


def edit_value(s, nid: str, text: str):
    s.double_click(s.box(nid)["center"])
    s.wait(lambda st: st["editor_open"], "the value editor to open")
    s.type(text)


def test_edit_value_double_click_enter(studio, ng):
    s = studio(ng)
    edit_value(s, "three", "4")
    s.key("Return")
    state = s.wait(lambda st: not st["editor_open"] and st["boxes"]["three"]["value_text"] == "4", "value 4")
    assert "44" in state["cost"]  # J = 3(a + bc) with 4 for 3: 4 · 11
    assert saved(s).value("three") == 4.0
    s.assert_alive()


def test_edit_value_then_click_away(studio, ng):
    s = studio(ng)
    edit_value(s, "three", "6")
    s.click(s.empty_canvas_point())
    s.wait(lambda st: not st["editor_open"] and st["boxes"]["three"]["value_text"] == "6", "value 6")
    assert saved(s).value("three") == 6.0
    s.assert_alive()


def test_escape_cancels_the_edit(studio, ng):
    s = studio(ng)
    edit_value(s, "three", "9")
    s.key("Escape")
    s.wait(lambda st: not st["editor_open"], "the editor to close")
    time.sleep(0.3)  # a wrongly committed value would show within the next probes
    assert s.wait(lambda st: True, "another look")["boxes"]["three"]["value_text"] == "3"
    assert saved(s).value("three") == 3.0
    s.assert_alive()


def test_f2_rename_enter(studio, ng):
    s = studio(ng)
    s.click(s.box("u")["header"])
    s.wait(lambda st: st["boxes"]["u"]["selected"], "the box u to be selected")
    s.key("F2")
    s.wait(lambda st: st["editor_open"], "the label editor to open")
    s.type("product")
    s.key("Return")
    s.wait(lambda st: not st["editor_open"] and st["boxes"]["u"]["label"] == "product", "the new label")
    assert saved(s).label("u") == "product"
    s.assert_alive()


def test_drag_a_function_from_the_palette(studio, ng):
    s = studio(ng)
    before = set(s.probe()["boxes"])
    s.click(s.probe()["palette_filter"])  # wherever the palette is scrolled, square comes into view
    s.type("square")
    s.drag(s.wait(lambda st: "square" in st["palette"], "square in the palette")["palette"]["square"],
           s.empty_canvas_point())
    state = s.wait(lambda st: len(st["boxes"]) == len(before) + 1, "a new box from the palette")
    (new,) = set(state["boxes"]) - before
    assert state["boxes"][new]["op"] == "square"
    assert saved(s).op(new) == "square"
    s.assert_alive()


def test_wire_an_output_port_to_an_input_port(studio, tmp_path):
    path = tmp_path / "unwired.graph.json"
    path.write_text(json.dumps({
        "format": "backprop-studio.graph", "version": 1, "name": "w squared",
        "nodes": [{"id": "w", "op": "parameter", "label": "w", "value": 3.0},
                  {"id": "sq", "op": "square", "label": "sq"}],
        "edges": [], "loss": "sq", "layout": {"w": [0, 0], "sq": [300, 0]}}))
    s = studio(path)
    s.drag(s.box("w")["out"][0], s.box("sq")["in"][0])
    state = s.wait(lambda st: "9" in st["cost"], "the cost J = w² = 9 once wired")
    assert state["cost"].startswith("cost J = 9")
    assert [(e.src, e.dst, e.port) for e in saved(s).edges()] == [("w", "sq", 0)]
    s.assert_alive()


def test_tab_quick_search_type_enter(studio, ng):
    s = studio(ng)
    before = set(s.probe()["boxes"])
    s.xdo("mousemove", *s.empty_canvas_point())
    s.key("Tab")
    s.wait(lambda st: st["quick_search_open"], "the quick search to open")
    s.type("square")
    s.key("Return")
    state = s.wait(lambda st: len(st["boxes"]) == len(before) + 1 and not st["quick_search_open"], "a placed box")
    (new,) = set(state["boxes"]) - before
    assert state["boxes"][new]["op"] == "square"
    s.assert_alive()


def test_undo_and_redo_keys(studio, ng):
    s = studio(ng)
    edit_value(s, "three", "4")
    s.key("Return")
    s.wait(lambda st: st["boxes"]["three"]["value_text"] == "4", "value 4")
    s.key("ctrl+z")
    s.wait(lambda st: st["boxes"]["three"]["value_text"] == "3", "Ctrl+Z to bring back 3")
    s.key("ctrl+y")
    s.wait(lambda st: st["boxes"]["three"]["value_text"] == "4", "Ctrl+Y to redo 4")
    assert saved(s).value("three") == 4.0
    s.assert_alive()


def test_train_xor_two_seconds_then_pause(studio, tmp_path):
    path = lesson(tmp_path, "xor_network")
    doc = json.loads(path.read_text())
    doc["training"]["epochs"] = 5_000_000  # its 500 epochs can be over within the two seconds
    path.write_text(json.dumps(doc))
    s = studio(path)
    start = fileformat.load(path)
    s.click(s.button("Train"))
    s.wait(lambda st: st["training"]["state"] == "running", "training to start")
    time.sleep(2.0)  # the scenario: let it learn for two seconds
    s.click(s.button("Pause"))  # looked up again: the panels may have moved
    state = s.wait(lambda st: st["training"]["state"] == "paused", "training to pause")
    epoch = state["training"]["epoch"]
    assert epoch > 0
    time.sleep(0.5)
    assert s.wait(lambda st: True, "another look")["training"]["epoch"] == epoch  # really paused
    # The replay slider, dragged with the mouse from its handle (right end) to a fifth of the way.
    x0, y0, x1, y1 = s.probe()["replay"]["slider"]
    s.drag([x1 - 6, (y0 + y1) // 2], [x0 + (x1 - x0) // 5, (y0 + y1) // 2])
    shown = s.wait(lambda st: st["replay"]["shown"], "the replay of an earlier epoch")["replay"]
    assert 0 < shown["value"] < epoch and f"of {epoch} — replay" in shown["label"]
    trained = saved(s)  # Save puts the trained values back first
    assert not s.wait(lambda st: True, "another look")["replay"]["shown"]
    params = [n for n in start.nodes() if start.op(n) == "parameter"]
    assert any(trained.value(n) != start.value(n) for n in params)
    s.assert_alive()


def test_step_through_five_forward_two_back(studio, ng):
    s = studio(ng)
    for i in range(5):
        s.click(s.button("Step ▶"))
        s.wait(lambda st, i=i: st["stepper"]["index"] == i, f"step {i + 1}")
    for i in (3, 2):
        s.click(s.button("◀ Step back"))
        s.wait(lambda st, i=i: st["stepper"]["index"] == i, f"back to step {i + 1}")
    s.assert_alive()


def test_save_quit_reopen(studio, ng, tmp_path):
    s = studio(ng)
    edit_value(s, "three", "5")
    s.key("Return")
    s.wait(lambda st: st["boxes"]["three"]["value_text"] == "5", "value 5")
    s.save()
    assert s.quit() == 0
    again = studio(ng, home=tmp_path / "home")  # same settings and data folders
    state = again.probe()
    assert state["boxes"]["three"]["value_text"] == "5" and not state["dirty"]
    assert fileformat.load(ng).value("three") == 5.0
    again.assert_alive()
