"""A training run's settings, resolved once, and the words for where a run stands.

``Settings.of(graph, **overrides)`` is the one place the graph's ``training`` block, the
caller's overrides (``graphcore train``'s flags, a race's optimizer) and torch's defaults
meet (SPEC §5): an override wins, else the block, else the default (``optim.DEFAULTS``;
100 epochs, full batch, seed 0). The block's optimizer options are used only when the
optimizer is the block's own. Every value is checked here, with the one-line messages the
learner sees. The Trainer, the window and the exported scripts all read the result.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from . import optim
from .errors import EvaluationError

DEFAULT_EPOCHS = 100
BLOCK_KEYS = ("optimizer", "lr", "epochs", "batch_size", "seed")  # the rest of a block: optimizer options


class Status(StrEnum):
    """Where a run stands. A str, so ``status == "done"`` and the ``--json`` output read as words."""

    READY = "ready"  # built or reset, no step taken since
    RUNNING = "running"
    PAUSED = "paused"  # carries on to its old target
    STOPPED = "stopped"  # ended early; a new run starts a new target
    DONE = "done"
    FAILED = "failed"  # a nan/inf, an evaluation error or a divergence: see Trainer.error


@dataclass(frozen=True)
class Settings:
    """How a graph trains. Build it with ``Settings.of``; ``hp`` is the optimizer's full
    set of hyper-parameters (torch's defaults with ``lr`` and ``options`` applied)."""

    optimizer: str
    lr: float
    options: dict  # the optimizer options the block or the caller gave (not the defaults)
    epochs: int
    batch_size: int | None  # None: the full batch
    seed: int  # of the batch shuffling
    hp: dict = field(repr=False, compare=False)

    @classmethod
    def of(cls, graph, *, optimizer=None, lr=None, epochs=None, batch_size=None, seed=None,
           options=None) -> Settings:
        """The graph's ``training`` block with these overrides; raises a one-line
        ``EvaluationError`` / ``OptimizerError`` for a value training cannot use."""
        block = dict(graph.meta.get("training") or {})
        block_opt = block.get("optimizer", "sgd")
        name = optimizer or block_opt
        opts = {k: v for k, v in block.items() if k not in BLOCK_KEYS} if name == block_opt else {}
        opts.update(options or {})
        lr = lr if lr is not None else block.get("lr")
        epochs = whole(epochs if epochs is not None else block.get("epochs", DEFAULT_EPOCHS), "epochs", 0)
        batch_size = batch_size if batch_size is not None else block.get("batch_size")
        if batch_size is not None:
            batch_size = whole(batch_size, "batch size", 1)
        seed = whole(seed if seed is not None else block.get("seed", 0), "seed", 0)
        hp = optim.settings(name, lr, opts)
        return cls(name, hp["lr"], opts, epochs, batch_size, seed, hp)

    def block(self) -> dict:
        """The ``training`` block these settings write (``graphcore train -o``, the window)."""
        d = {"optimizer": self.optimizer, "lr": self.lr, "epochs": self.epochs,
             "batch_size": self.batch_size, "seed": self.seed}
        d.update(self.options)
        return d

    def same_run(self, other: Settings) -> bool:
        """Whether ``other`` can carry on this run: the same optimizer and shuffling seed
        (a new optimizer or seed is a new run; lr, options, epochs and batch size are not)."""
        return (other.optimizer, other.seed) == (self.optimizer, self.seed)


def whole(v, what: str, lo: int) -> int:
    """``v`` as an int ≥ ``lo``, else the one-line error naming ``what``."""
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
        raise EvaluationError(f"training: {what} must be a whole number ≥ {lo}, not {v!r}")
    return int(v)
