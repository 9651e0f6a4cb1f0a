"""Case 1: one training step (forward + backward + SGD update) of the 2→10→1 relu/sigmoid
network built from scalar boxes, at several m, against its baselines on the same data."""
from __future__ import annotations

import numpy as np

from graphcore import datasets, engine, fastpath
from graphcore.training import Trainer

from .handwritten_mlp import HandwrittenMLP
from .micrograd_mlp import MicrogradMLP
from .networks import scalar_mlp, xor_data
from .timing import interleaved
from .torch_eager import TorchEager

LR = 0.1
MICROGRAD_M = 100  # micrograd is timed on this many samples, then scaled linearly (it loops over samples)


def exported_script(graph, m: int):
    """The export issue's numpy script (graphcore.export.numpy_script), loaded as a module: its
    own forward, backward and optimizer_step, called as its training loop calls them."""
    try:
        from graphcore.export.numpy_script import to_numpy
    except ImportError:
        return None, "graphcore.export.numpy_script is not there yet"
    g = graph.copy()
    g.set_meta("dataset", {"generator": "xor", "n": m, "seed": 0, "noise": 0.0, "test_fraction": 0.0})
    g.set_meta("training", {"optimizer": "sgd", "lr": LR, "epochs": 1, "batch_size": None, "seed": 0})
    ns: dict = {"__name__": "exported_numpy_script"}
    exec(compile(to_numpy(g), "<exported numpy script>", "exec"), ns)  # noqa: S102 — our own export
    return ns, None


def run(ms=(100, 1000, 10000), rounds: int = 60, budget_s: float = 20.0, log=print) -> dict:
    graph = scalar_mlp()
    plan = engine.compile_graph(graph)
    n_boxes = len(plan.steps)
    theta0 = np.array([graph.value(p) for p in plan.param_ids])
    results = {"n_boxes": n_boxes, "n_nodes": len(graph.nodes()), "n_params": len(plan.param_ids), "rows": {},
               "notes": []}
    for m in ms:
        data = xor_data(m)
        contenders, state = {}, {}

        # our engine: Plan.run (the fast path) + the SGD update; parameter gradients only, and every dJ/dv
        state["params"] = theta0.copy()

        def params_step(data=data, state=state):
            ev = plan.run(data, state["params"], grads="params")
            state["params"] -= LR * ev.param_grads
        contenders['engine, params: Plan.run(grads="params") + SGD'] = params_step

        state["engine"] = theta0.copy()

        def engine_step(data=data, state=state):
            ev = plan.run(data, state["engine"])
            state["engine"] -= LR * ev.param_grads
        contenders["engine, every dJ/dv: Plan.run + SGD"] = engine_step

        trainer = Trainer(graph, datasets.generate("xor", m, 0, 0.0, 0.0), optimizer="sgd", lr=LR)
        contenders["engine: Trainer.step_batch"] = trainer.step_batch

        state["loop"] = theta0.copy()

        def loop_step(data=data, state=state):
            fastpath.ENABLED = False
            try:
                ev = plan.run(data, state["loop"])
            finally:
                fastpath.ENABLED = True
            state["loop"] -= LR * ev.param_grads
        contenders["reference loop (per-box checks)"] = loop_step

        ns, why = exported_script(graph, m)
        if ns is not None:
            script_theta = theta0.copy()
            opt_state = ns["new_state"](len(script_theta))

            def script_step(data=data, ns=ns, theta=script_theta, opt_state=opt_state):
                cost, values = ns["forward"](ns["as_params"](theta), data)
                grads = ns["backward"](values)
                g = np.array([float(grads[p]) if p in grads else 0.0 for p in ns["PARAM_IDS"]])
                ns["optimizer_step"](theta, g, opt_state)
            contenders["exported numpy script"] = script_step
        elif m == ms[0]:
            results["notes"].append(f"exported numpy script: skipped ({why})")

        hand = HandwrittenMLP(theta0)
        contenders["hand-written numpy"] = lambda data=data, hand=hand: hand.step(data["x1"], data["x2"], data["y"], LR)

        try:
            te = TorchEager(plan, data, theta0)
            contenders["PyTorch eager (float64)"] = lambda te=te: te.step(LR)
            te_all = TorchEager(plan, data, theta0, all_grads=True)
            contenders["PyTorch eager, dJ/dv for every Variable"] = lambda te=te_all: te.step(LR)
        except ImportError as exc:
            if m == ms[0]:
                results["notes"].append(f"PyTorch eager: skipped ({exc})")

        _check_same_start(plan, data, theta0, hand, ns, m, results, log)
        med = interleaved(contenders, rounds=rounds, budget_s=budget_s)
        for name, t in med.items():
            results["rows"].setdefault(name, {})[m] = t
        log(f"  case 1, m={m}: " + ", ".join(f"{k} {v * 1e3:.3f} ms" for k, v in med.items()))

    # micrograd: per sample, so timed on MICROGRAD_M samples and scaled to each m
    try:
        mg = MicrogradMLP()
        small = xor_data(MICROGRAD_M)
        t = interleaved({"mg": lambda: mg.epoch(small["x1"], small["x2"], small["y"], LR)}, rounds=5, warmup=1)["mg"]
        for m in ms:
            results["rows"].setdefault("micrograd, per sample (scaled)", {})[m] = t * m / MICROGRAD_M
        results["micrograd_measured"] = (MICROGRAD_M, t)
        log(f"  case 1, micrograd at m={MICROGRAD_M}: {t * 1e3:.1f} ms per epoch")
    except ImportError as exc:
        results["notes"].append(f"micrograd: skipped ({exc})")
    return results


def _check_same_start(plan, data, theta0, hand, ns, m, results, log):
    """The baselines compute the same cost J on the same data before any step (a sanity check)."""
    ev = plan.run(data, theta0)
    cost_hand = HandwrittenMLP(theta0).step(data["x1"], data["x2"], data["y"], 0.0)
    costs = {"hand-written": cost_hand}
    if ns is not None:
        costs["exported script"] = ns["forward"](ns["as_params"](theta0.copy()), data)[0]
    try:
        costs["torch"] = TorchEager(plan, data, theta0).step(0.0)
    except ImportError:
        pass
    for name, c in costs.items():
        if abs(c - ev.cost) > 1e-12 * max(1.0, abs(ev.cost)):
            results["notes"].append(f"m={m}: {name} cost {c!r} differs from the engine's {ev.cost!r}")
            log(f"  warning: {name} cost {c!r} != engine {ev.cost!r}")
