"""The canvas picture per step and quiz grading (both Qt-free)."""
import pytest

from graphcore import stepthrough
from gui.stepper.overlay_builder import overlay_at
from gui.stepper.quiz import Quiz, is_close, parse_answer
from tests.stepper.stepper_graphs import fanout_graph, ng_lesson


@pytest.fixture
def ng():
    g = ng_lesson()
    return g, stepthrough.build(g)


def _edge(g, src, dst):
    return next(e for e in g.edges() if e.src == src and e.dst == dst)


def test_before_the_first_step_nothing_is_painted(ng):
    g, seq = ng
    ov = overlay_at(seq, g.edges(), -1)
    assert ov.current is None and not ov.edge_values and not ov.edge_grads and not ov.badges


def test_forward_values_appear_as_boxes_compute(ng):
    g, seq = ng
    k = next(s.index for s in seq.steps if s.phase == "forward" and s.node == "u")
    ov = overlay_at(seq, g.edges(), k)
    assert ov.current == "u"
    assert ov.edge_values[_edge(g, "u", "v")] == "6"
    assert _edge(g, "v", "J") not in ov.edge_values  # v has not computed yet
    assert {"a", "b", "c"} <= ov.done and "u" not in ov.done
    assert not ov.edge_grads


def test_gradients_appear_only_once_backprop_reached_the_arrow(ng):
    g, seq = ng
    first = seq.first_backward
    ov = overlay_at(seq, g.edges(), first)  # the seed step at J
    assert ov.badges["J"] == "dJ/dJ = 1"
    assert ov.edge_grads[_edge(g, "v", "J")] == "3"
    assert _edge(g, "u", "v") not in ov.edge_grads
    assert ov.done == set()  # nothing done yet in the backward phase
    k = next(s.index for s in seq.steps if s.phase == "backward" and s.node == "u")
    ov = overlay_at(seq, g.edges(), k)
    assert ov.edge_grads[_edge(g, "b", "u")] == "6" and ov.edge_grads[_edge(g, "c", "u")] == "9"
    assert {"J", "v"} <= ov.done
    hidden = overlay_at(seq, g.edges(), k, reveal=False)  # quiz question open
    assert _edge(g, "b", "u") not in hidden.edge_grads and hidden.edge_grads[_edge(g, "u", "v")] == "3"


def test_step_back_gives_the_same_picture(ng):
    g, seq = ng
    pictures = [overlay_at(seq, g.edges(), i) for i in range(-1, len(seq))]
    again = [overlay_at(seq, g.edges(), i) for i in reversed(range(-1, len(seq)))]
    assert pictures == list(reversed(again))
    assert all(a != b for a, b in zip(pictures, pictures[1:]))


def test_fan_out_badge_at_the_source():
    g = fanout_graph()
    seq = stepthrough.build(g)
    ov = overlay_at(seq, g.edges(), len(seq) - 1)
    assert ov.badges["x"] == "dJ/dx = 7"
    assert ov.edge_grads[_edge(g, "x", "f")] == "3" and ov.edge_grads[_edge(g, "x", "g")] == "4"


@pytest.mark.parametrize("text, value", [("6", 6.0), ("−0.25", -0.25), ("1/4", 0.25), (" 1e-3 ", 0.001),
                                         ("0,5", 0.5)])
def test_parse_answer(text, value):
    assert parse_answer(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "1/0", "3//4"])
def test_parse_answer_refuses(text):
    with pytest.raises(ValueError):
        parse_answer(text)


def test_tolerance_and_tally():
    assert is_close(0.546, 0.545987) and is_close(6.05, 6) and not is_close(6.1, 6)
    assert is_close(0.0005, 0.0) and not is_close(0.002, 0.0)
    q = Quiz()
    assert q.grade("b", "6", 6.0).ok
    assert not q.grade("c", "6", 9.0).ok
    bad = q.grade("c", "nine", 9.0)
    assert not bad.ok and "not a number" in bad.message
    assert (q.right, q.asked) == (1, 3)
    assert q.tally().startswith("1 of 3 right") and "1%" in q.tally()
