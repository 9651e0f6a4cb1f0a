"""The reference executor of a plan: a loop over its steps that checks every box as it goes.

Slower than the compiled kernel (fastpath.py) on graphs of scalar boxes, but it is the
definition of the numbers and it raises the exact error naming the first box at fault
(DomainError, NonFiniteError, MissingDataError, ...). Both executors answer
``run(data, params, backward, grads) -> Evaluation | None`` (evaluation.Executor); this one
never answers None.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from . import feed_rule
from . import functions as F
from .errors import DataError, DomainError, MissingDataError, NonFiniteError
from .evaluation import Evaluation, reduce_to
from .variable_ref import VariableRef


class ReferenceLoop:
    """Runs one Plan (engine.py) box by box."""

    def __init__(self, plan):
        self.plan = plan

    def run(self, data, params, backward: bool, grads: str) -> Evaluation:
        plan = self.plan
        values, m = self.feed(data, params)
        with np.errstate(all="ignore"):
            self.forward(values)
            ev = Evaluation(plan, values, None, None, m)
            if plan.loss_slot is not None:
                loss = values[plan.loss_slot]
                ev.cost = float(np.mean(loss)) if loss.ndim else float(loss)
                if not np.isfinite(ev.cost):  # every sample finite, but their mean overflowed
                    node = VariableRef.box_of(plan.keys[plan.loss_slot])
                    raise NonFiniteError(f"forward: the cost J, the mean of box '{plan.graph.box_name(node)}' "
                                         f"over {loss.size} samples, "
                                         f"overflowed to {ev.cost}", [node], "forward")
                if backward:
                    ev.grads = self.backpropagate(values, plan.param_dependent if grads == "params" else None)
        return ev

    # --- feeding ---------------------------------------------------------------------
    def feed(self, data: dict | None, params=None) -> tuple[list, int | None]:
        """Initial slot values: data columns, input values, parameters and constants.

        ``params`` overrides source values: a sequence in ``param_ids`` order, or a dict
        by box id (any source box — the derivative check nudges inputs this way too)."""
        plan = self.plan
        values: list = [None] * len(plan.keys)
        m = None
        if params is not None and not isinstance(params, dict):
            params = dict(zip(plan.param_ids, params))
        for src in plan.sources:
            if params is not None and src.node in params:
                v = np.asarray(params[src.node], dtype=float)
            else:
                v, m = self.feed_source(src, data, m)
            values[src.slot] = v
        return values, m

    def feed_source(self, src, data, m=None):
        """One source box's value (and the number of samples so far): ``feed`` for one box."""
        if src.op == "input":
            return self._input_value(src, data, m)
        return np.asarray(self.plan.graph.value(src.node), dtype=float), m

    def _input_value(self, src, data, m):
        """An input box's value by the feed rule, and the number of samples so far."""
        name = self.plan.graph.box_name(src.node)
        how, col = src.feed(data)
        if how == feed_rule.VALUE:
            return np.asarray(src.value, dtype=float), m
        if how == feed_rule.MISSING:
            raise MissingDataError(f"input box '{name}': the data set has no column '{col}' "
                                   f"(it has {', '.join(sorted(data)) or 'none'})", [src.node])
        if how == feed_rule.NO_DATA:
            raise MissingDataError(f"input box '{name}' has no data: load a data set or give it a value",
                                   [src.node])
        v = np.asarray(data[col], dtype=float)
        if v.ndim != 1 or (m is not None and len(v) != m):
            raise DataError(f"input box '{name}': column '{col}' must hold one number per sample "
                            f"({m if m is not None else 'a list'}), not shape {v.shape}", [src.node])
        if len(v) == 0:  # the cost is a mean over samples: none would divide by zero
            raise MissingDataError(f"input box '{name}': the data set has no points", [src.node])
        return v, len(v)

    # --- forward ---------------------------------------------------------------------
    def forward(self, values: list):
        for step in self.plan.steps:
            self.forward_step(step, values)

    def forward_step(self, step, values: list):
        """One box forward: its outputs into ``values``, or the exact error naming it."""
        xs = [values[i] for i in step.ins]
        try:
            outs = F.run_forward(step.fn, xs, step.attrs)
        except DomainError as exc:
            raise DomainError(f"box '{self.plan.graph.box_name(step.node)}' ({step.op}): {exc}",
                              [step.node]) from None
        for slot, out in zip(step.outs, outs):
            if not np.isfinite(out).all():  # the method: np.all's dispatch was a third of a small box's step
                raise NonFiniteError(self._nonfinite_message(step, out, "forward"), [step.node], "forward")
            values[slot] = out

    def _nonfinite_message(self, step, out, phase: str) -> str:
        bad = np.asarray(out)[~np.isfinite(out)].flat[0]
        where = ""
        if np.ndim(out):
            where = f" at sample {int(np.flatnonzero(~np.isfinite(out))[0])}"
        return f"{phase}: box '{self.plan.graph.box_name(step.node)}' ({step.op}) produced {bad}{where}"

    # --- backward --------------------------------------------------------------------
    def backpropagate(self, values: list, wanted: list[bool] | None = None) -> list:
        """dJ/dv for every Variable v the cost depends on (None for the others); with
        ``wanted`` (a flag per slot), only for the slots flagged."""
        plan = self.plan
        grads: list = [None] * len(plan.keys)
        loss = values[plan.loss_slot]
        # The seed: J = mean of a per-sample loss, so dJ/dLᵢ = 1/m; a scalar loss is J itself.
        grads[plan.loss_slot] = np.full(loss.shape, 1.0 / loss.size) if loss.ndim else np.asarray(1.0)
        for step, _xs, _outs, _upstream, _local, down in backward_sweep(plan, values, grads, wanted):
            for slot, d in zip(step.ins, down):
                if wanted is not None and not wanted[slot]:
                    continue
                d = reduce_to(d, values[slot])
                if grads[slot] is not None:  # fan-out: the copy gate sums what comes back
                    d = grads[slot] + d
                if not np.all(np.isfinite(d)):
                    raise NonFiniteError(f"backward: box '{plan.graph.box_name(step.node)}' ({step.op}) produced a "
                                         f"non-finite gradient for '{plan.key_name(plan.keys[slot])}'",
                                         [step.node], "backward")
                grads[slot] = d
        return grads


def backward_sweep(plan, values: list, grads: list, wanted: list[bool] | None = None) -> Iterator[tuple]:
    """The backward loop's walk: from the cost back, each step on the cost's path (and, with
    ``wanted``, whose output is wanted) as ``(step, xs, outs, upstream, local, downstream)``,
    downstream = local × upstream per input port, not yet reduced over samples. ``grads`` is
    read as the walk goes: an output's gradient is complete when its box is reached (every
    reader comes later in the order). Backprop adds the downstream into ``grads``; the
    step-through's ``trace`` only shows it."""
    for step in reversed(plan.steps):
        if not step.on_loss_path or (wanted is not None and not wanted[step.outs[0]]):
            continue
        upstream = [grads[o] if grads[o] is not None else np.zeros_like(values[o]) for o in step.outs]
        xs = [values[i] for i in step.ins]
        outs = [values[o] for o in step.outs]
        local = F.run_local(step.fn, xs, outs, step.attrs)
        yield step, xs, outs, upstream, local, F.downstream(step.fn, local, upstream)
