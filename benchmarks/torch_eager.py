"""PyTorch eager autograd on the same box-by-box graph: every box one torch call on float64
tensors of m samples, every parameter a 0-d tensor; ``loss.backward()``, then the SGD update.

``all_grads=True`` asks torch for what the engine gives: dJ/dv for every Variable
(``retain_grad`` on every box's output, ``requires_grad`` on the data columns — except a
bce target, which torch cannot differentiate)."""
from __future__ import annotations

import numpy as np

try:
    import torch
except ImportError:  # an optional baseline: the suite notes it and goes on
    torch = None

_OPS = {
    "identity": lambda x: x, "neg": lambda x: -x, "inv": lambda x: 1.0 / x, "square": lambda x: x * x,
    "exp": lambda x: torch.exp(x), "log": lambda x: torch.log(x), "abs": lambda x: torch.abs(x),
    "sin": lambda x: torch.sin(x), "cos": lambda x: torch.cos(x), "tanh": lambda x: torch.tanh(x),
    "sigmoid": lambda x: torch.sigmoid(x), "relu": lambda x: torch.relu(x),
    "softplus": lambda x: torch.nn.functional.softplus(x),
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b, "div": lambda a, b: a / b,
    "squared_error": lambda a, b: (a - b) ** 2,
    "bce": lambda a, b: torch.nn.functional.binary_cross_entropy(a, b.expand_as(a), reduction="none"),
    "bce_logits": lambda z, b: torch.nn.functional.binary_cross_entropy_with_logits(z, b.expand_as(z),
                                                                                    reduction="none"),
    "mean": lambda x: x.mean(), "sum": lambda x: x.sum(),
}


class TorchEager:
    def __init__(self, plan, data: dict, theta: np.ndarray, all_grads: bool = False):
        if torch is None:
            raise ImportError("torch is not installed")
        missing = sorted({s.op for s in plan.steps} - set(_OPS))
        if missing:
            raise ValueError(f"no torch mapping for {missing}")
        self.plan = plan
        self.slots: list = [None] * len(plan.keys)
        self.params = []
        self.all_grads = all_grads
        targets = {s.ins[1] for s in plan.steps if s.op in ("bce", "bce_logits")}
        theta_of = dict(zip(plan.param_ids, theta, strict=True))
        for src in plan.sources:
            if src.op == "input":
                v = torch.tensor(np.asarray(data[src.column or src.node], dtype=float), dtype=torch.float64,
                                 requires_grad=all_grads and src.slot not in targets)
            elif src.op == "parameter":
                v = torch.tensor(float(theta_of[src.node]), dtype=torch.float64, requires_grad=True)
                self.params.append(v)
            else:
                v = torch.tensor(float(plan.graph.value(src.node)), dtype=torch.float64)
            self.slots[src.slot] = v
        self.steps = [(_OPS[s.op], s.ins, s.outs[0]) for s in plan.steps]

    def step(self, lr: float) -> float:
        vals = self.slots
        for fn, ins, out in self.steps:
            vals[out] = fn(*[vals[i] for i in ins])
            if self.all_grads:
                vals[out].retain_grad()
        loss = vals[self.plan.loss_slot]
        J = loss.mean() if loss.ndim else loss
        J.backward()
        with torch.no_grad():
            for p in self.params:
                p -= lr * p.grad
                p.grad = None
        if self.all_grads:
            for v in vals:
                if v is not None:
                    v.grad = None
        return float(J.detach())
