"""The chain-rule presentation of the engine's trace (Qt-free)."""
import numpy as np
import pytest

from graphcore import datasets, stepthrough
from graphcore.engine import compile_graph
from graphcore.errors import DataError, NonFiniteError
from graphcore.graph import Graph
from tests.stepper.stepper_graphs import fanout_graph, logistic_graph, ng_lesson, softmax_graph


def _step(seq, phase, node):
    return next(s for s in seq.steps if s.phase == phase and s.node == node)


def _down(step, key):
    return next(p.downstream.mean for p in step.ports if p.key == key)


def test_ng_graph_backward_numbers_are_the_lectures():
    # J = 3(a + bc) at a=5, b=3, c=2: J = 33; dJ/dv = 3, dJ/du = 3, dJ/da = 3, dJ/db = 3c = 6, dJ/dc = 3b = 9.
    seq = stepthrough.build(ng_lesson())
    assert seq.cost == pytest.approx(33)
    assert _down(_step(seq, "backward", "J"), "v") == pytest.approx(3)
    v = _step(seq, "backward", "v")
    assert _down(v, "u") == pytest.approx(3) and _down(v, "a") == pytest.approx(3)
    u = _step(seq, "backward", "u")
    assert _down(u, "b") == pytest.approx(6) and _down(u, "c") == pytest.approx(9)
    text = u.text()
    assert "upstream:  dJ/du = 3" in text
    assert "local ∂u/∂b = c = 2" in text and "2 × 3 = 6" in text
    assert "local ∂u/∂c = b = 3" in text and "3 × 3 = 9" in text
    assert "mul gate: swaps" in text
    assert "add gate: distributes" in _step(seq, "backward", "v").text()


def test_forward_step_substitutes_the_inputs():
    seq = stepthrough.build(ng_lesson())
    assert "u = b · c = 3 · 2 = 6" in _step(seq, "forward", "u").text()
    assert "v = a + u = 5 + 6 = 11" in _step(seq, "forward", "v").text()


def test_order_forward_then_backward_and_the_seed():
    seq = stepthrough.build(ng_lesson())
    phases = [s.phase for s in seq.steps]
    first_back = phases.index("backward")
    assert set(phases[:first_back]) == {"forward"} and set(phases[first_back:]) == {"backward"}
    assert seq.first_backward == first_back and seq.last_forward == first_back - 1
    seed = seq.steps[first_back]
    assert seed.is_seed and seed.node == "J"
    assert "dJ/dJ = 1" in seed.text()
    # forward covers every box once; backward reaches every box J depends on
    assert sorted(s.node for s in seq.steps[:first_back]) == sorted(ng_lesson().nodes())


def test_fan_out_total_is_the_sum_of_named_contributions():
    # dJ/dx = w (from f) + 2x (from g) = 3 + 4 = 7
    seq = stepthrough.build(fanout_graph())
    x = _step(seq, "backward", "x")
    terms = x.contributions["x"]
    assert sorted(t.node for t in terms) == ["f", "g"]
    assert sorted(t.value.mean for t in terms) == pytest.approx([3, 4])
    assert x.upstream[0][2].mean == pytest.approx(7)
    text = x.text()
    assert "(from f)" in text and "(from g)" in text and "= 7" in text
    assert "copy gate" in text


def test_softmax_step_shows_the_jacobian_table():
    seq = stepthrough.build(softmax_graph())
    sm = _step(seq, "backward", "sm")
    z0, z1 = 0.7 * 2.0, 0.7 ** 2
    s = np.exp([z0, z1]) / np.exp([z0, z1]).sum()
    expect = [[s[i] * ((i == j) - s[j]) for j in range(2)] for i in range(2)]
    got = [[c.mean for c in row] for row in sm.jacobian]
    assert np.allclose(got, expect)
    rows = sm.jacobian_rows()
    assert len(rows) == 3 and "z0" in rows[0] and "z1" in rows[0]
    # downstream dJ/dz_j = Σ_i upstream_i ∂s_i/∂z_j, with upstream (0, 2(s1 − 1))
    up = [0.0, 2 * (s[1] - 1)]
    for j, p in enumerate(sm.ports):
        assert p.downstream.mean == pytest.approx(sum(up[i] * expect[i][j] for i in range(2)))
    assert "Jacobian" in sm.text()


def test_one_sample_matches_the_engine_on_that_sample_alone():
    g = logistic_graph()
    data = datasets.for_graph(g).train()
    i = 5
    seq = stepthrough.build(g, data, sample=i)
    one = {k: np.asarray(v)[i:i + 1] for k, v in data.items()}
    ev = compile_graph(g).run(one)
    for s in seq.steps:
        if s.phase == "backward":
            for p in s.ports:
                assert p.downstream.count == 1
            if s.is_source:
                assert s.upstream[0][2].mean == pytest.approx(float(np.sum(ev.grad(s.node))))
    assert seq.m == 1 and seq.cost == pytest.approx(ev.cost)
    assert "sample 5" in stepthrough.transcript(seq)


def test_batch_numbers_are_means_with_spread():
    g = logistic_graph(n=12)
    data = datasets.for_graph(g).train()
    seq = stepthrough.build(g, data)
    p = _step(seq, "forward", "p").outputs[0][2]
    probs = compile_graph(g).run(data).value("p")
    assert p.count == 12 and p.mean == pytest.approx(probs.mean()) and p.sd == pytest.approx(probs.std())
    assert p.lo == pytest.approx(probs.min()) and p.hi == pytest.approx(probs.max())
    assert "mean of 12" in p.text
    seed = _step(seq, "backward", "L")
    assert "1/m" in seed.text()
    # a parameter's gradient is one number: the sum over samples
    w1 = _step(seq, "backward", "w1").upstream[0][2]
    assert w1.single


def test_quiz_hides_downstream_numbers():
    seq = stepthrough.build(ng_lesson())
    u = _step(seq, "backward", "u")
    hidden = u.text(reveal=False)
    assert "= ?" in hidden and "2 × 3 = 6" not in hidden
    assert "local ∂u/∂b = c = 2" in hidden  # the local derivative and upstream stay visible


def test_bad_sample_and_no_data_are_clear_errors():
    g = logistic_graph(n=12)
    data = datasets.for_graph(g).train()
    with pytest.raises(DataError, match="out of range"):
        stepthrough.build(g, data, sample=12)
    with pytest.raises(DataError, match="no data set"):
        stepthrough.build(ng_lesson(), None, sample=0)


def test_non_finite_names_the_box():
    g = Graph()
    g.add_node("input", "x", value=0.0)
    g.add_node("inv", "r")
    g.connect("x", "r", 0)
    g.set_meta("loss", "r")
    with pytest.raises(NonFiniteError) as info:
        stepthrough.build(g)
    assert "r" in info.value.nodes


def test_json_matches_spec_keys():
    doc = stepthrough.steps_json(stepthrough.build(ng_lesson()))
    assert set(doc["steps"][0]) >= {"phase", "node", "op", "inputs", "output", "local", "upstream", "downstream"}
    u = next(s for s in doc["steps"] if s["phase"] == "backward" and s["node"] == "u")
    assert u["local"] == {"0": pytest.approx(2), "1": pytest.approx(3)}
    assert u["upstream"] == pytest.approx(3)
    assert u["downstream"] == {"0": pytest.approx(6), "1": pytest.approx(9)}
