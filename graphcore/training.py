"""Training (SPEC §5): gradient descent on exactly the graph the learner drew.

A ``Trainer`` runs epochs of (mini-)batches over the compiled plan: each step is one
forward and backward pass (``Plan.run``) on a batch, then one optimizer step on the
parameters (``graphcore.optim``). It records what the window plots in a compact
``History`` and can be paused, resumed, stopped and stepped one batch at a time.

The batching rule (shared with the exported numpy and torch scripts, which must
reproduce these numbers; see docs/ARCHITECTURE.md):

* the training points are the data set's ``train()`` columns, in stored order;
* ``batch_size`` None, or ≥ the number of training points: one full-batch step per
  epoch, no shuffling;
* otherwise ``rng = numpy.random.default_rng(seed)`` is made once when training starts
  and each epoch steps on consecutive slices of ``rng.permutation(n_train)``.

A history entry's ``cost`` is the mean of its epoch's batch costs, each taken before
that batch's step; its ``accuracy`` is the share of training points classified
correctly in those same forward passes. Training never raises out of ``train()``:
a nan or inf (or any other evaluation error) sets ``status = "failed"`` and keeps the
error, whose ``nodes[0]`` names the box that went non-finite first; the parameters
stay at their last finite values.

Divergence (``stop_on_divergence``, on by default): a run can blow up without ever
going non-finite (bce clamps its logs at −100 like PyTorch, so a saturated sigmoid
costs a finite 100 per wrong sample). After each epoch, if the epoch's cost exceeds
``max(10 × c1, c1 + 10)``, c1 being the first epoch's cost, the run stops with status
"failed" and a ``DivergenceError``: its one line says how far the cost rose, in how
many epochs, at which learning rate, names the box that blew up first and suggests a
smaller learning rate. That box is the first in topological order whose largest
|value| on the training points grew more than 1000× from the start of training
(relative to max(its start, 1), so a box that starts at 0 must pass 1000): one
evaluation with the starting parameters, one with the current ones, made only when
the rule fires. If no box grew so, the loss box is named: its outputs saturated. The
parameters stay as they were after the last step.
"""
from __future__ import annotations

import math
import time

import numpy as np

from . import datasets, epoch_lane, labels, learner, optim
from .engine import compile_graph
from .errors import DivergenceError, EvaluationError, GraphError, NonFiniteError

DEFAULT_EPOCHS = 100
STATUSES = ("ready", "running", "paused", "stopped", "done", "failed")
_BLOCK_KEYS = ("optimizer", "lr", "epochs", "batch_size", "seed")
DIVERGE_FACTOR, DIVERGE_MARGIN = 10.0, 10.0  # the cost limit: max(10 × c1, c1 + 10)
BLOWUP_GROWTH = 1e3  # a box "blew up" when its largest |value| grew more than this many times


def trainable(plan) -> bool:
    """Whether the plan's cost J depends on a parameter box: else there is nothing to train."""
    return plan.has_loss and plan.param_dependent[plan.loss_slot]


# --- parameter initialisation -------------------------------------------------------------
def init_scales(graph) -> dict[str, float]:
    """The spread of each parameter's random start, by the role the graph gives it:

    * a weight (it feeds a ``mul`` box) gets 1/√fan_in, where fan_in counts the ``mul``
      boxes summed (through ``add``/``sub`` boxes) into the same pre-activation;
    * a bias (it feeds only ``add``/``sub`` boxes) starts at 0;
    * any other parameter gets 1.
    """
    scales = {}
    for p in graph.parameters():
        ops = {graph.op(e.dst) for e in graph.outputs_of(p)}
        if "mul" in ops:
            mul = next(e.dst for e in graph.outputs_of(p) if graph.op(e.dst) == "mul")
            scales[p] = 1.0 / math.sqrt(_fan_in(graph, mul))
        elif ops and ops <= {"add", "sub"}:
            scales[p] = 0.0
        else:
            scales[p] = 1.0
    return scales


