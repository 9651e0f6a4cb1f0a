"""Optimizers (SPEC §5): SGD, SGD with momentum, Adagrad, RMSprop and Adam.

Each follows ``torch.optim``'s update rule and defaults line for line (torch 2.x,
``_single_tensor_*``), so that a graph trained here and the same model trained with
PyTorch in float64 end with the same parameters. All parameters of a graph are
scalars, so the optimizer works on one float64 vector θ and its gradient g = dJ/dθ.

    sgd       g ← g + λθ;  b ← g (first step) | μb + (1−τ)g;  g ← g + μb (nesterov) | b;  θ ← θ − lr·g
    momentum  sgd with μ = 0.9 unless told otherwise (the course's "gradient descent with momentum")
    adagrad   g ← g + λθ;  clr = lr / (1 + (t−1)·lr_decay);  G ← G + g²;  θ ← θ − clr·g / (√G + ε)
    rmsprop   g ← g + λθ;  v ← αv + (1−α)g²;  (centered: ḡ ← ḡ + (1−α)(g − ḡ), v̂ = v − ḡ²)
              d = √v̂ + ε;  momentum: b ← μb + g/d, θ ← θ − lr·b;  else θ ← θ − lr·g/d
    adam      g ← g + λθ;  m ← m + (1−β₁)(g − m);  v ← β₂v + (1−β₂)g²
              θ ← θ − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)

When a graph's ``training`` block gives no ``lr``, torch's default for that optimizer is used.
"""
from __future__ import annotations

import math

import numpy as np

from .errors import BadAttributeError

# torch.optim's defaults; "momentum" is SGD whose momentum defaults to 0.9 (SPEC §5).
DEFAULTS: dict[str, dict] = {
    "sgd": {"lr": 1e-3, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False},
    "momentum": {"lr": 1e-3, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False},
    "adagrad": {"lr": 1e-2, "lr_decay": 0.0, "weight_decay": 0.0, "initial_accumulator_value": 0.0, "eps": 1e-10},
    "rmsprop": {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0, "centered": False},
    "adam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0},
}
NAMES = tuple(DEFAULTS)
TITLES = {"sgd": "SGD", "momentum": "SGD with momentum", "adagrad": "Adagrad", "rmsprop": "RMSprop",
          "adam": "Adam"}


class OptimizerError(BadAttributeError):
    """An unknown optimizer or an option value torch would refuse."""


class Optimizer:
    """Base: ``step(theta, grad)`` updates θ in place. ``t`` counts steps taken."""

    name = "?"

    def __init__(self, n: int, **hp):
        self.n = n
        self.hp = hp
        self.t = 0
        self.reset()

    def reset(self):
        """Forget the running state (buffers, step count), as a new torch optimizer would."""
        self.t = 0

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        g = np.asarray(grad, dtype=float)
        wd = self.hp.get("weight_decay", 0.0)
        if wd != 0:
            g = g + wd * theta
        self._update(theta, g)
        return theta

    def _update(self, theta, g):  # pragma: no cover - every optimizer overrides it
        raise NotImplementedError

    def state(self) -> dict:
        """The running state as plain lists (for a snapshot in the window)."""
        return {"t": self.t}


class SGD(Optimizer):
    name = "sgd"

    def reset(self):
        super().reset()
        self.buf = None  # the momentum buffer, created on the first step as a copy of g

    def _update(self, theta, g):
        mu, tau = self.hp["momentum"], self.hp["dampening"]
        if mu != 0:
            if self.buf is None:
                self.buf = g.copy()
            else:
                self.buf = mu * self.buf + (1 - tau) * g
            g = g + mu * self.buf if self.hp["nesterov"] else self.buf
        theta -= self.hp["lr"] * g

    def state(self):
        return {"t": self.t, "momentum_buffer": None if self.buf is None else self.buf.tolist()}


class Adagrad(Optimizer):
    name = "adagrad"

    def reset(self):
        super().reset()
        self.sum = np.full(self.n, float(self.hp["initial_accumulator_value"]))

    def _update(self, theta, g):
        clr = self.hp["lr"] / (1 + (self.t - 1) * self.hp["lr_decay"])
        self.sum += g * g
        theta -= clr * (g / (np.sqrt(self.sum) + self.hp["eps"]))

    def state(self):
        return {"t": self.t, "sum": self.sum.tolist()}


