"""The 2→10→1 network's training step as a person would write it in numpy for scalar weights:
one array of m samples per scalar Variable, a loop over the hidden units (never over samples),
no checks, no dictionaries. The strictest baseline: what the engine's graph costs at best."""
from __future__ import annotations

import numpy as np


def sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class HandwrittenMLP:
    """theta in the order of ``benchmarks.networks.scalar_mlp``: per hidden unit w_j0, w_j1, b_j;
    then w2_0..w2_{H-1}, b2."""

    def __init__(self, theta: np.ndarray, n_hidden: int = 10):
        self.theta = np.array(theta, dtype=float)
        self.h = n_hidden

    def step(self, x1, x2, y, lr: float) -> float:
        t, H, m = self.theta, self.h, len(y)
        zs, hs = [], []
        for j in range(H):
            z = x1 * t[3 * j] + x2 * t[3 * j + 1] + t[3 * j + 2]
            zs.append(z)
            hs.append(np.maximum(z, 0.0))
        w2 = t[3 * H:4 * H]
        s = hs[0] * w2[0]
        for j in range(1, H):
            s = s + hs[j] * w2[j]
        z2 = s + t[4 * H]
        p = sigmoid(z2)
        L = -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
        cost = float(np.mean(L))
        dL = np.full(m, 1.0 / m)
        dp = (p - y) / (p * (1.0 - p)) * dL
        dz2 = p * (1.0 - p) * dp
        g = np.empty_like(t)
        g[4 * H] = dz2.sum()
        for j in range(H):
            g[3 * H + j] = (hs[j] * dz2).sum()
            dz = (zs[j] > 0) * (w2[j] * dz2)
            g[3 * j] = (x1 * dz).sum()
            g[3 * j + 1] = (x2 * dz).sum()
            g[3 * j + 2] = dz.sum()
        self.theta -= lr * g
        return cost
