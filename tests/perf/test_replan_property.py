"""Property: after any run of edits, the plan patched from the last one (replan.py) is the plan a
compile makes, and the evaluation carried over (incremental.rerun) is a full run's, bit for bit —
values, gradients, cost and the error with its boxes."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphcore import functions as F
from graphcore.errors import GraphError
from graphcore.randgraph import random_graph
from tests.perf.replan_helpers import Window

OPS = [op for op in ("add", "mul", "sin", "relu", "exp", "log", "sub", "softmax", "bce", "sum", "mean",
                     "parameter", "constant", "input") if op in F.CATALOGUE]


def edit(g, pick, removed):
    """One edit chosen by ``pick`` (a function of a bound): what a learner does in the window."""
    kind, nodes = pick(9), g.nodes()
    if kind == 0:
        op = OPS[pick(len(OPS))]
        g.add_node(op, pos=(0, 0), **({"value": 0.5} if op in ("parameter", "constant") else {}))
    elif kind == 1 and nodes:
        removed.append(g.remove_node(nodes[pick(len(nodes))]))
    elif kind == 2 and removed:  # an undo of a delete: the box back in its place, then its arrows
        rec, edges, _ = removed.pop()
        if rec.id not in g:
            g.add_record(rec, at=pick(len(nodes) + 1))
            for e in edges:
                try:
                    g.connect(e.src, e.dst, e.port, e.out)
                except GraphError:
                    pass
    elif kind == 3 and nodes:
        src, dst = nodes[pick(len(nodes))], nodes[pick(len(nodes))]
        try:
            if g.n_inputs(dst):
                g.connect(src, dst, pick(g.n_inputs(dst)), pick(g.n_outputs(src)), replace=True)
        except GraphError:  # a cycle, a port out of range: refused, nothing changed
            pass
    elif kind == 4 and g.edges():
        e = g.edges()[pick(len(g.edges()))]
        g.disconnect(e.dst, e.port)
    elif kind == 5:
        sources = [n for n in nodes if g.op(n) in F.SOURCE_OPS]
        if sources:
            g.set_value(sources[pick(len(sources))], (pick(9) - 4) / 2)
    elif kind == 6:
        with g.batch():  # a paste, a multi-delete: one reset listing what it touched
            for _ in range(3):
                edit(g, pick, removed)
    elif kind == 7 and nodes:
        g.set_label(nodes[pick(len(nodes))], "renamed")
    elif kind == 8:  # softmax/cross_entropy k: ports and outputs come and go (slots given anew)
        shaped = [n for n in nodes if g.op(n) in ("softmax", "cross_entropy", "leaky_relu", "pow")]
        if shaped:
            n = shaped[pick(len(shaped))]
            key, value = {"leaky_relu": ("slope", 0.2), "pow": ("exponent", 3.0)}.get(g.op(n), ("k", 2 + pick(3)))
            try:
                g.set_attr(n, key, value)
            except GraphError:  # an arrow into a port that would go: refused
                pass


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), size=st.sampled_from([25, 60, 120]), data=st.data())
def test_patched_plans_and_carried_runs_equal_fresh_ones(seed, size, data):
    g, table = random_graph(size, seed, with_data=True, m=3)
    w = Window(g, table)  # asserts, after each evaluation, plan and numbers equal a fresh compile's
    removed = []
    for _ in range(12):
        edit(g, lambda n: data.draw(st.integers(0, max(n - 1, 0))), removed)
        w.evaluate()
    assert w.patched  # (the edits were followed by patching, not only compiles)


def test_an_undo_after_the_cost_was_cut_off():
    """A delete upstream of J leaves J incomplete (no gradients); its undo takes the last
    gradients back: the same bits as a fresh backprop."""
    g, table = random_graph(150, 7, with_data=True, m=4)
    w = Window(g, table)
    victim = g.nodes()[len(g) // 2]
    at = g.nodes().index(victim)
    rec, edges, _ = g.remove_node(victim)
    assert w.evaluate()[0] == "ok" and w.ev.grads is None
    g.add_record(rec, at=at)
    for e in edges:
        g.connect(e.src, e.dst, e.port, e.out)
    w.evaluate()
    assert w.ev.grads is not None and w.patched == 2 and w.carried == 2  # (the first run has nothing to carry)
