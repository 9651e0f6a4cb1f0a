"""Every group's local Jacobian equals torch.autograd.functional.jacobian of the same
subgraph in float64, per sample, to 1e-9: the xor lesson's 2 → 10 → 1 network and the
spiral3 lesson's softmax network, built with layer and neuron groups.

The torch side rebuilds each group from the graph's boxes and arrows alone (not from the
engine's plan): inputs are the group's ports a₁…aₙ, sources inside keep their values."""
from __future__ import annotations

import numpy as np
import pytest

from graphcore.groups import groups_of
from graphcore.jacobian import all_jacobians

from tests.groups.group_graphs import evaluation, spiral3_grouped, xor_grouped

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

TORCH_OPS = {
    "add": lambda a, b: [a + b],
    "mul": lambda a, b: [a * b],
    "relu": lambda x: [torch.relu(x)],
    "sigmoid": lambda x: [torch.sigmoid(x)],
    "tanh": lambda x: [torch.tanh(x)],
    "identity": lambda x: [x],
    "softmax": lambda *zs: list(torch.softmax(torch.stack(zs, -1), -1).unbind(-1)),
}


def torch_group(graph, name):
    """f(A) for A of shape (m, n inputs) → (m, k outputs): the group's boxes in torch."""
    gs = groups_of(graph)
    members, ports = set(gs.members(name)), gs.ports(name)

    def f(A):
        vals = {p.variable: A[..., j] for j, p in enumerate(ports.inputs)}
        for node in graph.topological_order():
            if node not in members:
                continue
            keys = graph.variable_keys(node)
            if graph.op(node) in ("parameter", "constant"):
                vals[node] = torch.tensor(graph.value(node), dtype=torch.float64)
                continue
            args = [vals[e.src if len(graph.variable_keys(e.src)) == 1 else f"{e.src}:{e.out}"]
                    for e in graph.inputs_of(node)]
            for key, out in zip(keys, TORCH_OPS[graph.op(node)](*args)):
                vals[key] = out
        return torch.stack([vals[p.variable].expand(A.shape[:-1]) for p in ports.outputs], -1)

    return f, ports


def input_matrix(ev, ports):
    m = ev.m
    return torch.tensor(np.stack([np.broadcast_to(ev.value(p.variable), (m,)) for p in ports.inputs], -1),
                        dtype=torch.float64)


def check_every_group(graph):
    ev = evaluation(graph)
    jacs = all_jacobians(ev)
    assert [j.name for j in jacs] == groups_of(graph).names() and len(jacs) > 2
    live = []
    for jac in jacs:
        f, ports = torch_group(graph, jac.name)
        A = input_matrix(ev, ports)
        # Samples do not mix inside these groups, so the Jacobian of the sum over samples
        # holds every sample's matrix: (k, m, n) → (m, k, n).
        theirs = torch.autograd.functional.jacobian(lambda X, f=f: f(X).sum(0), A).permute(1, 0, 2).numpy()
        assert jac.per_sample.shape == theirs.shape == (ev.m, len(ports.outputs), len(ports.inputs))
        np.testing.assert_allclose(jac.per_sample, theirs, rtol=0, atol=1e-9, err_msg=jac.name)
        np.testing.assert_allclose(jac.mean, theirs.mean(0), rtol=0, atol=1e-9, err_msg=jac.name)
        for s in (0, ev.m // 2, ev.m - 1):  # and literally, one sample at a time
            one = torch.autograd.functional.jacobian(lambda a, f=f: f(a[None, :])[0], A[s]).numpy()
            np.testing.assert_allclose(jac.per_sample[s], one, rtol=0, atol=1e-9, err_msg=f"{jac.name} sample {s}")
        live.append(np.abs(theirs).max() > 0)
    # a real comparison, not zeros against zeros (a relu unit dead at every sample has J = 0)
    assert sum(live) > len(live) / 2 and all(live[i] for i, j in enumerate(jacs) if j.name.startswith("layer"))
    return jacs


def test_xor_network_groups_match_torch():
    jacs = check_every_group(xor_grouped())
    assert {j.name: j.per_sample.shape[1:] for j in jacs}["layer 1"] == (10, 2)


def test_spiral3_softmax_groups_match_torch():
    g = spiral3_grouped()
    # and a head that holds the output layer and the softmax (the multi-output Jacobian path)
    groups_of(g).add("head", groups_of(g).members("layer 2") + ["p"])
    jacs = check_every_group(g)
    shapes = {j.name: j.per_sample.shape[1:] for j in jacs}
    assert shapes["layer 1"] == (16, 2) and shapes["layer 2"] == (3, 16)
    assert shapes["head"] == (6, 16)  # the logits (read by the loss outside) and softmax's three outputs
