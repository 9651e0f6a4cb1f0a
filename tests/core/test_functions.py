"""Every Function of the catalogue: its local derivative agrees with a central difference of its
forward (hypothesis draws the points, away from kinks and ties), it is numerically stable where
SPEC §2 says so, and its forward agrees with the textbook formula."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphcore import functions as F
from graphcore.errors import BadAttributeError, DomainError, UnknownFunctionError

H = 1e-6


def fl(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def away(lo, hi, gap):
    """A float in [lo, hi] at least ``gap`` from 0."""
    return fl(lo, hi).filter(lambda x: abs(x) >= gap)


def run(op, xs, attrs=None):
    fn = F.get(op)
    attrs = fn.resolve_attrs(attrs or {})
    xs = [np.asarray(x, dtype=float) for x in xs]
    outs = F.run_forward(fn, xs, attrs)
    return outs, F.run_local(fn, xs, outs, attrs)


def central(op, xs, port, attrs=None, out=0):
    """(f(x + h) − f(x − h)) / 2h in input ``port`` (h relative to |x|), elementwise."""
    x = np.asarray(xs[port], dtype=float)
    h = H * np.maximum(1.0, np.abs(x))
    up, down = list(xs), list(xs)
    up[port], down[port] = x + h, x - h
    return (run(op, up, attrs)[0][out] - run(op, down, attrs)[0][out]) / (2 * h)


def assert_close(local, numeric, f):
    local, numeric, f = (np.asarray(a, dtype=float) for a in (local, numeric, f))
    tol = 1e-5 * np.abs(local) + 1e-7 * np.maximum(1.0, np.abs(f))
    assert np.all(np.abs(local - numeric) <= tol), (local, numeric)


# Each non-source op: the points to draw (one strategy per port) and its attrs, away from kinks.
UNARY = {
    "identity": fl(-50, 50), "neg": fl(-50, 50), "square": fl(-50, 50), "exp": fl(-30, 30),
    "sin": fl(-20, 20), "cos": fl(-20, 20), "tanh": fl(-20, 20), "sigmoid": fl(-30, 30),
    "softplus": fl(-30, 30), "swish": fl(-30, 30), "inv": away(-20, 20, 0.05), "log": fl(0.01, 100),
    "abs": away(-20, 20, 1e-3), "relu": away(-20, 20, 1e-3),
}
PAIR = st.tuples(fl(-20, 20), fl(-20, 20))
APART = PAIR.filter(lambda ab: abs(ab[0] - ab[1]) >= 1e-3)
BINARY = {
    "add": PAIR, "sub": PAIR, "mul": PAIR, "squared_error": PAIR,
    "div": st.tuples(fl(-20, 20), away(-20, 20, 0.1)),
    "max": APART, "min": APART, "lt": APART, "gt": APART,
    "eq": st.one_of(APART, fl(-20, 20).map(lambda a: (a, a))),
    "bce": st.tuples(fl(0.01, 0.99), fl(0, 1)),
    "bce_logits": st.tuples(fl(-30, 30), fl(0, 1)),
}
WITH_ATTRS = ("pow", "leaky_relu", "mean", "sum", "softmax", "cross_entropy")


def test_every_function_has_a_derivative_test():
    tested = set(UNARY) | set(BINARY) | set(WITH_ATTRS)
    assert tested == {op for op in F.CATALOGUE if op not in F.SOURCE_OPS}


@pytest.mark.parametrize("op", sorted(UNARY))
def test_unary_local_derivative_matches_central_difference(op):
    @settings(max_examples=60, deadline=None)
    @given(UNARY[op])
    def prop(x):
        (out,), (local,) = run(op, [x])
        assert_close(local, central(op, [x], 0), out)
    prop()


@pytest.mark.parametrize("op", sorted(BINARY))
def test_binary_local_derivatives_match_central_difference(op):
    @settings(max_examples=60, deadline=None)
    @given(BINARY[op])
    def prop(ab):
        (out,), local = run(op, list(ab))
        for port in (0, 1):
            assert_close(local[port], central(op, list(ab), port), out)
    prop()


@settings(max_examples=80, deadline=None)
@given(fl(0.05, 10), fl(-3, 3))
def test_pow(x, p):
    (out,), (local,) = run("pow", [x], {"exponent": p})
    assert_close(local, central("pow", [x], 0, {"exponent": p}), out)


@settings(max_examples=80, deadline=None)
@given(away(-20, 20, 1e-3), fl(0, 1))
def test_leaky_relu(x, slope):
    (out,), (local,) = run("leaky_relu", [x], {"slope": slope})
    assert_close(local, central("leaky_relu", [x], 0, {"slope": slope}), out)
    assert float(local) == (1.0 if x > 0 else slope)


@pytest.mark.parametrize("op", ["mean", "sum"])
@settings(max_examples=40, deadline=None)
@given(xs=st.lists(fl(-20, 20), min_size=1, max_size=12))
def test_reductions(op, xs):
    x = np.array(xs)
    (out,), (local,) = run(op, [x])
    assert out.shape == ()
    assert local.shape == x.shape
    for i in range(len(xs)):  # ∂out/∂xᵢ by nudging one sample at a time
        h = H * max(1.0, abs(xs[i]))
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        numeric = (run(op, [up])[0][0] - run(op, [down])[0][0]) / (2 * h)
        assert_close(local[i], numeric, out)
    # a scalar goes through unchanged, with local derivative 1
    (out,), (local,) = run(op, [np.asarray(xs[0])])
    assert float(out) == xs[0] and float(local) == 1.0


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 5).flatmap(lambda k: st.lists(fl(-15, 15), min_size=k, max_size=k)))
def test_softmax_jacobian(zs):
    k = len(zs)
    outs, jac = run("softmax", zs, {"k": k})
    assert len(outs) == k and abs(sum(float(s) for s in outs) - 1.0) < 1e-12
    for i in range(k):
        for j in range(k):
            assert_close(jac[i][j], central("softmax", zs, j, {"k": k}, out=i), outs[i])
    # downstream = Σᵢ upstreamᵢ · ∂sᵢ/∂zⱼ (a vector-Jacobian product)
    up = [np.asarray(float(i + 1)) for i in range(k)]
    down = F.downstream(F.get("softmax"), jac, up)
    for j in range(k):
        assert float(down[j]) == pytest.approx(sum(float(up[i]) * float(jac[i][j]) for i in range(k)), rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 5).flatmap(lambda k: st.tuples(st.lists(fl(-15, 15), min_size=k, max_size=k),
                                                    st.integers(0, k - 1))))
def test_cross_entropy(zs_y):
    zs, y = zs_y
    k = len(zs)
    xs = zs + [float(y)]
    (out,), local = run("cross_entropy", xs, {"k": k})
    expected = math.log(sum(math.exp(z) for z in zs)) - zs[y]
    assert float(out) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    for j in range(k):
        assert_close(local[j], central("cross_entropy", xs, j, {"k": k}), out)
    assert float(local[k]) == 0.0


def test_vectorised_equals_per_sample():
    """A whole column at once gives what each sample alone gives (scalars broadcast)."""
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0.2, 0.8, 7), rng.uniform(0.2, 0.8, 7)
    for op in sorted(BINARY):
        outs, local = run(op, [a, 0.5])
        for i in range(7):
            o1, l1 = run(op, [a[i], 0.5])
            assert float(outs[0][i]) == pytest.approx(float(o1[0]), rel=1e-14)
            assert float(np.broadcast_to(local[0], a.shape)[i]) == pytest.approx(float(l1[0]), rel=1e-14)
        outs, local = run(op, [a, b])
        assert outs[0].shape == (7,)


# --- numerical stability (SPEC §2: "without overflow") ---------------------------------------
def test_sigmoid_softplus_bce_logits_are_stable_for_huge_inputs():
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
        (s,), (ds,) = run("sigmoid", [x])
        assert np.all(np.isfinite(s)) and np.all(np.isfinite(ds))
        assert s[0] == 0.0 and s[2] == 0.5 and s[4] == 1.0
        assert s[1] == pytest.approx(math.exp(-50) / (1 + math.exp(-50)), rel=1e-14)
        (sp,), (dsp,) = run("softplus", [x])
        assert sp[4] == 1000.0 and sp[0] == 0.0 and sp[2] == pytest.approx(math.log(2), rel=1e-15)
        assert sp[1] == pytest.approx(math.log1p(math.exp(-50)), rel=1e-14)
        (bl,), _ = run("bce_logits", [x, np.array([1.0, 0.0, 1.0, 1.0, 0.0])])
        assert bl[0] == 1000.0 and bl[4] == 1000.0 and bl[3] == pytest.approx(math.log1p(math.exp(-50)), rel=1e-14)
    outs, _ = run("softmax", [1000.0, 0.0, -1000.0], {"k": 3})
    assert [float(o) for o in outs] == [1.0, 0.0, 0.0]
    (ce,), _ = run("cross_entropy", [1000.0, 0.0, 1.0], {"k": 2})
    assert float(ce) == 1000.0


@pytest.mark.parametrize("op,x,expected", [
    ("sigmoid", 0.7, 1 / (1 + math.exp(-0.7))), ("softplus", -1.3, math.log(1 + math.exp(-1.3))),
    ("tanh", 0.4, math.tanh(0.4)), ("inv", -4.0, -0.25), ("log", 2.5, math.log(2.5)),
    ("abs", -3.0, 3.0), ("relu", -3.0, 0.0), ("leaky_relu", -3.0, -0.03), ("neg", 2.0, -2.0),
    ("swish", -1.5, -1.5 / (1 + math.exp(1.5))),
])
def test_forward_matches_the_formula(op, x, expected):
    assert float(run(op, [x])[0][0]) == pytest.approx(expected, rel=1e-15)


def test_kinks_and_ties_follow_torch():
    """relu'(0) = 0, |x|'(0) = 0, leaky_relu'(0) = slope, max/min split a tie ½/½ (as torch.maximum)."""
    assert float(run("relu", [0.0])[1][0]) == 0.0
    assert float(run("abs", [0.0])[1][0]) == 0.0
    assert float(run("leaky_relu", [0.0], {"slope": 0.2})[1][0]) == 0.2
    for op in ("max", "min"):
        _, local = run(op, [1.5, 1.5])
        assert [float(v) for v in local] == [0.5, 0.5]
    for op in ("lt", "gt", "eq"):
        _, local = run(op, [1.0, 2.0])
        assert [float(v) for v in local] == [0.0, 0.0]


