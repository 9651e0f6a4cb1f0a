"""The ready-made lessons: current on disk, the course's numbers, and each reaches its goal."""
import math

import numpy as np
import pytest

from graphcore import fileformat, lessons
from graphcore.engine import evaluate
from graphcore.group_layout import collapsed_origin
from graphcore.groups import groups_of
from graphcore.training import Trainer


def test_example_files_are_what_the_code_builds():
    assert lessons.stale() == [], "run: python -m graphcore.lessons"


def test_write_all_then_check(tmp_path):
    lessons.write_all(tmp_path)
    assert lessons.stale(tmp_path) == []
    p = lessons.path_of("sin2x", tmp_path)
    p.write_text(p.read_text().replace("0.5", "0.25"))
    assert lessons.stale(tmp_path) == ["sin2x"]


@pytest.mark.parametrize("name", list(lessons.LESSONS))
def test_every_lesson_loads_evaluates_and_has_tidy_positions(name):
    g = fileformat.load(lessons.path_of(name))
    assert set(g.layout) == set(g.nodes())  # every box placed
    assert len(set(g.layout.values())) == len(g.nodes())  # no two boxes on one spot
    for e in g.edges():  # arrows run left to right (between groups: as the canvas shows them, group by group)
        src, dst = _units(g, e.src, e.dst)
        assert _x(g, src) < _x(g, dst), (e, src, dst)
    from graphcore import datasets
    ds = datasets.for_graph(g)
    ev = evaluate(g, None if ds is None else ds.train())
    assert math.isfinite(ev.cost)


def _units(g, a, b):
    """The two things an arrow a → b joins at the innermost level holding both: a box, or
    the group it is in there (a collapsed group is one box on the canvas)."""
    gs = groups_of(g)

    def chain(n):  # the groups holding n, outermost first
        return sorted((x for x in gs.names() if n in gs.get(x).members), key=lambda x: -len(gs.get(x).members))
    ca, cb = chain(a), chain(b)
    common = 0
    while common < min(len(ca), len(cb)) and ca[common] == cb[common]:
        common += 1
    return (ca[common] if common < len(ca) else a), (cb[common] if common < len(cb) else b)


def _x(g, unit):
    gs = groups_of(g)
    return collapsed_origin(g, gs.get(unit).members)[0] if unit in gs else g.layout[unit][0]


def test_ng_computation_graph_numbers():
    g = fileformat.load(lessons.path_of("ng_computation_graph"))
    ev = evaluate(g)
    a, b, c = 5, 3, 2  # J = 3(a + bc)
    assert (float(ev.value("u")), float(ev.value("v")), ev.cost) == (b * c, a + b * c, 3 * (a + b * c))
    assert (float(ev.grad("a")), float(ev.grad("b")), float(ev.grad("c"))) == (3, 3 * c, 3 * b)
    assert float(ev.grad("v")) == 3 and float(ev.grad("u")) == 3


def test_derivatives_at_a_point():
    g = fileformat.load(lessons.path_of("sin2x"))
    x = g.value("x")
    ev = evaluate(g)
    assert ev.cost == pytest.approx(math.sin(2 * x), abs=1e-15)
    assert float(ev.grad("x")) == pytest.approx(2 * math.cos(2 * x), abs=1e-15)
    g = fileformat.load(lessons.path_of("x_squared"))
    ev = evaluate(g)
    assert float(ev.grad("x")) == 2 * g.value("x")  # x + x through the copy gate


GOALS = {"logistic_regression": 1.0, "xor_network": 0.95, "circle_network": 0.95, "relu_bump": 0.95}


@pytest.mark.parametrize("name", list(GOALS))
def test_lesson_reaches_its_goal(name):
    g = fileformat.load(lessons.path_of(name))
    r = Trainer(g).train()
    assert r["status"] == "done"
    assert r["accuracy"] >= GOALS[name]


@pytest.mark.slow
def test_spiral3_softmax_beats_90_percent():
    g = fileformat.load(lessons.path_of("spiral3_softmax"))
    r = Trainer(g).train()
    assert r["status"] == "done" and r["accuracy"] > 0.9
    assert g.meta["dataset"]["generator"] == "spiral3" and g.op("p") == "softmax"


def test_networks_are_built_from_scalar_boxes():
    g = fileformat.load(lessons.path_of("xor_network"))
    ops = [g.op(n) for n in g.nodes()]
    assert ops.count("relu") == 10 and ops.count("sigmoid") == 1 and ops.count("bce") == 1
    assert ops.count("mul") == 2 * 10 + 10 and len(g.parameters()) == 3 * 10 + 11
    assert g.meta["loss"] == "L" and g.meta["output"] == "p"
    assert np.all(np.isfinite([g.value(p) for p in g.parameters()]))
