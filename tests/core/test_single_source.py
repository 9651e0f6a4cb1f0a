"""Each Function is defined once, in its catalogue entry: delete a local derivative there and
every place built from it — the engine's kernels, the fast path, the numpy and PyTorch
exports, the step-through — refuses, naming the Function; change it and they all follow."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from graphcore import engine, fastpath, formula, kernel_emitter, stepthrough
from graphcore import functions as F
from graphcore.export import straightline, to_numpy, to_torch
from graphcore.graph import Graph


def chain_graph(op: str) -> Graph:
    """x, w → mul → op → mean = J (op unary), or op(x·w, x) for a binary op."""
    g = Graph("single source")
    g.add_node("input", "x", column="x", value=1.5)
    g.add_node("parameter", "w", value=0.5)
    g.add_node("mul", "h")
    g.connect("x", "h", 0)
    g.connect("w", "h", 1)
    g.add_node(op, "f")
    g.connect("h", "f", 0)
    if len(F.get(op).ports) == 2:
        g.connect("x", "f", 1)
    g.add_node("mean", "J")
    g.connect("f", "J", 0)
    g.set_meta("loss", "J")
    return g


DATA = {"x": np.array([0.5, -1.0, 2.0])}


def every_derived_place(op: str, fn: F.Function) -> dict:
    """What each place does with the catalogue as it is now: the exception it raises, or None."""
    places = {
        "engine": lambda: engine.compile_graph(chain_graph(op)).run(DATA),
        "fast path": lambda: fastpath.kernel_source(engine.compile_graph(chain_graph(op)), (True, False)),
        "numpy export": lambda: to_numpy(chain_graph(op)),
        "numpy export lines": lambda: straightline.compile_functions(chain_graph(op), columns={"x"}),
        "torch export": lambda: to_torch(chain_graph(op)),
        "step-through": lambda: stepthrough.local_templates(fn),
    }
    out = {}
    for name, run in places.items():
        try:
            run()
            out[name] = None
        except formula.FormulaError as exc:
            out[name] = str(exc)
    return out


@pytest.mark.parametrize("op, local", [("tanh", None), ("mul", ("b",))])
def test_deleting_a_local_derivative_makes_every_derived_place_refuse(monkeypatch, op, local):
    fn = F.get(op)
    assert every_derived_place(op, fn) == dict.fromkeys(every_derived_place(op, fn))  # all fine before
    broken = dataclasses.replace(fn, local_exprs=local)
    monkeypatch.setitem(F.CATALOGUE, op, broken)
    monkeypatch.setattr(kernel_emitter, "_template_cache", {})
    results = every_derived_place(op, broken)
    for place, message in results.items():
        assert message is not None, f"{place} still runs without {op}'s local derivative"
        assert f"Function '{op}'" in message and "local derivative" in message, (place, message)
        assert "\n" not in message


def test_a_changed_entry_changes_every_derived_place(monkeypatch):
    """Change tanh's local derivative in its entry (wrongly, to 2·(1 − out²)): the engine, the fast
    path, the numpy export and the step-through's formula all give the changed one."""
    fn = F.get("tanh")
    before = engine.compile_graph(chain_graph("tanh")).run(DATA).grad("w")
    monkeypatch.setitem(F.CATALOGUE, "tanh", dataclasses.replace(fn, local_exprs=("2.0 * (1.0 - out * out)",)))
    monkeypatch.setattr(kernel_emitter, "_template_cache", {})
    plan = engine.compile_graph(chain_graph("tanh"))
    fast = plan.run(DATA).grad("w")
    old, fastpath.ENABLED = fastpath.ENABLED, False
    try:
        ref = plan.run(DATA).grad("w")
    finally:
        fastpath.ENABLED = old
    ns = straightline.compile_functions(chain_graph("tanh"), columns={"x"})
    _, values = ns["forward"]({"w": 0.5}, DATA)
    exported = ns["backward"](values)["w"]
    assert float(fast) == float(ref) == float(exported) == pytest.approx(2.0 * float(before), rel=1e-12)
    assert "2 · (1 − tanh({x})²)" in stepthrough.local_templates(F.get("tanh"))


def test_no_per_op_tables_left_in_the_derived_places():
    """The old hand-kept tables are gone: nothing outside the catalogue names tanh's derivative."""
    import graphcore.export.torch_script as torch_script
    for module in (fastpath, kernel_emitter, straightline, torch_script, stepthrough):
        src = open(module.__file__, encoding="utf-8").read()
        assert '"tanh"' not in src and "'tanh'" not in src, module.__name__
    for gone in ("_TEMPLATES", "PROPAGATES", "_DOWNSTREAM", "template_ok", "downstream_ok"):
        assert not hasattr(fastpath, gone) and not hasattr(kernel_emitter, gone), gone
    for gone in ("FORWARD", "LOCAL", "GATES"):
        assert not hasattr(stepthrough, gone), gone
    assert not hasattr(straightline, "GATE") and not hasattr(straightline, "local_exprs")