def test_pow_with_exponent_zero_has_derivative_zero_even_at_zero():
    (out,), (local,) = run("pow", [0.0], {"exponent": 0.0})
    assert float(out) == 1.0 and float(local) == 0.0


# --- domain errors and attributes ---------------------------------------------------------------
def test_log_of_a_non_positive_number_is_a_domain_error():
    for bad in (0.0, -1.0):
        with pytest.raises(DomainError, match="log"):
            run("log", [np.array([1.0, bad])])


@pytest.mark.parametrize("y", [2.5, -1.0, 2.0, float("nan")])
def test_cross_entropy_refuses_a_class_that_is_no_class(y):
    with pytest.raises(DomainError, match=r"whole number 0\.\.1"):
        run("cross_entropy", [0.1, 0.2, y], {"k": 2})


def test_cross_entropy_broadcasts_scalar_logits_over_per_sample_classes():
    y = np.array([0.0, 1.0, 1.0])
    (out,), local = run("cross_entropy", [0.5, -0.5, y], {"k": 2})
    lse = math.log(math.exp(0.5) + math.exp(-0.5))
    assert np.allclose(out, [lse - 0.5, lse + 0.5, lse + 0.5], rtol=1e-14)
    assert local[0].shape == (3,) and local[2].shape == (3,)


