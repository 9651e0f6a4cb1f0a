"""bce as torch computes it (F.binary_cross_entropy, float64): a sigmoid saturated to exactly
0 or 1 gives a finite loss and gradient (each log clamped at −100, the derivative's
denominator at 1e-12), in the catalogue, the fast path, the reference loop and the numpy
export alike; a probability outside [0, 1] is still an error naming the box."""
import numpy as np
import pytest

from graphcore import fastpath
from graphcore import functions as F
from graphcore.engine import compile_graph
from graphcore.errors import GraphError
from graphcore.export.straightline import compile_functions
from graphcore.graph import Graph

torch = pytest.importorskip("torch")

# probabilities at and next to the ends (σ saturates to exactly 1.0 from z ≈ 37, to 0 below −745)
A = np.array([1.0, 0.0, 1 - 2**-53, 2**-52, 1e-300, 3e-44, 1 - 1e-12, 0.3, 0.5, 0.97])
B = np.array([0.0, 1.0, 1.0, 0.0, 0.5, 1.0, 0.0, 1.0, 0.25, 0.0])


def torch_bce(a, b):
    """Loss and dL/da from torch itself, and torch's dL/db (−logit a)."""
    ta = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    loss = torch.nn.functional.binary_cross_entropy(ta, tb, reduction="none")
    ga, gb = torch.autograd.grad(loss.sum(), [ta, tb])
    return loss.detach().numpy(), ga.numpy(), gb.numpy()


def test_catalogue_forward_and_local_derivatives_are_torchs():
    fn = F.get("bce")
    L, da, db = torch_bce(A, B)
    out = F.run_forward(fn, [A, B], {})[0]
    local = F.run_local(fn, [A, B], [out], {})
    assert np.all(np.isfinite(out)) and all(np.all(np.isfinite(d)) for d in local)
    np.testing.assert_allclose(out, L, rtol=1e-13, atol=0)
    np.testing.assert_array_equal(np.signbit(out), np.signbit(L))  # bce(1, 1) is −0.0 in torch too
    np.testing.assert_allclose(local[0], da, rtol=1e-13, atol=0)
    # The target's derivative is that of the clamped forward: torch's −logit(a) wherever both
    # logs are above −100; at a = 0 or 1 torch's is ±inf and ours stays at ±100.
    inside = (A > np.exp(-100)) & (A < 1)
    assert inside.sum() >= 6
    np.testing.assert_allclose(local[1][inside], db[inside], rtol=1e-9)
    assert np.isinf(db[~inside]).any()
    assert local[1][A == 1.0].tolist() == [-100.0] and local[1][A == 0.0].tolist() == [100.0]


def saturated_logistic() -> Graph:
    """p = σ(w·x + b), L = bce(p, y): with w = 60 the points far out give p of exactly 0 or 1."""
    g = Graph()
    g.add_node("input", "x", column="x")
    g.add_node("input", "y", column="y")
    g.add_node("parameter", "w", value=60.0)
    g.add_node("parameter", "b", value=-1.0)
    g.add_node("mul", "m")
    g.add_node("add", "z")
    g.add_node("sigmoid", "p")
    g.add_node("bce", "L")
    for src, dst, port in [("w", "m", 0), ("x", "m", 1), ("m", "z", 0), ("b", "z", 1), ("z", "p", 0),
                           ("p", "L", 0), ("y", "L", 1)]:
        g.connect(src, dst, port)
    g.set_meta("loss", "L")
    return g


DATA = {"x": np.array([-20.0, -1.0, 0.0, 0.5, 2.0, 20.0]), "y": np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0])}


def torch_logistic(w, b, data):
    tw = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    p = torch.sigmoid(tw * torch.tensor(data["x"]) + tb)
    J = torch.nn.functional.binary_cross_entropy(p, torch.tensor(data["y"]))
    gw, gb = torch.autograd.grad(J, [tw, tb])
    return J.item(), gw.item(), gb.item(), p.detach().numpy()


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "reference loop"])
def test_saturated_sigmoid_gives_torchs_cost_and_gradients(monkeypatch, fast):
    monkeypatch.setattr(fastpath, "ENABLED", fast)
    J, gw, gb, p = torch_logistic(60.0, -1.0, DATA)
    assert p[0] == 0.0 and p[-1] == 1.0  # saturated both ways, misclassified at one end
    ev = compile_graph(saturated_logistic()).run(DATA)
    assert np.isfinite(ev.cost)
    assert ev.cost == pytest.approx(J, rel=1e-13)
    np.testing.assert_allclose(ev.param_grads, [gw, gb], rtol=1e-12)
    assert np.all(np.isfinite(ev.grad("y")))  # the data column's dJ/dy is shown too


def test_numpy_export_gives_the_engines_numbers_bit_for_bit():
    g = saturated_logistic()
    ns = compile_functions(g, columns=set(DATA))
    J, values = ns["forward"]({"w": 60.0, "b": -1.0}, DATA)
    grads = ns["backward"](values)
    ev = compile_graph(g).run(DATA)
    assert J == ev.cost
    for key in ("w", "b", "p", "y"):
        np.testing.assert_array_equal(grads[key], ev.grad(key))


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "reference loop"])
@pytest.mark.parametrize("bad", [1.5, -0.25, 1 + 2**-52])
def test_a_probability_outside_0_1_is_still_an_error_naming_the_box(monkeypatch, fast, bad):
    monkeypatch.setattr(fastpath, "ENABLED", fast)
    g = Graph()
    g.add_node("parameter", "a", value=bad)
    g.add_node("constant", "t", value=1.0)
    g.add_node("bce", "L")
    g.connect("a", "L", 0)
    g.connect("t", "L", 1)
    g.set_meta("loss", "L")
    with pytest.raises(GraphError) as info:
        compile_graph(g).run()
    assert list(info.value.nodes) == ["L"] and "'L'" in str(info.value)
