"""The e2e test hook (gui/e2e_probe.py): what it reports is where things really are."""
import json

from PySide6.QtCore import QPointF

from gui import e2e_probe
from tests.gui.helpers import drop_from_palette


def test_snapshot_places_boxes_ports_and_buttons_on_screen(main_window):
    win = main_window
    nid = drop_from_palette(win, "square", QPointF(0, 0))
    state = e2e_probe.snapshot(win)
    box = state["boxes"][nid]
    item = win.scene.node_items[nid]
    view = win.view
    expected = view.viewport().mapToGlobal(view.mapFromScene(item.sceneBoundingRect().center()))
    assert box["center"] == [expected.x(), expected.y()]
    assert box["op"] == "square" and len(box["in"]) == 1 and len(box["out"]) == 1
    x0, y0, x1, y1 = box["rect"]
    assert x0 <= box["in"][0][0] < box["out"][0][0] <= x1 + 10
    train = [b for b in state["buttons"] if b["text"] == "Train" and not b["toolbar"]]
    assert len(train) == 1
    button = win.training.panel.train_button
    centre = button.mapToGlobal(button.rect().center())
    assert train[0]["center"] == [centre.x(), centre.y()]
    assert state["editor_open"] is False and state["training"]["state"] == "ready"


def test_install_writes_the_file_again_and_again(main_window, qtbot, tmp_path):
    path = tmp_path / "probe.json"
    timer = e2e_probe.install(main_window, str(path))
    try:
        qtbot.waitUntil(lambda: path.exists() and json.loads(path.read_text())["seq"] >= 2, timeout=3000)
        assert "boxes" in json.loads(path.read_text())
    finally:
        timer.stop()
