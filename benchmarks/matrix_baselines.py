"""The two networks of the epoch benchmark (bench_fused_epoch.py) as a person writes them with
matrices: hand-written numpy (plain formulas, X stored once as a 2 × m array) and PyTorch eager
with ``nn.Linear`` (float64, one thread, torch.optim.SGD). Full-batch SGD, one step per call."""
from __future__ import annotations

import numpy as np

try:
    import torch
except ImportError:  # an optional baseline: the benchmark notes it and goes on
    torch = None


class NumpyMatrixMLP:
    """2 → H relu → 1 sigmoid with bce (``classes`` None), or 2 → H relu → K with softmax and
    cross-entropy (``classes`` = K)."""

    def __init__(self, data: dict, hidden: int, classes: int | None, lr: float, seed: int = 0):
        rng = np.random.default_rng(seed)
        k = classes or 1
        self.X = np.stack([data["x1"], data["x2"]])
        self.y = np.asarray(data["y"], dtype=float)
        self.cls = self.y.astype(np.int64) if classes else None
        self.W1, self.b1 = rng.normal(0, 0.7, (hidden, 2)), np.zeros(hidden)
        self.W2, self.b2 = rng.normal(0, 1 / np.sqrt(hidden), (k, hidden)), np.zeros(k)
        self.lr = lr

    def step(self) -> float:
        X, y, m = self.X, self.y, self.X.shape[1]
        Z1 = self.W1 @ X + self.b1[:, None]
        H = np.maximum(Z1, 0.0)
        Z2 = self.W2 @ H + self.b2[:, None]
        if self.cls is None:
            p = 1.0 / (1.0 + np.exp(-Z2[0]))
            cost = -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
            dZ2 = ((p - y) / m)[None, :]
        else:
            E = np.exp(Z2 - Z2.max(axis=0))
            S = E / E.sum(axis=0)
            cols = np.arange(m)
            cost = -np.mean(np.log(S[self.cls, cols]))
            S[self.cls, cols] -= 1.0
            dZ2 = S / m
        gW2, gb2 = dZ2 @ H.T, dZ2.sum(axis=1)
        dZ1 = (self.W2.T @ dZ2) * (Z1 > 0)
        gW1, gb1 = dZ1 @ X.T, dZ1.sum(axis=1)
        for p_, g in ((self.W1, gW1), (self.b1, gb1), (self.W2, gW2), (self.b2, gb2)):
            p_ -= self.lr * g
        return float(cost)


class TorchLinearMLP:
    """The same network in PyTorch eager: nn.Linear layers in float64 on one thread."""

    def __init__(self, data: dict, hidden: int, classes: int | None, lr: float, seed: int = 0):
        if torch is None:
            raise ImportError("torch is not installed")
        torch.set_num_threads(1)
        torch.manual_seed(seed)
        nn = torch.nn
        self.model = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, classes or 1)).double()
        self.X = torch.tensor(np.stack([data["x1"], data["x2"]], axis=1), dtype=torch.float64)
        y = np.asarray(data["y"])
        self.y = torch.tensor(y, dtype=torch.long if classes else torch.float64)
        self.classes = classes
        self.opt = torch.optim.SGD(self.model.parameters(), lr=lr)

    def step(self) -> float:
        F = torch.nn.functional
        self.opt.zero_grad(set_to_none=True)
        out = self.model(self.X)
        if self.classes:
            loss = F.cross_entropy(out, self.y)
        else:
            loss = F.binary_cross_entropy(torch.sigmoid(out[:, 0]), self.y)
        loss.backward()
        self.opt.step()
        return float(loss.detach())