@pytest.mark.parametrize("op,attrs,msg", [
    ("pow", {}, "needs the attribute 'exponent'"),
    ("pow", {"exponent": "2"}, "must be a number"),
    ("leaky_relu", {"slope": float("inf")}, "finite"),
    ("softmax", {"k": 1}, "at least 2"),
    ("softmax", {"k": 2.5}, "whole number"),
    ("add", {"slope": 1}, "takes no attribute 'slope'"),
    ("softmax", {"k": True}, "must be a number"),
])
def test_bad_attributes_are_refused_naming_the_box(op, attrs, msg):
    with pytest.raises(BadAttributeError, match=msg) as err:
        F.get(op).resolve_attrs(attrs, "b1")
    assert "b1" in str(err.value) and err.value.nodes == ("b1",)


def test_unknown_function():
    with pytest.raises(UnknownFunctionError, match="unknown Function 'nope'"):
        F.get("nope")


def test_ports_and_outputs_follow_k():
    assert F.get("softmax").input_names({"k": 3}) == ("z0", "z1", "z2")
    assert F.get("softmax").output_names({"k": 3}) == ("s0", "s1", "s2")
    assert F.get("cross_entropy").input_names({"k": 3}) == ("z0", "z1", "z2", "y")
    assert F.get("cross_entropy").n_outputs({"k": 3}) == 1
    assert F.get("bce_logits").input_names({}) == ("z", "y")


def test_describe_gives_formula_and_derivative():
    assert F.describe("mul") == "mul: a·b    local derivative: b, a"
    assert F.describe("parameter").startswith("parameter: ")
