"""Comparing the fast path with the reference loop, bit for bit; shared by the perf and learner tests."""
from __future__ import annotations

import numpy as np

from graphcore import fastpath


def reference(plan, *args, **kw):
    """Plan.run with the fast path switched off: the per-box loop of reference_loop.py."""
    old = fastpath.ENABLED
    fastpath.ENABLED = False
    try:
        return plan.run(*args, **kw)
    finally:
        fastpath.ENABLED = old


def assert_identical(a, b, grads_rtol: float = 0.0):
    """Bit for bit; with ``grads_rtol`` the gradients to that fraction of each one's size (a
    fused sigmoid + bce head takes dJ/dz the short way: graphcore/fusion_heads.py, #18's 1e-12)."""
    assert a.cost == b.cost or (np.isnan(a.cost) and np.isnan(b.cost))
    assert a.m == b.m
    for lst_a, lst_b in ((a.values, b.values), (a.grads, b.grads)):
        tol = grads_rtol if lst_a is a.grads else 0.0
        if lst_a is None or lst_b is None:
            assert lst_a is lst_b
            continue
        assert len(lst_a) == len(lst_b)
        for key, x, y in zip(a.plan.keys, lst_a, lst_b, strict=True):
            if x is None or y is None:
                assert x is y, key
                continue
            assert type(x) is type(y), key
            assert np.shape(x) == np.shape(y), key
            if tol:
                scale = max(float(np.max(np.abs(y), initial=0.0)), 1e-300)
                assert float(np.max(np.abs(np.asarray(x) - y))) <= tol * scale, key
                continue
            assert np.array_equal(x, y), key  # bit for bit: no tolerance


def as_bytes(lst):
    """Each array as its bytes and shape, to compare bit for bit."""
    return [None if v is None else (np.asarray(v).tobytes(), np.shape(v)) for v in lst]


def spoil(rng, data: dict, m: int = 6) -> dict:
    """A copy of ``data`` with bad numbers dropped into some columns (nan, ±inf, 0, −1, huge, tiny)."""
    d = {k: v.copy() for k, v in data.items()}
    for k in d:
        if rng.random() < 0.3:
            d[k][rng.integers(0, m)] = rng.choice([0.0, -1.0, np.nan, np.inf, -np.inf, 1e300, -1e-300, 50.0, 700.0])
    return d
