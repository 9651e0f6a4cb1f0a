"""A full-batch Trainer's steps through graphcore/epoch_lane.py: the same numbers as Plan.run,
bit for bit, and Plan.run whenever anything is unusual; a fused run's arrays go with it."""
from __future__ import annotations

import gc
import weakref

import numpy as np

from graphcore import builder, datasets, engine, epoch_lane
from graphcore.training import Trainer


def network(classes=None, m=200):
    return builder.mlp(["x1", "x2"], [6], "relu", "cross_entropy" if classes else "bce", classes=classes or 3,
                       dataset={"generator": "spiral3" if classes else "xor", "n": m, "seed": 0, "noise": 0.0,
                                "test_fraction": 0.0},
                       training={"optimizer": "adam", "lr": 0.05, "epochs": 1, "batch_size": None, "seed": 0})


def test_full_batch_steps_through_the_lane_give_plan_runs_numbers(monkeypatch):
    for classes in (None, 3):
        lane_run = Trainer(network(classes), track=(), stop_on_divergence=False)
        lane_run.train(15)
        lane = lane_run.lanes.lane
        assert lane is not None and lane.kernel is not None  # the lane ran the fused kernel
        with monkeypatch.context() as mp:
            mp.setattr(epoch_lane.Lanes, "ready", lambda *a: None)
            plain = Trainer(network(classes), track=(), stop_on_divergence=False)
            plain.train(15)
        assert plain.lanes.lane is None
        np.testing.assert_array_equal(lane_run.params, plain.params)
        np.testing.assert_array_equal(lane_run.history.cost, plain.history.cost)
        np.testing.assert_array_equal(lane_run.history.grads, plain.history.grads)


def test_the_lane_steps_aside_when_the_table_or_the_switch_changes():
    g = network()
    plan = engine.compile_graph(g)
    data = datasets.for_graph(g).train()
    theta = np.array([g.value(p) for p in plan.param_ids])
    lanes = epoch_lane.Lanes()
    assert lanes.step(plan, data, theta) is None  # no fast path made yet: Plan.run first
    ref = plan.run(data, theta, grads="params")
    ev = lanes.step(plan, data, theta)
    assert ev is not None and ev.cost == ref.cost
    np.testing.assert_array_equal(ev.param_grads, ref.param_grads)
    bad = dict(data, y=np.where(np.arange(len(data["y"])) == 3, 7.0, data["y"]))  # a label bce cannot take
    assert lanes.step(plan, bad, theta) is None
    plan.fuse = False
    assert lanes.step(plan, data, theta) is None


def test_a_fused_runs_arrays_go_when_it_does():
    g = network()
    plan = engine.compile_graph(g)
    data = datasets.for_graph(g).train()
    plan.run(data)
    was = gc.isenabled()
    gc.disable()  # freed by reference counting alone: no cycle between the lists and their filler
    try:
        ev = plan.run(data)
        assert ev.fused_param_grads is not None  # the fused kernel ran
        z = weakref.ref(ev.values._fill.__self__.mats[("Z", 0)])
        del ev
        assert z() is None
    finally:
        if was:
            gc.enable()
