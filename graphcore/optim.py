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


# --- the update rules ----------------------------------------------------------------------
# One pair of plain functions per rule: ``*_state(n, hp)`` makes the running state (a dict),
# ``*_update(theta, g, state, t, hp)`` takes step t (from 1) in place, g already weight-decayed.
# The Optimizer class below calls them, and the numpy export copies their source into its
# script (inspect.getsource), so the app and the script apply the very same lines. They may
# use only numpy (np) and math.
def weight_decayed(g, theta, hp):
    """g + λθ: torch adds the weight decay to the gradient before the rule."""
    wd = hp.get("weight_decay", 0.0)
    return g + wd * theta if wd != 0 else g


def sgd_state(n, hp):
    return {"buf": None}  # the momentum buffer, made on the first step as a copy of g


def sgd_update(theta, g, state, t, hp):
    """SGD (torch.optim.SGD): θ ← θ − lr·g, with momentum b ← μb + (1−τ)g when μ ≠ 0."""
    mu, tau = hp["momentum"], hp["dampening"]
    if mu != 0:
        if state["buf"] is None:
            state["buf"] = g.copy()
        else:
            state["buf"] = mu * state["buf"] + (1 - tau) * g
        g = g + mu * state["buf"] if hp["nesterov"] else state["buf"]
    theta -= hp["lr"] * g


def adagrad_state(n, hp):
    return {"sum": np.full(n, float(hp["initial_accumulator_value"]))}


def adagrad_update(theta, g, state, t, hp):
    """Adagrad (torch.optim.Adagrad): G ← G + g²;  θ ← θ − clr·g / (√G + ε)."""
    clr = hp["lr"] / (1 + (t - 1) * hp["lr_decay"])
    state["sum"] += g * g
    theta -= clr * (g / (np.sqrt(state["sum"]) + hp["eps"]))


def rmsprop_state(n, hp):
    return {"square_avg": np.zeros(n), "grad_avg": np.zeros(n), "buf": np.zeros(n)}


def rmsprop_update(theta, g, state, t, hp):
    """RMSprop (torch.optim.RMSprop): v ← αv + (1−α)g²;  θ ← θ − lr·g / (√v + ε)."""
    alpha, eps = hp["alpha"], hp["eps"]
    state["square_avg"] = alpha * state["square_avg"] + (1 - alpha) * g * g
    if hp["centered"]:
        state["grad_avg"] = state["grad_avg"] + (1 - alpha) * (g - state["grad_avg"])  # torch's lerp
        avg = np.sqrt(state["square_avg"] - state["grad_avg"] * state["grad_avg"]) + eps
    else:
        avg = np.sqrt(state["square_avg"]) + eps
    if hp["momentum"] > 0:
        state["buf"] = hp["momentum"] * state["buf"] + g / avg
        theta -= hp["lr"] * state["buf"]
    else:
        theta -= hp["lr"] * (g / avg)


def adam_state(n, hp):
    return {"m": np.zeros(n), "v": np.zeros(n)}


def adam_update(theta, g, state, t, hp):
    """Adam (torch.optim.Adam): m ← m + (1−β₁)(g − m);  v ← β₂v + (1−β₂)g²;
    θ ← θ − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)."""
    b1, b2 = hp["betas"]
    state["m"] = state["m"] + (1 - b1) * (g - state["m"])  # torch's exp_avg.lerp_(grad, 1 − β₁)
    state["v"] = b2 * state["v"] + (1 - b2) * g * g
    step_size = hp["lr"] / (1 - b1 ** t)
    denom = np.sqrt(state["v"]) / math.sqrt(1 - b2 ** t) + hp["eps"]
    theta -= step_size * (state["m"] / denom)


# name -> (state maker, update rule); "momentum" is SGD with its own default μ
RULES = {"sgd": (sgd_state, sgd_update), "momentum": (sgd_state, sgd_update),
         "adagrad": (adagrad_state, adagrad_update), "rmsprop": (rmsprop_state, rmsprop_update),
         "adam": (adam_state, adam_update)}


_F64 = np.dtype(float)


class Optimizer:
    """``step(theta, grad)`` updates θ in place by the rule ``name``; ``t`` counts steps taken."""

    def __init__(self, name: str, n: int, **hp):
        self.name = name
        self.n = n
        self.hp = hp
        self._make_state, self._update = RULES[name]
        self.reset()

    def reset(self):
        """Forget the running state (buffers, step count), as a new torch optimizer would."""
        self.t = 0
        self.running = self._make_state(self.n, self.hp)

    def step(self, theta: np.ndarray, grad: np.ndarray) -> np.ndarray:
        self.t += 1
        hp = self.hp
        if self._update is sgd_update and type(grad) is np.ndarray and grad.dtype == _F64 \
                and not hp["momentum"] and not hp["weight_decay"]:
            theta -= hp["lr"] * grad  # sgd_update's one line when it has nothing else to do
            return theta
        g = weight_decayed(np.asarray(grad, dtype=float), theta, self.hp)
        self._update(theta, g, self.running, self.t, self.hp)
        return theta

    def state(self) -> dict:
        """The running state as plain lists (for a snapshot in the window)."""
        return {"t": self.t} | {k: None if v is None else v.tolist() for k, v in self.running.items()}


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
    return Optimizer(name, n, **settings(name, lr, options))