class RMSprop(Optimizer):
    name = "rmsprop"

    def reset(self):
        super().reset()
        self.square_avg = np.zeros(self.n)
        self.grad_avg = np.zeros(self.n)
        self.buf = np.zeros(self.n)

    def _update(self, theta, g):
        alpha, eps = self.hp["alpha"], self.hp["eps"]
        self.square_avg = alpha * self.square_avg + (1 - alpha) * g * g
        if self.hp["centered"]:
            self.grad_avg = self.grad_avg + (1 - alpha) * (g - self.grad_avg)  # torch's lerp
            avg = np.sqrt(self.square_avg - self.grad_avg * self.grad_avg) + eps
        else:
            avg = np.sqrt(self.square_avg) + eps
        if self.hp["momentum"] > 0:
            self.buf = self.hp["momentum"] * self.buf + g / avg
            theta -= self.hp["lr"] * self.buf
        else:
            theta -= self.hp["lr"] * (g / avg)

    def state(self):
        return {"t": self.t, "square_avg": self.square_avg.tolist()}


class Adam(Optimizer):
    name = "adam"

    def reset(self):
        super().reset()
        self.m = np.zeros(self.n)
        self.v = np.zeros(self.n)

    def _update(self, theta, g):
        b1, b2 = self.hp["betas"]
        self.m = self.m + (1 - b1) * (g - self.m)  # torch's exp_avg.lerp_(grad, 1 − β₁)
        self.v = b2 * self.v + (1 - b2) * g * g
        step_size = self.hp["lr"] / (1 - b1 ** self.t)
        denom = np.sqrt(self.v) / math.sqrt(1 - b2 ** self.t) + self.hp["eps"]
        theta -= step_size * (self.m / denom)

    def state(self):
        return {"t": self.t, "exp_avg": self.m.tolist(), "exp_avg_sq": self.v.tolist()}


CLASSES = {"sgd": SGD, "momentum": SGD, "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam}


def settings(name: str, lr: float | None = None, options: dict | None = None) -> dict:
    """The full hyper-parameters for optimizer ``name``: torch's defaults, overridden by
    ``lr`` and by those ``options`` this optimizer takes (others are ignored, so one
    ``training`` block can keep options of several optimizers)."""
    if name not in DEFAULTS:
        raise OptimizerError(f"unknown optimizer '{name}' (one of {', '.join(NAMES)})")
    hp = dict(DEFAULTS[name])
    for key, value in (options or {}).items():
        if key in hp and value is not None:
            hp[key] = tuple(value) if key == "betas" else value
    if lr is not None:
        hp["lr"] = lr
    _check(name, hp)
    return hp


def _check(name: str, hp: dict):
    def number(key, lo=0.0, hi=None, hi_open=False):
        v = hp[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < lo \
                or (hi is not None and (v >= hi if hi_open else v > hi)):
            rng = f"≥ {lo:g}" if hi is None else f"in [{lo:g}, {hi:g}{')' if hi_open else ']'}"
            raise OptimizerError(f"{name}: '{key}' must be a number {rng}, not {v!r}")
        hp[key] = float(v)
    number("lr")
    if hp["lr"] <= 0:
        raise OptimizerError(f"{name}: the learning rate must be > 0, not {hp['lr']!r}")
    number("weight_decay")
    for key in ("dampening", "eps", "lr_decay", "initial_accumulator_value"):
        if key in hp:
            number(key)
    if "momentum" in hp:
        number("momentum")
    if "alpha" in hp:
        number("alpha", 0.0, 1.0)
    if "betas" in hp:
        b = hp["betas"]
        if len(b) != 2 or not all(isinstance(x, (int, float)) and 0 <= x < 1 for x in b):
            raise OptimizerError(f"{name}: 'betas' must be two numbers in [0, 1), not {list(b)!r}")
        hp["betas"] = (float(b[0]), float(b[1]))
    for key in ("nesterov", "centered"):
        if key in hp and not isinstance(hp[key], bool):
            raise OptimizerError(f"{name}: '{key}' must be true or false")
    if hp.get("nesterov") and (hp["momentum"] <= 0 or hp["dampening"] != 0):
        raise OptimizerError(f"{name}: nesterov needs momentum > 0 and dampening 0 (as in torch)")


def make(name: str, n: int, lr: float | None = None, options: dict | None = None) -> Optimizer:
    """A fresh optimizer for ``n`` scalar parameters."""
    hp = settings(name, lr, options)
    opt = CLASSES[name](n, **hp)
    opt.name = name
    return opt
