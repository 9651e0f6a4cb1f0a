"""What the window's Document does after each edit, headless: the plan patched from the last
one (replan.py) and the values carried over (incremental.rerun), checked against a fresh
compile and a full run of the reference loop — bit for bit."""
from __future__ import annotations

import numpy as np

from graphcore import engine, incremental, replan
from graphcore.errors import GraphError


def plan_shape(plan) -> dict:
    """Everything a plan says, by Variable key rather than slot number."""
    k = plan.keys
    assert len(set(k)) == len(k) and all(plan.slot_of[key] == s for s, key in enumerate(k))
    assert all(key.split(":")[0] == o for key, o in zip(k, plan.owner))
    return {
        "keys": sorted(k),
        "steps": [(s.node, s.op, [k[i] for i in s.ins], [k[o] for o in s.outs], s.on_loss_path) for s in plan.steps],
        # a parameter's value is read from the graph when fed (a value typed keeps the plan)
        "sources": [(s.node, s.op, k[s.slot], s.column, s.value if s.op == "input" else None) for s in plan.sources],
        "ignored": plan.ignored, "incomplete": plan.incomplete, "unwired": plan.unwired,
        "loss": None if plan.loss_slot is None else k[plan.loss_slot],
        "outputs": [k[s] for s in plan.output_slots], "params": plan.param_ids,
        "param_slots": [k[s] for s in plan.param_slots], "labels": plan.label_feeds,
        "path": plan.loss_path_boxes,
    }


def bits(x):
    return None if x is None else (np.asarray(x).dtype.str, np.shape(x), np.asarray(x).tobytes())


def by_key(plan, lst):
    return None if lst is None else {key: bits(v) for key, v in zip(plan.keys, lst)}


def outcome(run):
    """An evaluation by key, or the error it raised (message and boxes)."""
    try:
        ev = run()
    except GraphError as exc:
        return ("error", type(exc).__name__, str(exc), list(exc.nodes))
    return ("ok", ev.cost, ev.m, by_key(ev.plan, ev.values), by_key(ev.plan, ev.grads))


class Window:
    """Follows a graph as the Document does; ``evaluate()`` checks each step against a full one."""

    def __init__(self, graph, data):
        self.graph, self.data = graph, data
        self.log = incremental.ChangeLog()
        graph.subscribe(self.log.note)
        self.plan = self.ev = None
        self.patched = self.carried = 0
        self.evaluate()

    def evaluate(self):
        g = self.graph
        changed = self.log.take()
        faults = sum(v for k, v in replan.GAVE_UP.items() if k.startswith("unexpected"))
        try:
            plan = incremental.plan_after(g, self.plan, self.log.touched, self.log.added)
        except GraphError:
            self.log.forget()
            raise
        # patching never fails by a fault of its own (it would fall back to a compile unseen)
        assert sum(v for k, v in replan.GAVE_UP.items() if k.startswith("unexpected")) == faults, replan.GAVE_UP
        self.patched += plan.patch is not None
        fresh = engine.Plan(g, partial=True)
        a, b = plan_shape(plan), plan_shape(fresh)
        assert a == b, [(k, a[k], b[k]) for k in a if a[k] != b[k]][:2]
        self.plan = plan
        ev = incremental.rerun(plan, self.ev, changed, self.data)
        self.carried += ev is not None
        got = outcome(lambda: ev if ev is not None else plan.run(self.data, fast=False))
        want = outcome(lambda: fresh.run(self.data, fast=False))
        assert got == want
        self.ev = ev if ev is not None else (plan.run(self.data, fast=False) if got[0] == "ok" else None)
        return got