def _fan_in(graph, mul: str) -> int:
    top = mul  # climb the chain of sums the product flows into
    while True:
        outs = graph.outputs_of(top)
        if len(outs) == 1 and graph.op(outs[0].dst) in ("add", "sub"):
            top = outs[0].dst
        else:
            break
    count, stack, seen = 0, [top], set()
    while stack:  # count the products feeding that sum
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if graph.op(node) == "mul":
            count += 1
        elif graph.op(node) in ("add", "sub"):
            stack.extend(e.src for e in graph.inputs_of(node) if e is not None)
    return max(count, 1)


def initial_values(graph, seed: int = 0) -> dict[str, float]:
    """Random starting values: ``default_rng(seed).standard_normal(P)``, one draw per
    parameter in graph order, times that parameter's ``init_scales`` spread."""
    scales = init_scales(graph)
    z = np.random.default_rng(seed).standard_normal(len(scales))
    return {p: float(zi * s) + 0.0 for zi, (p, s) in zip(z, scales.items(), strict=True)}


# --- the record of a run ---------------------------------------------------------------------
class History:
    """Per-epoch record of a run, in preallocated numpy arrays that grow by doubling.

    Scalars for every epoch: ``epochs``, ``cost``, ``accuracy``, ``test_cost``,
    ``test_accuracy``, ``time`` (seconds since the run started); nan where there is
    nothing to measure. Per-parameter and per-Variable rows (``params``: values after
    the epoch; ``grads``: the mean over the epoch's batches of dJ/dθ; ``box_grads``:
    each Variable's mean |dJ/dv| on the epoch's last batch, columns ``var_keys``, nan when
    the Trainer does not track them) are
    kept for every epoch up to ``max_rows`` and then thinned to every 2nd, 4th, ...
    epoch (``row_epochs`` says which), so a 10,000-epoch run keeps memory bounded.
    """

    SCALARS = ("cost", "accuracy", "test_cost", "test_accuracy", "time")

    def __init__(self, param_ids: list[str], var_keys: list[str], max_rows: int = 2048):
        self.param_ids = list(param_ids)
        self.var_keys = list(var_keys)
        self.max_rows = max_rows
        self.clear()

    def clear(self):
        cap = 64
        self._n = 0
        self._epoch = np.zeros(cap, dtype=np.int64)
        self._scalars = np.full((cap, len(self.SCALARS)), np.nan)
        self._rows = 0
        self._stride = 1
        rows = min(cap, self.max_rows)
        self._row_epoch = np.zeros(rows, dtype=np.int64)
        self._params = np.zeros((rows, len(self.param_ids)))
        self._grads = np.zeros((rows, len(self.param_ids)))
        self._box = np.zeros((rows, len(self.var_keys)))

    def __len__(self) -> int:
        return self._n

    def records(self, epoch: int) -> bool:
        """Whether ``append(epoch, ...)`` will keep a row (params, grads, box_grads) for it."""
        if epoch % self._stride:
            return False
        return self._rows < self.max_rows or epoch % (2 * self._stride) == 0

    def append(self, epoch: int, scalars: dict, params, grads, box_grads):
        if self._n == len(self._epoch):
            self._epoch = _grow(self._epoch)
            self._scalars = _grow(self._scalars, np.nan)
        self._epoch[self._n] = epoch
        self._scalars[self._n] = [np.nan if scalars.get(k) is None else scalars[k] for k in self.SCALARS]
        self._n += 1
        if epoch % self._stride:
            return
        if self._rows == self.max_rows:  # thin out: keep every other row, record half as often
            keep = np.flatnonzero(self._row_epoch[:self._rows] % (2 * self._stride) == 0)
            for a in (self._row_epoch, self._params, self._grads, self._box):
                a[:len(keep)] = a[keep]
            self._rows, self._stride = len(keep), 2 * self._stride
            if epoch % self._stride:
                return
        if self._rows == len(self._row_epoch):
            cap = self.max_rows
            self._row_epoch, self._params = _grow(self._row_epoch, 0, cap), _grow(self._params, 0, cap)
            self._grads, self._box = _grow(self._grads, 0, cap), _grow(self._box, 0, cap)
        r = self._rows
        self._row_epoch[r], self._params[r], self._grads[r], self._box[r] = epoch, params, grads, box_grads
        self._rows += 1

    # --- reading (views, no copies) ----------------------------------------------------
    @property
    def epochs(self) -> np.ndarray:
        return self._epoch[:self._n]

    def scalar(self, name: str) -> np.ndarray:
        return self._scalars[:self._n, self.SCALARS.index(name)]

    cost = property(lambda self: self.scalar("cost"))
    accuracy = property(lambda self: self.scalar("accuracy"))
    test_cost = property(lambda self: self.scalar("test_cost"))
    test_accuracy = property(lambda self: self.scalar("test_accuracy"))
    time = property(lambda self: self.scalar("time"))
    row_epochs = property(lambda self: self._row_epoch[:self._rows])
    params = property(lambda self: self._params[:self._rows])
    grads = property(lambda self: self._grads[:self._rows])
    box_grads = property(lambda self: self._box[:self._rows])

    def param(self, node: str) -> np.ndarray:
        """A parameter's value after each recorded epoch (see ``row_epochs``)."""
        return self.params[:, self.param_ids.index(node)]

    def grad(self, node: str) -> np.ndarray:
        return self.grads[:, self.param_ids.index(node)]

    def box_grad(self, key: str) -> np.ndarray:
        return self.box_grads[:, self.var_keys.index(key)]

    def entry(self, i: int) -> dict:
        """Epoch row ``i`` as SPEC §6 wants it (plus test figures when there are test points)."""
        s = dict(zip(self.SCALARS, self._scalars[i], strict=True))
        d = {"epoch": int(self._epoch[i]), "cost": _num(s["cost"]), "accuracy": _num(s["accuracy"])}
        if not math.isnan(s["test_cost"]):
            d["test_cost"], d["test_accuracy"] = _num(s["test_cost"]), _num(s["test_accuracy"])
        return d

    def entries(self) -> list[dict]:
        return [self.entry(i) for i in range(self._n)]

    def last(self) -> dict | None:
        return self.entry(self._n - 1) if self._n else None


