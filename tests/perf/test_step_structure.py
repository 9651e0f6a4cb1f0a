"""What makes a training step fast, guarded as structure (never as a timing):

* a step touches no networkx (the graph's structure was compiled once);
* there is no Python loop over samples: the calls a step makes do not depend on m;
* the compiled kernel is built once per plan and shape, from slot numbers only, in
  functions short enough that compiling stays linear in the graph's size.
"""
from __future__ import annotations

import re
import sys
import types

import networkx as nx
import numpy as np
import pytest

from graphcore import datasets, engine, fastpath
from graphcore.graph import Graph
from graphcore.randgraph import random_graph
from graphcore.training import Trainer
from tests.perf.step_graphs import scalar_mlp, xor_columns


class _NoNetworkx:
    """Stands in for the graph's networkx MultiDiGraph: any use fails the test."""

    def __getattr__(self, name):
        raise AssertionError(f"a training step used networkx ({name})")

    def _fail(self, *a, **k):
        raise AssertionError("a training step used networkx")

    __contains__ = __getitem__ = __iter__ = __len__ = _fail


@pytest.fixture
def no_networkx(monkeypatch):
    """After this, the graph's networkx object and every networkx function raise."""
    def forbid(graph: Graph):
        monkeypatch.setattr(graph, "_g", _NoNetworkx())
        for name in dir(nx):
            if isinstance(getattr(nx, name), types.FunctionType):
                monkeypatch.setattr(nx, name, _NoNetworkx()._fail)
    return forbid


def test_a_training_step_makes_no_networkx_call(no_networkx):
    g = scalar_mlp()
    ds = datasets.generate("xor", 64, 0, 0.0, 0.0)
    expected = Trainer(g, ds, optimizer="sgd", lr=0.5)
    costs = [expected.step_batch() for _ in range(3)]
    trainer = Trainer(g, ds, optimizer="sgd", lr=0.5)
    no_networkx(g)
    assert [trainer.step_batch() for _ in range(3)] == costs
    np.testing.assert_array_equal(trainer.params, expected.params)


def test_plan_run_makes_no_networkx_call(no_networkx):
    g, data = random_graph(150, 1, with_data=True, m=11)
    plan = engine.compile_graph(g)
    before = plan.run(data)
    no_networkx(g)
    after = plan.run(data)  # graph values are re-read only when they change
    assert after.cost == before.cost


def count_calls(fn) -> int:
    """Python and C function calls made while fn() runs."""
    n = 0

    def profile(frame, event, arg):
        nonlocal n
        if event in ("call", "c_call"):
            n += 1
    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return n


def test_no_loop_over_samples_in_plan_run():
    plan = engine.compile_graph(scalar_mlp())
    theta = np.full(len(plan.param_ids), 0.2)
    counts = []
    for m in (3, 300, 3000):
        data = xor_columns(m)
        plan.run(data, theta)  # builds the kernel
        counts.append(count_calls(lambda data=data: plan.run(data, theta)))
    assert counts[0] == counts[1] == counts[2]
    # and far fewer calls than the per-box loop makes (a handful per box, not dozens)
    fastpath.ENABLED = False
    try:
        loop = count_calls(lambda: plan.run(data, theta))
    finally:
        fastpath.ENABLED = True
    assert counts[0] * 3 < loop


def test_no_loop_over_samples_in_a_training_step():
    counts = []
    for m in (8, 800):
        ds = datasets.generate("xor", m, 0, 0.0, 0.0)
        trainer = Trainer(scalar_mlp(), ds, optimizer="sgd", lr=0.1)
        trainer.step_batch()
        counts.append(count_calls(trainer.step_batch))
    assert counts[0] == counts[1]


def test_kernel_built_once_per_plan_and_shape(monkeypatch):
    built = []
    real = fastpath.build_kernel
    monkeypatch.setattr(fastpath, "build_kernel", lambda *a: built.append(a[1]) or real(*a))
    plan = engine.compile_graph(scalar_mlp())
    for m in (5, 50, 5):
        plan.run(xor_columns(m))
    assert len(built) == 1  # m is not part of the shape signature
    plan.run(None, {"x1": 0.5, "x2": 0.25, "y": 1.0})  # every input a scalar: a second kernel
    assert len(built) == 2 and not any(built[1])


def test_kernel_source_is_made_of_slot_numbers_only():
    """Labels, ids and column names never reach the generated code."""
    g = Graph()
    g.add_node("input", "evil_id", column="x'); import os #", label="__import__('os').system('echo hi')")
    g.add_node("parameter", "w", value=0.1, label="\"\"\"; raise SystemExit")
    g.add_node("leaky_relu", "act", attrs={"slope": 0.125})
    g.add_node("mul", "L")
    g.connect("evil_id", "act", 0)
    g.connect("act", "L", 0)
    g.connect("w", "L", 1)
    g.set_meta("loss", "L")
    plan = engine.compile_graph(g)
    source, _ = fastpath.kernel_source(plan, (True, False))
    for text in ("evil", "os", "SystemExit", "echo", "act", "x'"):
        assert text not in source
    names = set(re.findall(r"\b[A-Za-z_]\w*\b", source))
    assert all(re.fullmatch(r"[vg]\d+|[VG]|_\w+|def|return|if|or|raise|astype|float|sum|shape|size", n)
               for n in names), names
    ev = plan.run({"x'); import os #": np.array([-2.0, 4.0])})
    np.testing.assert_array_equal(ev.value("act"), [-0.25, 4.0])


def test_kernel_functions_stay_short():
    """Python compiles one long function in more than linear time: the kernel is cut up."""
    g, data = random_graph(1500, 2, with_data=True, m=5)
    plan = engine.compile_graph(g)
    fed, _ = fastpath.FastPlan(plan).feed(data, None)
    source, _ = fastpath.kernel_source(plan, tuple(bool(v.ndim) for v in fed))
    functions = source.split("\ndef ")
    assert len(functions) > 5
    assert max(len(f.splitlines()) for f in functions) <= fastpath.CHUNK_LINES + 6  # + loads and stores
