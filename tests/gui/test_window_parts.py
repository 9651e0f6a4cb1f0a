"""The main window declares its parts and builds them in one place (#17): every declared part
exists once the window is up, and no other module sets one on the window or looks one up by
name."""
import re
from pathlib import Path

from gui.main_window import MainWindow

GUI = Path(__file__).resolve().parents[2] / "gui"
WINDOW = r"\b(?:win|window|self\.win|self\.window)"
PARTS = set(MainWindow.__annotations__)


def test_every_declared_part_is_built(main_window):
    missing = [name for name in PARTS if getattr(main_window, name, None) is None]
    assert not missing
    assert main_window.training.stepper is main_window.stepper
    assert main_window.landscape.runner is main_window.training.runner


def test_no_module_sets_or_looks_up_a_part_of_the_window():
    setting = re.compile(WINDOW + r"\.(\w+)\s*=(?!=)")
    looking_up = re.compile(r"\b(?:get|has)attr\(" + WINDOW + r"\s*,")
    found = []
    for path in GUI.rglob("*.py"):
        if path.name == "main_window.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(m.group(1) in PARTS for m in setting.finditer(line)) or looking_up.search(line):
                found.append(f"{path.relative_to(GUI)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


def test_closing_the_window_ends_the_runners_graph_subscription(main_window):
    graph, runner = main_window.document.graph, main_window.training.runner

    def runners():
        return [cb for cb in graph._subscribers if getattr(cb, "__self__", None) is runner]
    assert runners()  # it follows the graph while the window lives
    main_window.document.set_dirty(False)
    main_window.close()
    assert not runners()