STACK_MAX = 2048  # samples up to which mean_abs stacks the per-sample gradients into one array


def mean_abs(grads: list) -> np.ndarray:
    """Each Variable's mean |dJ/dv| (0 where there is none): ``float(np.mean(np.abs(g)))``
    for each, the same numbers, but in a few numpy calls over all per-sample gradients at once."""
    out = np.zeros(len(grads))
    vec = [i for i, g in enumerate(grads) if g is not None and g.ndim]
    sca = [i for i, g in enumerate(grads) if g is not None and not g.ndim]
    if vec:
        rows = [grads[i] for i in vec]
        if len(rows[0]) <= STACK_MAX and len({len(r) for r in rows}) == 1:
            stacked = np.stack(rows)
            out[vec] = np.abs(stacked, out=stacked).mean(axis=1)  # row by row, as np.mean of each
        else:  # long arrays: a call per array costs little next to the arithmetic; no big copy
            out[vec] = [float(np.mean(np.abs(r))) for r in rows]
    if sca:
        out[sca] = np.abs(np.array([grads[i] for i in sca], dtype=float))
    return out


def _grow(a: np.ndarray, fill=0, cap: int | None = None) -> np.ndarray:
    size = 2 * len(a) if cap is None else min(2 * len(a), cap)
    b = np.full((size,) + a.shape[1:], fill, dtype=a.dtype)
    b[:len(a)] = a
    return b


def _num(v):
    return None if v is None or math.isnan(v) else float(v)


