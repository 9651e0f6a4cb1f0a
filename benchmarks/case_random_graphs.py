"""Case 2: forward + backward of seeded random graphs (every Function of the catalogue) of
10 … 10,000 boxes at m = 100: compile time and step time, and how they grow with the size."""
from __future__ import annotations

import statistics
import time

from graphcore import engine, fastpath
from graphcore.randgraph import random_graph

from .timing import interleaved


def run(sizes=(10, 100, 1000, 10000), m: int = 100, seed: int = 0, budget_s: float = 20.0, log=print) -> dict:
    rows = {}
    for n in sizes:
        graph, data = random_graph(n, seed, with_data=True, m=m)
        t_plans, t_kernels = [], []
        for _ in range(3):  # compiling is one shot: the median of three keeps a burst of load out
            t0 = time.perf_counter()
            plan = engine.Plan(graph)  # compile_graph without its cache
            t_plans.append(time.perf_counter() - t0)
            fed, _ = fastpath.FastPlan(plan).feed(data, None)
            sig = tuple(bool(v.ndim) for v in fed)
            t0 = time.perf_counter()
            fastpath.build_kernel(plan, sig)
            t_kernels.append(time.perf_counter() - t0)
        t_plan, t_kernel = statistics.median(t_plans), statistics.median(t_kernels)

        def reference(plan=plan, data=data):
            fastpath.ENABLED = False
            try:
                plan.run(data)
            finally:
                fastpath.ENABLED = True
        rounds = max(5, min(200, 20000 // n))
        # Two blocks, not alternating rounds: at 10,000 boxes each run leaves ~40,000 arrays to
        # free, and the reference loop's garbage would be timed as the fast path's.
        med = interleaved({"fast": lambda plan=plan, data=data: plan.run(data)}, rounds=rounds, budget_s=budget_s)
        med |= interleaved({"reference": reference}, rounds=rounds, budget_s=budget_s)
        rows[n] = {"boxes": len(graph), "steps": len(plan.steps), "plan": t_plan, "kernel": t_kernel,
                   "step": med["fast"], "reference": med["reference"]}
        log(f"  case 2, {n} boxes: plan {t_plan * 1e3:.1f} ms + kernel {t_kernel * 1e3:.1f} ms, "
            f"step {med['fast'] * 1e3:.2f} ms (reference loop {med['reference'] * 1e3:.2f} ms)")
    return {"m": m, "seed": seed, "rows": rows}
