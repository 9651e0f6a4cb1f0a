"""micrograd (PyPI ``micrograd``): the per-sample scalar autodiff engine of the course's anchor,
on the same 2→10→1 shape. micrograd has no sigmoid or log, so the loss is its demo's:
a linear output and the hinge loss max(0, 1 − y·score) with y ∈ {−1, 1}, averaged over
the samples. One epoch = one full-batch step: build the graph sample by sample, backward,
update."""
from __future__ import annotations

try:
    from micrograd.nn import MLP
except ImportError:
    MLP = None


class MicrogradMLP:
    def __init__(self, seed: int = 0):
        if MLP is None:
            raise ImportError("micrograd is not installed (pip install micrograd)")
        import random
        random.seed(seed)
        self.model = MLP(2, [10, 1])  # relu hidden layer, linear output

    def epoch(self, x1, x2, y, lr: float) -> float:
        model = self.model
        m = len(y)
        losses = []
        for i in range(m):  # micrograd's unit is one scalar of one sample
            score = model([float(x1[i]), float(x2[i])])
            yi = 1.0 if y[i] > 0.5 else -1.0
            losses.append((1 + -yi * score).relu())
        J = sum(losses) * (1.0 / m)
        model.zero_grad()
        J.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        return J.data
