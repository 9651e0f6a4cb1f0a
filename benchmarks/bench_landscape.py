"""The loss landscape (#14): a 41 × 41 grid at m = 100 on the xor network, batched by tiling the
data (graphcore.landscape.grid_costs) against one Plan.run per grid point, side by side as a ratio;
the chunk size; and the race of the five optimizers over the lesson's 500 epochs.
Run: python benchmarks/bench_landscape.py"""
import numpy as np

from benchmarks.timing import interleaved, once

from graphcore import fileformat, landscape, lessons
from graphcore.engine import compile_graph
from graphcore.race import Race
from graphcore.training import Trainer

g = fileformat.load(lessons.path_of("xor_network"))
data = landscape.training_data(g)
plan = compile_graph(g)
ids = plan.param_ids
m = len(next(iter(data.values())))
N = landscape.RESOLUTION
base = np.array([g.value(p) for p in ids])
a, b = np.meshgrid(np.linspace(-1.5, 1.5, N), np.linspace(-1.5, 1.5, N))
thetas = np.tile(base, (N * N, 1))
thetas[:, 0] += a.ravel()
thetas[:, 2] += b.ravel()


def one_run_per_point():
    return np.array([plan.run(data, th, backward=False).cost for th in thetas])


assert np.max(np.abs(landscape.grid_costs(plan, data, thetas) - one_run_per_point())) <= 1e-12
t = interleaved({"batched": lambda: landscape.grid_costs(plan, data, thetas), "per point": one_run_per_point},
                5, warmup=1)
print(f"{N} × {N} grid ({N * N} points), m = {m}, xor network ({len(g)} boxes, {len(ids)} parameters), "
      f"median of 5 interleaved rounds:")
print("| evaluation | seconds | per point (µs) |\n|---|---:|---:|")
for name, s in t.items():
    print(f"| {name} | {s:.3f} | {s / (N * N) * 1e6:.0f} |")
print(f"ratio one-run-per-point / batched: {t['per point'] / t['batched']:.2f}×")

chunks = {str(c): (lambda c=c: landscape.grid_costs(plan, data, thetas, c)) for c in (1024, 4096, 16384, 65536)}
tc = interleaved(chunks, 3, warmup=1)
print("chunk (samples × points per run) → seconds: " + ", ".join(f"{c}: {s:.3f}" for c, s in tc.items()))

ids_pair = (ids[0], ids[2])
tr = Trainer(g)
start = tr.params.copy()
tr.train()
traj = np.vstack([start, tr.history.params])
first, ls = once(lambda: landscape.path_grid(g, traj, data=data))  # every parameter varies: a new kernel shape
on_path = [ls.point(i, j) for i in range(N) for j in range(N)]  # the same plane, one run per point
tp = interleaved({"parameter_grid": lambda: landscape.parameter_grid(g, *ids_pair, span=1.5, data=data),
                  "path_grid": lambda: landscape.path_grid(g, traj, data=data),
                  "path plane, per point": lambda: [plan.run(data, th, backward=False).cost for th in on_path]},
                 5, warmup=1)
print(f"parameter_grid({ids_pair[0]}, {ids_pair[1]}): {tp['parameter_grid']:.3f} s; path_grid over the lesson's "
      f"{len(traj) - 1} epochs (PC1 {100 * ls.explained[0]:.0f} %, PC2 {100 * ls.explained[1]:.0f} % of the "
      f"path's variance): {tp['path_grid']:.3f} s ({first:.3f} s the first time, compiling the kernel for "
      f"per-column parameters); the path plane one run per point: {tp['path plane, per point']:.3f} s "
      f"(ratio {tp['path plane, per point'] / tp['path_grid']:.2f}×)")

s3, race = once(lambda: Race(g, ["sgd", "momentum", "adagrad", "rmsprop", "adam"],
                             [0.1, 0.1, 0.1, 0.01, 0.01]).run())
print(f"race of 5 optimizers × {race.epochs} epochs: {s3:.2f} s; epochs to the goal: "
      + ", ".join(f"{r.optimizer} {r.goal_epoch if r.goal_epoch else '—'}" for r in race.racers))
