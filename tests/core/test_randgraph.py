"""The seeded random-graph generator: valid, exact in size, covering the catalogue, inside every domain."""
import networkx as nx
import numpy as np
import pytest

from graphcore import fileformat
from graphcore.engine import compile_graph
from graphcore.randgraph import ALL_OPS, MARGIN, random_graph


@pytest.mark.parametrize("with_data", [False, True])
def test_exact_size_valid_and_evaluates(with_data):
    for n in [1, 2, 3, 7, 12, 13, 25, 26, 40, 99]:
        for seed in range(3):
            g, data = random_graph(n, seed, with_data=with_data)
            assert len(g) == n
            assert nx.is_directed_acyclic_graph(g._g)
            assert g.meta["loss"] is not None
            ev = compile_graph(g).run(data)
            assert np.isfinite(ev.cost)
            assert (data is not None) == with_data


@pytest.mark.parametrize("with_data", [False, True])
def test_uses_every_function(with_data):
    g, _ = random_graph(200, 3, with_data=with_data)
    used = {g.op(n) for n in g.nodes()}
    assert set(ALL_OPS) <= used
    attrs = [g.node(n).get("attrs", {}) for n in g.nodes()]
    assert any("exponent" in a for a in attrs) and any("slope" in a for a in attrs)
    assert any(e.out > 0 for e in g.edges()), "a softmax output other than 0 is read"


def test_same_seed_same_graph_and_data():
    g1, d1 = random_graph(150, 7, with_data=True)
    g2, d2 = random_graph(150, 7, with_data=True)
    assert fileformat.dumps(g1) == fileformat.dumps(g2)
    assert d1.keys() == d2.keys() and all(np.array_equal(d1[k], d2[k]) for k in d1)
    g3, _ = random_graph(150, 8, with_data=True)
    assert fileformat.dumps(g3) != fileformat.dumps(g1)


def test_data_has_a_column_for_every_input_and_m_samples():
    g, data = random_graph(120, 1, with_data=True, m=13)
    cols = {g.column(n) for n in g.inputs()}
    assert cols == set(data)
    assert all(v.shape == (13,) for v in data.values())
    g, data = random_graph(120, 1)
    assert data is None and all(g.value(n) is not None for n in g.inputs())


@pytest.mark.parametrize("with_data", [False, True])
def test_values_stay_inside_domains_and_away_from_kinks(with_data):
    for seed in range(4):
        g, data = random_graph(250, seed, with_data=with_data)
        ev = compile_graph(g).run(data)

        def ins(node, g=g, ev=ev):
            return [ev.value(e.src if g.n_outputs(e.src) == 1 else f"{e.src}:{e.out}") for e in g.inputs_of(node)]
        for node in g.nodes():
            op, xs = g.op(node), ins(node)
            if op in ("relu", "abs", "leaky_relu"):
                assert np.all(np.abs(xs[0]) > MARGIN), node
            if op in ("log", "pow"):
                assert np.all(xs[0] > 0), node
            if op in ("inv",):
                assert np.all(np.abs(xs[0]) > 0.25), node
            if op == "div":
                assert np.all(np.abs(xs[1]) > 0.25), node
            if op == "bce":
                assert np.all((xs[0] > 0.04) & (xs[0] < 0.96)), node
            if op in ("max", "min", "lt", "gt", "eq"):
                same = g.inputs_of(node)[0] == g.inputs_of(node)[1] or (
                    g.inputs_of(node)[0].src == g.inputs_of(node)[1].src
                    and g.inputs_of(node)[0].out == g.inputs_of(node)[1].out)
                assert same or np.all(np.abs(xs[0] - xs[1]) > MARGIN), node
            if op == "cross_entropy":
                y = xs[-1]
                assert np.all(y == np.round(y)) and np.all((y >= 0) & (y < g.attrs(node)["k"]))
                assert g.op(g.inputs_of(node)[-1].src) == "constant" or g.value(g.inputs_of(node)[-1].src) is None


def test_ops_limits_the_random_boxes():
    g, _ = random_graph(80, 0, ops=["mul", "sin"])
    assert {g.op(n) for n in g.nodes()} <= {"mul", "sin", "add", "identity", "mean",
                                             "input", "parameter", "constant"}


@pytest.mark.parametrize("bad", [dict(n_boxes=0), dict(n_boxes=5, ops=["nope"]), dict(n_boxes=5, ops=[]),
                                 dict(n_boxes=5, ops=["input"]), dict(n_boxes=2.5)])
def test_bad_arguments_are_refused(bad):
    with pytest.raises(ValueError):
        random_graph(seed=0, **bad)


@pytest.mark.slow
def test_ten_thousand_boxes_build_and_run():
    g, data = random_graph(10_000, 1, with_data=True)
    assert len(g) == 10_000
    ev = compile_graph(g).run(data)
    assert np.isfinite(ev.cost)


@pytest.mark.parametrize("seed", range(6))
def test_any_batch_of_the_data_stays_inside_the_domains(seed):
    """Training runs on mini-batches: a mean or sum over a batch must never push log, inv or
    bce out of its domain, whichever samples the batch holds."""
    g, data = random_graph(150, seed, with_data=True, m=12)
    plan = compile_graph(g)
    rng = np.random.default_rng(seed)
    for size in (1, 2, 5, 11):
        rows = rng.choice(12, size, replace=False)
        ev = plan.run({k: v[rows] for k, v in data.items()})
        assert np.isfinite(ev.cost)


def test_parameters_never_feed_a_domain_directly():
    """Gradient descent moves parameters: none sits right at a log, inv, pow or bce probability."""
    for seed in range(5):
        g, _ = random_graph(200, seed)
        for node in g.nodes():
            op = g.op(node)
            ports = {"log": [0], "inv": [0], "pow": [0], "bce": [0], "div": [1]}.get(op, [])
            for p in ports:
                assert g.op(g.inputs_of(node)[p].src) != "parameter", (seed, node)
