"""Step-through cost: building a step sequence (one evaluation + the presentation) and one step's
canvas picture and panel text. Run: python benchmarks/bench_stepthrough.py"""
import time

from graphcore import datasets, fileformat, stepthrough
from graphcore.randgraph import random_graph
from gui.stepper.overlay_builder import overlay_at


def measure(name, graph, data=None, sample=None):
    t = time.perf_counter()
    seq = stepthrough.build(graph, data, sample)
    build = (time.perf_counter() - t) * 1e3
    edges = graph.edges()
    t = time.perf_counter()
    for i in range(len(seq)):
        overlay_at(seq, edges, i)
        seq.steps[i].text()
    per = (time.perf_counter() - t) * 1e3 / len(seq)
    print(f"| {name} | {len(graph.nodes())} | {len(seq)} | {build:.1f} | {per:.3f} |")


g = fileformat.load("assets/examples/logistic_regression.graph.json")
data = datasets.for_graph(g).train()
print("| graph | boxes | steps | build (ms) | per step: picture + text (ms) |")
print("|---|---:|---:|---:|---:|")
measure("logistic regression, sample 3", g, data, 3)
measure("logistic regression, batch of 100", g, data)
for n in (100, 1000, 5000):
    rg, rdata = random_graph(n, seed=1, with_data=True, m=20)
    measure("random graph, batch of 20", rg, rdata)
