"""The inspector names boxes as the learner knows them: labels, never internal ids
(an id only to tell apart two boxes with one label)."""
from pathlib import Path

from graphcore.graph import Graph

LESSON = str(Path(__file__).resolve().parents[2] / "assets" / "examples" / "xor_network.graph.json")


def test_arrow_title_names_boxes_by_label_and_the_port_by_name(main_window):
    win = main_window
    assert win.files.open(LESSON, ask=False)
    g = win.document.graph
    edge = g.edge_into("s1_1_1", 1)  # w¹₁₂·x₂ → s¹₁₁, port b
    win.inspector.show_selection([], [edge])
    title = win.inspector.title.text()
    assert title == f"Variable arrow {g.label(edge.src)} → {g.label('s1_1_1')}, input b"
    assert edge.src not in title and "s1_1_1" not in title


def test_box_title_shows_label_and_op_without_the_id(main_window):
    win = main_window
    assert win.files.open(LESSON, ask=False)
    win.inspector.show_selection(["m1_1_1"], [])
    title = win.inspector.title.text()
    assert "w¹₁₁·x₁" in title and "mul" in title and "m1_1_1" not in title


def test_two_boxes_with_one_label_are_told_apart_by_id(main_window):
    win = main_window
    g = Graph()
    g.add_node("parameter", "h1", label="h", value=1.0)
    g.add_node("parameter", "h2", label="h", value=2.0)
    win.document.load_graph(g, None)
    win.inspector.show_selection(["h2"], [])
    assert "h [h2]" in win.inspector.title.text()


def test_a_multi_selection_says_how_many_and_names_them_by_label(main_window):
    win = main_window
    assert win.files.open(LESSON, ask=False)
    g = win.document.graph
    edge = g.edge_into("s1_1_1", 1)
    win.inspector.show_selection(["m1_1_1", "m1_1_2"], [edge])
    title = win.inspector.title.text()
    assert title.startswith("2 boxes and 1 arrow selected: ")
    assert g.label("m1_1_1") in title and g.label("m1_1_2") in title
    assert "m1_1_1" not in title and "m1_1_2" not in title
    win.inspector.show_selection([], [])
    assert win.inspector.title.text() == "Nothing selected"


def test_a_large_selection_names_a_few_and_counts_the_rest(main_window):
    win = main_window
    g = Graph()
    for i in range(12):
        g.add_node("parameter", f"p{i}", label=f"w{i}", value=float(i))
    win.document.load_graph(g, None)
    win.inspector.show_selection([f"p{i}" for i in range(12)], [])
    title = win.inspector.title.text()
    assert title.startswith("12 boxes selected: w0, w1") and title.endswith("… (+4)")
    assert "w8" not in title