# --- the trainer -----------------------------------------------------------------------------
class Trainer:
    """Trains the graph's parameters on its data set. See docs/ARCHITECTURE.md.

    Settings not given come from the graph's ``training`` block, then torch's defaults
    (``optim.DEFAULTS``; 100 epochs, full batch, seed 0). The block's optimizer options
    are used only with the block's own optimizer. The Trainer holds its own compiled
    plan: after the graph's structure changes, make a new Trainer.

    ``track`` chooses the per-epoch bookkeeping (``TRACKABLE``): None measures everything,
    as the window's plots read it; ``("accuracy", "test")`` is what ``graphcore train``'s
    JSON needs; ``()`` only the cost, parameters and their gradients. Untracked figures are
    nan in the history (``accuracy`` None in its entries); the training itself is the same.

    With ``stop_on_divergence`` (the default) a run whose epoch cost exceeds
    max(10 × the first epoch's cost, the first epoch's cost + 10) stops with status
    "failed" and a ``DivergenceError`` naming the box that blew up first (see the
    module's docstring); False lets such a run go on (the exported scripts' parity
    tests train wild settings on purpose).

    ``track`` chooses the per-epoch bookkeeping (see ``_tracked``); ``trainer.box_grads =
    False`` skips each Variable's mean |dJ/dv| (the History's ``box_grads`` rows hold nan);
    the parameters, costs and accuracy are the same bit for bit.
    """

    def __init__(self, graph, dataset=None, *, optimizer=None, lr=None, epochs=None, batch_size=None,
                 seed=None, options=None, callback=None, stop_on_divergence=True, track=None):
        self.graph = graph
        self.track = _tracked(track)
        self.stop_on_divergence = bool(stop_on_divergence)
        self.plan = compile_graph(graph)
        learner.refuse_training(graph)  # a learner Function with a ✘ verdict is not trained with
        if not self.plan.has_loss:
            raise EvaluationError("the graph names no loss: choose the box whose value is the cost J to train")
        if not trainable(self.plan):  # else every epoch would change nothing
            raise EvaluationError("nothing to train: the cost J depends on no parameter box "
                                  "(add one, or turn an input or constant into a parameter)")
        block = dict(graph.meta.get("training") or {})
        block_opt = block.get("optimizer", "sgd")
        self.optimizer_name = optimizer or block_opt
        opts = {k: v for k, v in block.items() if k not in _BLOCK_KEYS} if self.optimizer_name == block_opt else {}
        opts.update(options or {})
        self.options = opts
        self.lr = lr if lr is not None else block.get("lr")
        self.epochs = _whole(epochs if epochs is not None else block.get("epochs", DEFAULT_EPOCHS), "epochs", 0)
        self.batch_size = batch_size if batch_size is not None else block.get("batch_size")
        if self.batch_size is not None:
            self.batch_size = _whole(self.batch_size, "batch size", 1)
        self.seed = _whole(seed if seed is not None else block.get("seed", 0), "seed", 0)
        self.param_ids: list[str] = list(self.plan.param_ids)
        self.opt = optim.make(self.optimizer_name, len(self.param_ids), self.lr, opts)
        self.lr = self.opt.hp["lr"]
        self.dataset = dataset if dataset is not None else datasets.for_graph(graph)
        labels.check(graph, self.dataset.columns if self.dataset is not None else None, self.plan.label_feeds)
        self.train_data = self.dataset.train() if self.dataset is not None else None
        self.test_data = self.dataset.test() if self.dataset is not None else None
        self.n_train = _rows(self.train_data)
        self.callback = callback
        self.params = np.array([graph.value(p) for p in self.param_ids], dtype=float)
        self.history = History(self.param_ids, self.plan.keys)
        self._no_box = np.full(len(self.plan.keys), np.nan)  # a row's box_grads when they are not tracked
        self._restart()

    # Each Variable's |dJ/dv| costs a backward pass through every box (2.5× an epoch at
    # n = 1,000); untracked, history rows hold nan there. The window turns it on only while a
    # plot that shows it is visible; it may be switched at any time (from the next epoch).
    @property
    def box_grads(self) -> bool:
        return "box_grads" in self.track

    @box_grads.setter
    def box_grads(self, on: bool):
        self.track = self.track | {"box_grads"} if on else self.track - {"box_grads"}

    def _restart(self):
        self.epoch = 0
        self.status = "ready"
        self.error: GraphError | None = None
        self.history.clear()
        self.opt.reset()
        self._rng = np.random.default_rng(self.seed)
        self._batches: list = []  # index arrays (or None for the full batch) still to run this epoch
        self._target = 0
        self._request = None
        self._elapsed = 0.0
        self._start_params = self.params.copy()  # for naming the box that blew up, if the run diverges
        self._clear_epoch()

    def _clear_epoch(self):
        self._cost_sum, self._n_batches, self._correct, self._counted = 0.0, 0, 0, 0
        self._grad_sum = np.zeros(len(self.param_ids))

    # --- settings as the graph file writes them -------------------------------------------
    @property
    def full_batch(self) -> bool:
        return self.n_train is None or self.batch_size is None or self.batch_size >= self.n_train

    def settings(self) -> dict:
        """The training block this run uses (for ``-o`` and the window)."""
        d = {"optimizer": self.optimizer_name, "lr": self.lr, "epochs": self.epochs,
             "batch_size": self.batch_size, "seed": self.seed}
        d.update(self.options)
        return d

    # --- stepping -----------------------------------------------------------------------
    def _start_epoch(self):
        if self.full_batch:
            self._batches = [None]
        else:
            perm = self._rng.permutation(self.n_train)
            self._batches = [perm[i:i + self.batch_size] for i in range(0, self.n_train, self.batch_size)]
        self._batches.reverse()  # pop() from the end takes them in order
        self._clear_epoch()

    def _step(self) -> tuple[float, bool]:
        """One optimizer step on the next batch; returns (batch cost, whether an epoch ended)."""
        if not self._batches:
            self._start_epoch()
        idx = self._batches.pop()
        last = not self._batches
        data = self.train_data
        if idx is not None:
            data = {k: v[idx] for k, v in data.items()}
        # A step needs only the parameters' gradients; every box's gradient size is wanted once
        # an epoch, from its last batch, and only when the history keeps that epoch's row.
        record = last and "box_grads" in self.track and self.history.records(self.epoch + 1)
        t0 = time.perf_counter()
        try:
            # a full batch: the fused kernel straight away (epoch_lane.py; None when unusual)
            ev = epoch_lane.step(self.plan, data, self.params) if idx is None and not record else None
            if ev is None:
                ev = self.plan.run(data, self.params, grads="all" if record else "params")
            grads = ev.param_grads
            before = self.params.copy()
            with np.errstate(over="ignore", invalid="ignore"):  # checked just below
                self.opt.step(self.params, grads)
            bad = () if np.isfinite(self.params).all() else np.flatnonzero(~np.isfinite(self.params))
            if len(bad):
                p, v = self.param_ids[bad[0]], self.params[bad[0]]
                self.params = before
                raise NonFiniteError(f"update: parameter '{self.graph.box_name(p)}' became {v} after the "
                                     f"{self.optimizer_name} step "
                                     f"(learning rate {self.lr:g} too large?)", [p], "update")
        except GraphError as exc:
            self._elapsed += time.perf_counter() - t0
            self._fail(exc)
            return math.nan, False
        self._cost_sum += ev.cost
        self._n_batches += 1
        self._grad_sum += grads
        if "accuracy" in self.track:
            correct, counted = self._score(ev, data)
            self._correct += correct
            self._counted += counted
        if last:
            self._box = mean_abs(ev.grads) if record else self._no_box
        self._elapsed += time.perf_counter() - t0
        if last:
            return ev.cost, self._finish_epoch()
        return ev.cost, False

    def _score(self, ev, data) -> tuple[int, int]:
        if data is None or "y" not in data:
            return 0, 0
        pred = self.plan.predict(ev)
        if pred is None:
            return 0, 0
        pred = np.broadcast_to(pred, np.shape(data["y"]))
        return int(np.sum(pred == data["y"])), len(data["y"])

    def _finish_epoch(self) -> bool:
        try:
            test_cost, test_acc = None, None
            if self.test_data is not None and "test" in self.track:
                test_cost, test_acc = self.measure(self.test_data)
        except GraphError as exc:
            self._fail(exc)
            return False
        self.epoch += 1
        n = max(self._n_batches, 1)
        scalars = {"cost": self._cost_sum / n, "accuracy": self._correct / self._counted if self._counted else None,
                   "test_cost": test_cost, "test_accuracy": test_acc, "time": self._elapsed}
        self.history.append(self.epoch, scalars, self.params, self._grad_sum / n, self._box)
        if self.stop_on_divergence and self._diverged():
            self._fail(self._divergence_error())
        if self.callback is not None:
            self.callback(self)
        return True

    # --- divergence ------------------------------------------------------------------------
    def divergence_limit(self) -> float | None:
        """The epoch cost above which the run counts as diverged (None before the first epoch)."""
        if not len(self.history):
            return None
        c1 = float(self.history.cost[0])
        return max(DIVERGE_FACTOR * c1, c1 + DIVERGE_MARGIN)

    def _diverged(self) -> bool:
        limit = self.divergence_limit()
        return limit is not None and len(self.history) > 1 and float(self.history.cost[-1]) > limit

    def _divergence_error(self) -> DivergenceError:
        costs = self.history.cost
        n = len(costs) - 1
        rose = (f"training diverged: the cost J rose from {costs[0]:.4g} (epoch 1) to {costs[-1]:.4g} "
                f"(epoch {self.epoch}) in {n} epoch{'s' if n != 1 else ''} at lr {self.lr:g} "
                f"({optim.TITLES.get(self.optimizer_name, self.optimizer_name)})")
        node, why = self._blown_up_box()
        return DivergenceError(f"{rose}; {why}; try a smaller learning rate", [node] if node else [])

    def _blown_up_box(self) -> tuple[str | None, str]:
        """(box, what happened to it): the first box, in topological order, whose largest
        |value| grew more than BLOWUP_GROWTH× since training started; else the loss box."""
        data = self.train_data
        try:
            start = self.plan.run(data, self._start_params, backward=False).values
            now = self.plan.run(data, self.params, backward=False).values
        except NonFiniteError as exc:  # the last step took a box past the float range
            box = exc.nodes[0] if exc.nodes else None
            if not box:
                return None, str(exc)
            return box, f"box '{self.graph.box_name(box)}' ({self.graph.op(box)}) blew up: {exc}"
        except GraphError as exc:
            return None, str(exc)
        for key, a, b in zip(self.plan.keys, start, now, strict=True):
            if a is None or b is None or not np.size(b):
                continue
            was, big = float(np.max(np.abs(a))), float(np.max(np.abs(b)))
            if big > BLOWUP_GROWTH * max(was, 1.0):
                box = self.plan.owner[self.plan.slot_of[key]]
                return box, (f"box '{self.graph.box_name(box)}' ({self.graph.op(box)}) blew up first: "
                             f"its largest |value| grew from {was:.3g} to {big:.3g}")
        loss = self.plan.keys[self.plan.loss_slot]
        box = self.plan.owner[self.plan.loss_slot]
        return box, self._saturation(box, now[self.plan.slot_of[loss]])

    def _saturation(self, box: str, loss) -> str:
        op = self.graph.op(box)
        loss = np.asarray(loss, dtype=float)
        if op != "bce":  # no clamp to saturate at: say what the loss box holds
            return (f"no box grew 1000×; the loss box '{self.graph.box_name(box)}' ({op}) reaches "
                    f"{np.max(np.abs(loss)):.3g} per sample")
        head = f"no box grew 1000×: the loss box '{self.graph.box_name(box)}' (bce) saturated"
        at_clamp = int(np.sum(loss >= 100.0 - 1e-9))
        if at_clamp:
            return (f"{head}: {at_clamp} of {loss.size} samples sit at its clamp of 100 "
                    f"(σ at exactly 0 or 1 for a wrong label, as in PyTorch)")
        return (f"{head}: σ near 0 or 1 for wrong labels, up to {np.max(loss):.3g} per sample "
                f"(100 at its clamp, as in PyTorch)")

    def _fail(self, exc: GraphError):
        self.status = "failed"
        self.error = exc
        self._batches = []

    def step_batch(self) -> float:
        """One optimizer step on the next batch (starting an epoch if none is under way);
        returns the batch's cost before the step (nan if the run failed)."""
        if self.status == "failed":
            return math.nan
        cost, ended = self._step()
        if self.status != "failed":
            self.status = "paused"
        if not ended and self.callback is not None:
            self.callback(self)
        return cost

    def run_epoch(self) -> dict | None:
        """Finish the epoch under way (or run a whole one); returns its history entry,
        or None if the run failed."""
        if self.status == "failed":
            return None
        while True:
            _, ended = self._step()
            if self.status == "failed":
                return None
            if ended:
                return self.history.last()

    def train(self, epochs: int | None = None) -> dict:
        """Train until ``epochs`` more epochs are done (default: the run's ``epochs``), or
        until paused, stopped or failed. A paused run continues to its old target. Never
        raises a GraphError: see ``status`` and ``error``. Returns ``result()``."""
        if self.status == "failed":
            return self.result()
        if self.status != "paused" or epochs is not None or self._target <= self.epoch:
            self._target = self.epoch + _whole(self.epochs if epochs is None else epochs, "epochs", 0)
        self._request = None
        self.status = "running"
        while self.epoch < self._target:
            if self._request:
                self.status, self._request = self._request, None
                return self.result()
            self._step()
            if self.status == "failed":
                return self.result()
        self.status = "done"
        return self.result()

    def pause(self):
        """Stop after the batch under way; ``resume()`` or ``train()`` carries on."""
        if self.status == "running":
            self._request = "paused"
        elif self.status in ("ready", "stopped", "done"):
            self.status = "paused"

    def resume(self) -> dict:
        """Carry on a paused run to its target, in the calling thread."""
        if self.status == "paused":
            return self.train()
        return self.result()

    def stop(self):
        """End the run after the batch under way; ``train()`` would start a new target."""
        if self.status == "running":
            self._request = "stopped"
        elif self.status in ("ready", "paused"):
            self.status = "stopped"

    # --- measuring -----------------------------------------------------------------------
    def measure(self, data) -> tuple[float, float | None]:
        """Cost and accuracy on ``data`` with the current parameters (forward only)."""
        ev = self.plan.run(data, self.params, backward=False)
        correct, counted = self._score(ev, data)
        return ev.cost, (correct / counted if counted else None)

    def result(self) -> dict:
        """The SPEC §6 ``train`` JSON: final cost and accuracy on the training points after
        the last step, the parameters and the history (plus test figures, status and error)."""
        try:
            cost, acc = self.measure(self.train_data)
        except GraphError:
            cost, acc = None, None
        out = {"cost": cost, "accuracy": acc, "epochs": self.epoch,
               "parameters": {p: float(v) for p, v in zip(self.param_ids, self.params, strict=True)},
               "history": self.history.entries()}
        if self.test_data is not None:
            try:
                out["test_cost"], out["test_accuracy"] = self.measure(self.test_data)
            except GraphError:
                out["test_cost"], out["test_accuracy"] = None, None
        out.update({"status": self.status, "error": str(self.error) if self.error else None,
                    "seconds": round(self._elapsed, 6)})
        return out

    # --- parameters ------------------------------------------------------------------------
    def write_back(self, graph=None):
        """Put the trained parameter values into ``graph`` (default: the trained graph)."""
        (graph or self.graph).set_values({p: float(v) for p, v in zip(self.param_ids, self.params, strict=True)})

    def reset_parameters(self, seed: int = 0):
        """Start again from random values (``initial_values(graph, seed)``): clears the
        history and the optimizer's state, and re-seeds the batch shuffling."""
        start = initial_values(self.graph, seed)
        self.params = np.array([start[p] for p in self.param_ids], dtype=float)
        self._restart()


TRACKABLE = ("box_grads", "accuracy", "test")


def _tracked(track) -> frozenset:
    """What the per-epoch bookkeeping measures: None for everything (what the window's plots
    have always read), else a selection of TRACKABLE — ``box_grads`` (each Variable's mean
    |dJ/dv|, an extra backward over every box once an epoch), ``accuracy`` (on the training
    points) and ``test`` (cost and accuracy on the test points, a forward over them)."""
    if track is None:
        return frozenset(TRACKABLE)
    chosen = frozenset([track] if isinstance(track, str) else track)
    unknown = sorted(chosen - set(TRACKABLE))
    if unknown:
        raise ValueError(f"track: unknown {', '.join(map(repr, unknown))} (choose from {', '.join(TRACKABLE)})")
    return chosen


def _whole(v, what: str, lo: int) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
        raise EvaluationError(f"training: {what} must be a whole number ≥ {lo}, not {v!r}")
    return int(v)


def _rows(data) -> int | None:
    if not data:
        return None
    return len(next(iter(data.values())))
