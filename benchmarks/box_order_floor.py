"""How fast the epoch could be while every number stayed the boxes' own (issue #18, §12; the
engine has since taken BLAS's order instead, to 1e-12 — this floor is kept for the record):

    OPENBLAS_NUM_THREADS=1 python benchmarks/box_order_floor.py

The networks of bench_fused_epoch.py written by hand in numpy in the order the scalar boxes
add (no BLAS: every product wⱼᵢ·xᵢ rounded on its own, the add tree one level at a time,
each weight's gradient numpy's pairwise sum over the samples) — the array operations the
fused kernel ran before #18's matmuls, with none of the engine around them (no kernel wrapper, no Trainer, no
history). Timed side by side with the Trainer's fused epoch and the hand-written matrix step
(benchmarks/matrix_baselines.py): the distance from the fused epoch to this floor is the
engine's overhead; the distance from the floor to the matrix step is what a BLAS matmul's
other summation order buys.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_fused_epoch import LR, NETWORKS, network  # noqa: E402
from benchmarks.matrix_baselines import NumpyMatrixMLP  # noqa: E402
from benchmarks.timing import interleaved, load_average  # noqa: E402
from graphcore import datasets  # noqa: E402
from graphcore.training import Trainer  # noqa: E402


def _tree(P: np.ndarray) -> np.ndarray:
    """Σ over P's middle axis as a balanced tree, one add per level (the rows' pairs)."""
    while P.shape[1] > 1:
        half = P.shape[1] // 2
        S = P[:, 0:2 * half:2] + P[:, 1:2 * half:2]
        P = S if P.shape[1] % 2 == 0 else np.concatenate((S, P[:, -1:]), axis=1)
    return P[:, 0]


class NumpyBoxOrderMLP:
    """2 → H relu → 1 sigmoid + bce, or → K softmax + cross-entropy, in the boxes' order."""

    def __init__(self, data: dict, hidden: int, classes: int | None, lr: float, seed: int = 0):
        rng = np.random.default_rng(seed)
        k = classes or 1
        self.x0, self.x1 = (np.asarray(data[c], dtype=float) for c in ("x1", "x2"))
        self.y = np.asarray(data["y"], dtype=float)
        m = len(self.y)
        if classes:
            yi = self.y.astype(np.int64)
            self.flat, self.onehot = yi * m + np.arange(m), (yi == np.arange(k)[:, None]).astype(float)
        self.W1, self.b1 = rng.normal(0, 0.7, (hidden, 2)), np.zeros((hidden, 1))
        self.W2, self.b2 = rng.normal(0, 1 / np.sqrt(hidden), (k, hidden)), np.zeros((k, 1))
        self.classes, self.lr = classes, lr

    def step(self) -> float:
        x0, x1, m, W1, W2 = self.x0, self.x1, len(self.y), self.W1, self.W2
        Z1 = W1[:, 0, None] * x0
        Z1 += W1[:, 1, None] * x1
        Z1 += self.b1
        H = np.maximum(Z1, 0.0)
        Z2 = _tree(W2[:, :, None] * H[None]) + self.b2
        if self.classes is None:
            e = np.exp(-np.abs(Z2))
            p = np.where(Z2 >= 0, 1.0, e) / (e + 1.0)
            y = self.y
            loss = (y - 1.0) * np.maximum(np.log1p(-p[0]), -100.0) - y * np.maximum(np.log(p[0]), -100.0)
            dZ2 = (p - y) * (1.0 / m)
        else:
            zm = Z2.max(axis=0)
            E = np.exp(Z2 - zm)
            tot = E.sum(axis=0)
            loss = zm + np.log(tot) - np.take(Z2, self.flat)
            dZ2 = (E / tot - self.onehot) * (1.0 / m)
        cost = float(np.add.reduce(loss)) / m
        gW2, gb2 = np.add.reduce(dZ2[:, None, :] * H[None], axis=2), np.add.reduce(dZ2, axis=1)
        dH = W2[-1, :, None] * dZ2[-1]
        for j in range(len(W2) - 2, -1, -1):
            dH += W2[j, :, None] * dZ2[j]
        dZ1 = dH * (Z1 > 0)
        gW1 = np.stack((np.add.reduce(dZ1 * x0, axis=1), np.add.reduce(dZ1 * x1, axis=1)), axis=1)
        gb1 = np.add.reduce(dZ1, axis=1)
        for p_, g in ((W1, gW1), (self.b1[:, 0], gb1), (W2, gW2), (self.b2[:, 0], gb2)):
            p_ -= self.lr * g
        return cost


def main():
    rows = []
    for name, (hidden, classes, gen) in NETWORKS.items():
        for m in (100, 1000, 10000):
            g = network(hidden, classes, gen, m)
            ds = datasets.for_graph(g)
            data = ds.train()
            contenders = {"fused": Trainer(g, ds, track=(), stop_on_divergence=False).run_epoch,
                          "box order": NumpyBoxOrderMLP(data, hidden, classes, LR).step,
                          "matrices": NumpyMatrixMLP(data, hidden, classes, LR).step}
            med = interleaved(contenders, rounds=300, budget_s=8, clock=time.process_time)
            rows.append(f"| {name} | {m:,} | {med['fused'] * 1e6:,.0f} | {med['box order'] * 1e6:,.0f} | "
                        f"{med['matrices'] * 1e6:,.0f} | {med['fused'] / med['matrices']:.2f} | "
                        f"{med['box order'] / med['matrices']:.2f} |")
            print(rows[-1], flush=True)
    print(f"\nload average after: {load_average()}")


if __name__ == "__main__":
    main()
