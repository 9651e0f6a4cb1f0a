"""A group's local Jacobian: how each of its outputs moves with each of its inputs.

For a group with inputs a₁…aₙ and outputs b₁…bₖ (``groups.boundary_ports``), the local
Jacobian is the k × n matrix ∂bᵢ/∂aⱼ — for a layer b(a) = W·a + c it is W. It is found
by the engine's own rule, downstream = local × upstream, swept backward over the boxes
inside the group only: seed output bᵢ with 1, carry it back through every inner box
with the catalogue's local derivatives, and row i is what reaches a₁…aₙ (a Variable
that fans out inside the group sums what comes back, the copy gate). Nothing outside
the group takes part, so this is the group as one vector Function.

Per sample: entry [s, i, j] is ∂bᵢ/∂aⱼ at sample s. Samples do not mix (a box computes
each sample alone), except through a reduction (mean, sum) inside the group: its
output is one number for all samples, and then [s, i, j] is ∂bᵢ/∂(aⱼ at sample s).
The batch mean is the mean of the per-sample matrices over the samples.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import functions as F
from .engine import Evaluation
from .errors import EvaluationError, NonFiniteError
from .groups import Ports, boundary_ports, check_no_cycle_outside, groups_of


@dataclass
class GroupJacobian:
    name: str
    ports: Ports
    per_sample: np.ndarray  # shape (m, k outputs, n inputs); m = 1 without a data set

    @property
    def mean(self) -> np.ndarray:
        """The batch mean: a k × n matrix."""
        return self.per_sample.mean(axis=0)


def group_jacobian(ev: Evaluation, name: str) -> GroupJacobian:
    """The local Jacobian of the graph's group ``name``, at the values of ``ev``."""
    graph = ev.plan.graph
    members = set(groups_of(graph).members(name))
    check_no_cycle_outside(graph, name, members)  # an arrow wired since may have made one
    ports = boundary_ports(graph, members)
    return GroupJacobian(name, ports, local_jacobian(ev, members, ports, name))


def all_jacobians(ev: Evaluation) -> list[GroupJacobian]:
    """Every group's local Jacobian, in the file's group order."""
    return [group_jacobian(ev, name) for name in groups_of(ev.plan.graph).names()]


def local_jacobian(ev: Evaluation, members: set[str], ports: Ports, name: str = "group") -> np.ndarray:
    """Per-sample Jacobian (m, k, n) of the boxes ``members`` from ``ports.inputs`` to ``ports.outputs``."""
    plan, values = ev.plan, ev.values
    graph = plan.graph
    steps = [s for s in plan.steps if s.node in members]
    computed = {s.node for s in steps} | {s.node for s in plan.sources}
    for node in graph.nodes():
        if node in members and node not in computed:
            raise EvaluationError(f"group '{name}': box '{graph.label(node)}' ({graph.op(node)}) is not fully "
                                  "wired, so the group's Jacobian cannot be computed", [node])
    m = ev.m or 1
    in_slots = [plan.slot_of[p.variable] for p in ports.inputs]
    jac = np.zeros((m, len(ports.outputs), len(in_slots)))
    with np.errstate(all="ignore"):
        for row, port in enumerate(ports.outputs):
            out_slot = plan.slot_of[port.variable]
            grads = {out_slot: np.ones(np.shape(values[out_slot]))}
            for s in reversed(steps):
                if not any(o in grads for o in s.outs):
                    continue
                upstream = [grads[o] if o in grads else np.zeros_like(values[o]) for o in s.outs]
                xs = [values[i] for i in s.ins]
                local = F.run_local(s.fn, xs, [values[o] for o in s.outs], s.attrs)
                for loc in ([x for row in local for x in row] if s.fn.jacobian else local):
                    if not np.all(np.isfinite(loc)):
                        raise _not_finite(graph, name, s, np.asarray(loc, dtype=float), "local derivative")
                for slot, d in zip(s.ins, F.downstream(s.fn, local, upstream)):
                    d = np.asarray(d, dtype=float)
                    if not np.all(np.isfinite(d)):
                        raise _not_finite(graph, name, s, d, "downstream derivative")
                    grads[slot] = grads[slot] + d if slot in grads else d
            for col, slot in enumerate(in_slots):
                if slot in grads:
                    jac[:, row, col] = grads[slot]  # a scalar input's derivative: the same for every sample
    return jac


def _not_finite(graph, name: str, step, d: np.ndarray, what: str) -> NonFiniteError:
    bad = d[~np.isfinite(d)].flat[0]
    where = f" at sample {int(np.flatnonzero(~np.isfinite(d))[0])}" if d.ndim else ""
    label = graph.label(step.node)
    return NonFiniteError(f"group '{name}': the {what} of box '{label}' ({step.op}) is {bad}{where}, "
                          "so the group's Jacobian cannot be computed", [step.node], "jacobian")
