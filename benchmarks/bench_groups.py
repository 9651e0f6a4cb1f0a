"""Groups: what they cost. Loading a 1,000-box graph with and without 10 groups (as a ratio),
every group's local Jacobian, and the group-level step-through against the box-level one.
Run: python benchmarks/bench_groups.py"""
from benchmarks.timing import interleaved

from graphcore import datasets, fileformat, group_steps, stepthrough
from graphcore.builder import mlp
from graphcore.engine import compile_graph
from graphcore.groups import groups_of
from graphcore.jacobian import all_jacobians
from graphcore.randgraph import random_graph

g, _ = random_graph(1000, 0)
plain = fileformat.dumps(g)
order = g.topological_order()
for i in range(10):
    groups_of(g).add(f"part {i}", order[i * 100:(i + 1) * 100])
grouped = fileformat.dumps(g)
t = interleaved({"plain": lambda: fileformat.loads(plain), "grouped": lambda: fileformat.loads(grouped)}, 7)
print(f"load, 1,000 boxes: {t['plain'] * 1e3:.0f} ms without groups, {t['grouped'] * 1e3:.0f} ms with 10 "
      f"(ratio {t['grouped'] / t['plain']:.2f})")

print("| network | boxes | groups | all Jacobians (ms) | box steps | group steps | build box / group (ms) |")
print("|---|---:|---:|---:|---:|---:|---:|")
XOR = {"generator": "xor", "n": 100, "seed": 0}
for name, net in (("xor 2→10→1", mlp(["x1", "x2"], [10], "relu", "bce", groups=True, dataset=XOR)),
                  ("spiral3 2→16→3", mlp(["x1", "x2"], [16], "relu", "cross_entropy", classes=3, groups=True,
                                         dataset={"generator": "spiral3", "n": 150, "seed": 0})),
                  ("2→32→32→1", mlp(["x1", "x2"], [32, 32], "relu", "bce", groups=True, dataset=XOR))):
    data = datasets.for_graph(net).train()
    ev = compile_graph(net).run(data)
    box_seq, group_seq = stepthrough.build(net, data), group_steps.build(net, data)
    t = interleaved({"jac": lambda ev=ev: all_jacobians(ev),
                     "box": lambda net=net, data=data: stepthrough.build(net, data),
                     "group": lambda net=net, data=data: group_steps.build(net, data)}, 3, warmup=1)
    print(f"| {name} | {len(net)} | {len(groups_of(net))} | {t['jac'] * 1e3:.0f} | {len(box_seq)} | "
          f"{len(group_seq)} | {t['box'] * 1e3:.0f} / {t['group'] * 1e3:.0f} |")
