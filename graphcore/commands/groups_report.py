"""What ``graphcore eval --groups`` adds: each group's ports and local Jacobian (JSON and text)."""
from __future__ import annotations

from ..engine import Evaluation
from ..groups import groups_of
from ..jacobian import all_jacobians


def groups_json(ev: Evaluation, per_sample: bool = False) -> list[dict]:
    """Per group: name, parent, members, inputs, outputs (port name, Variable, label) and
    the batch-mean Jacobian (outputs × inputs); with ``per_sample`` also m such matrices."""
    graph = ev.plan.graph
    groups = groups_of(graph)
    out = []
    for jac in all_jacobians(ev):
        doc = {"name": jac.name, "parent": groups.parent(jac.name), "members": groups.members(jac.name),
               "inputs": [_port(graph, p) for p in jac.ports.inputs],
               "outputs": [_port(graph, p) for p in jac.ports.outputs],
               "jacobian": jac.mean.tolist()}
        if per_sample:
            doc["jacobian_per_sample"] = jac.per_sample.tolist()
        out.append(doc)
    return out


def _port(graph, port) -> dict:
    return {"name": port.name, "variable": port.variable, "label": graph.label(port.box)}


def groups_text(ev: Evaluation) -> str:
    """Each group with its ports and its batch-mean Jacobian, rows = outputs."""
    graph = ev.plan.graph
    lines = []
    for jac in all_jacobians(ev):
        ins = ", ".join(f"{p.name} = {graph.label(p.box)}" for p in jac.ports.inputs) or "none"
        outs = ", ".join(f"{p.name} = {graph.label(p.box)}" for p in jac.ports.outputs) or "none"
        lines += [f"group '{jac.name}': inputs {ins}; outputs {outs}",
                  "  local Jacobian ∂b/∂a (mean over samples):"]
        lines += ["    [" + "  ".join(f"{v:10.4g}" for v in row) + " ]" for row in jac.mean]
    return "\n".join(lines) if lines else "the graph has no groups"
