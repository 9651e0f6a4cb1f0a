"""Two evaluators of a graph file written for the tests, independent of graphcore's engine and
catalogue: both read the file's JSON and follow the semantics of SPEC §1–2 on their own.

* ``torch_eval``: PyTorch float64 autograd (``retain_grad`` on every Variable).
* ``forward_mode_eval``: exact derivatives by forward-mode differentiation with hand-written
  local derivatives — no torch needed. One pass carries a tangent for *every* Variable at once
  (direction d = "add ε to Variable v_d right after it is computed"), so dJ/dv comes out for all v.
  It is a different algorithm from the engine's reverse sweep: no fan-out sums, no un-broadcasting.

Both return ``(cost, values, grads)`` keyed as ``graphcore eval --json`` is (``id`` or ``id:k``).
"""
from __future__ import annotations

import numpy as np


def topo(doc: dict) -> tuple[list[dict], dict[str, list]]:
    """Nodes in a topological order (Kahn) and, per node, its input (src, out) by port."""
    nodes = {n["id"]: n for n in doc["nodes"]}
    ins: dict[str, dict[int, tuple[str, int]]] = {n: {} for n in nodes}
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for e in doc["edges"]:
        ins[e["dst"]][e["port"]] = (e["src"], e.get("out", 0))
        succ[e["src"]].append(e["dst"])
    indeg = {n: len(ins[n]) for n in nodes}
    ready = [n for n in nodes if indeg[n] == 0]
    order = []
    while ready:
        n = ready.pop()
        order.append(nodes[n])
        for s in succ[n]:
            indeg[s] -= 1
            if indeg[s] == 0:
                ready.append(s)
    assert len(order) == len(nodes)
    return order, {n: [p[i] for i in range(len(p))] for n, p in ins.items()}


def n_out(node: dict) -> int:
    return node.get("attrs", {}).get("k", 2) if node["op"] == "softmax" else 1


def keys_of(node: dict) -> list[str]:
    return [node["id"]] if n_out(node) == 1 else [f"{node['id']}:{i}" for i in range(n_out(node))]


def key(src: str, out: int, nodes: dict) -> str:
    return src if n_out(nodes[src]) == 1 else f"{src}:{out}"


def source_value(node: dict, data):
    if node["op"] == "input" and data is not None and node.get("column", node["id"]) in data:
        return np.asarray(data[node.get("column", node["id"])], dtype=float), False
    return np.asarray(float(node["value"])), True


def _loss_key(doc, nodes):
    node, _, k = doc["loss"].partition(":")
    return key(node, int(k or 0), nodes)


# --- PyTorch -------------------------------------------------------------------------------
def _torch_ops():
    import torch
    import torch.nn.functional as TF
    return {
        "identity": lambda x, b, a: x.clone(),
        "neg": lambda x, b, a: -x,
        "inv": lambda x, b, a: torch.reciprocal(x),
        "square": lambda x, b, a: torch.square(x),
        "pow": lambda x, b, a: torch.pow(x, a["exponent"]),
        "exp": lambda x, b, a: torch.exp(x),
        "log": lambda x, b, a: torch.log(x),
        "abs": lambda x, b, a: torch.abs(x),
        "sin": lambda x, b, a: torch.sin(x),
        "cos": lambda x, b, a: torch.cos(x),
        "tanh": lambda x, b, a: torch.tanh(x),
        "sigmoid": lambda x, b, a: torch.sigmoid(x),
        "relu": lambda x, b, a: torch.relu(x),
        "leaky_relu": lambda x, b, a: TF.leaky_relu(x, a.get("slope", 0.01)),
        "softplus": lambda x, b, a: TF.softplus(x),
        "swish": lambda x, b, a: TF.silu(x),
        "add": lambda x, b, a: x + b,
        "sub": lambda x, b, a: x - b,
        "mul": lambda x, b, a: x * b,
        "div": lambda x, b, a: x / b,
        "max": lambda x, b, a: torch.maximum(x, b),
        "min": lambda x, b, a: torch.minimum(x, b),
        "lt": lambda x, b, a: (x < b).double(),
        "gt": lambda x, b, a: (x > b).double(),
        "eq": lambda x, b, a: (x == b).double(),
        "squared_error": lambda x, b, a: (x - b) ** 2,
        "bce": lambda x, b, a: -(b * torch.log(x) + (1 - b) * torch.log(1 - x)),
        "bce_logits": lambda x, b, a: TF.binary_cross_entropy_with_logits(*torch.broadcast_tensors(x, b),
                                                                           reduction="none"),
        "mean": lambda x, b, a: x.mean() if x.dim() else x.clone(),
        "sum": lambda x, b, a: x.sum() if x.dim() else x.clone(),
    }


def torch_eval(doc: dict, data: dict | None):
    import torch
    import torch.nn.functional as TF

    TORCH_OPS = _torch_ops()
    order, ins = topo(doc)
    nodes = {n["id"]: n for n in doc["nodes"]}
    t: dict[str, torch.Tensor] = {}
    for node in order:
        op, attrs = node["op"], node.get("attrs", {})
        if op in ("input", "parameter", "constant"):
            v, _ = source_value(node, data)
            t[node["id"]] = torch.tensor(v, dtype=torch.float64, requires_grad=True)
            continue
        xs = [t[key(s, o, nodes)] for s, o in ins[node["id"]]]
        x = xs[0]
        b = xs[1] if len(xs) > 1 else None
        if op == "softmax":
            outs = list(torch.softmax(torch.stack(torch.broadcast_tensors(*xs)), dim=0).unbind(0))
        elif op == "cross_entropy":
            k = attrs.get("k", 2)
            *zs, y = torch.broadcast_tensors(*xs)
            logits = torch.stack(zs, dim=-1)
            outs = [TF.cross_entropy(logits.reshape(-1, k), y.detach().reshape(-1).long(),
                                     reduction="none").reshape(y.shape)]
        else:
            outs = [TORCH_OPS[op](x, b, attrs)]
        for k_, o in zip(keys_of(node), outs):
            if o.requires_grad:
                o.retain_grad()
            else:  # a comparison's 0/1 is cut off from its inputs, yet J still depends on it
                o.requires_grad_()
            t[k_] = o
    loss = t[_loss_key(doc, nodes)]
    cost = loss.mean() if loss.dim() else loss
    cost.backward()
    values = {k_: v.detach().numpy() for k_, v in t.items()}
    grads = {k_: (v.grad.numpy() if v.grad is not None else np.zeros(tuple(v.shape))) for k_, v in t.items()}
    return cost.item(), values, grads


# --- forward mode, exact local derivatives written out here ------------------------------------
def _sigma(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # σ(x) = (1 + tanh(x/2)) / 2: no overflow


def _softplus(x):
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


# op: (forward(x[, b], attrs), local derivatives per port)
UNARY = {
    "identity": (lambda x, a: x, lambda x, a: 1.0),
    "neg": (lambda x, a: -x, lambda x, a: -1.0),
    "inv": (lambda x, a: 1.0 / x, lambda x, a: -1.0 / x**2),
    "square": (lambda x, a: x**2, lambda x, a: 2.0 * x),
    "pow": (lambda x, a: x ** a["exponent"],
            lambda x, a: a["exponent"] * x ** (a["exponent"] - 1.0) if a["exponent"] else 0.0 * x),
    "exp": (lambda x, a: np.exp(x), lambda x, a: np.exp(x)),
    "log": (lambda x, a: np.log(x), lambda x, a: 1.0 / x),
    "abs": (lambda x, a: np.abs(x), lambda x, a: np.sign(x)),
    "sin": (lambda x, a: np.sin(x), lambda x, a: np.cos(x)),
    "cos": (lambda x, a: np.cos(x), lambda x, a: -np.sin(x)),
    "tanh": (lambda x, a: np.tanh(x), lambda x, a: 1.0 / np.cosh(x) ** 2),
    "sigmoid": (lambda x, a: _sigma(x), lambda x, a: _sigma(x) * _sigma(-x)),
    "relu": (lambda x, a: np.where(x > 0, x, 0.0), lambda x, a: (x > 0) * 1.0),
    "leaky_relu": (lambda x, a: np.where(x > 0, x, a.get("slope", 0.01) * x),
                   lambda x, a: np.where(x > 0, 1.0, a.get("slope", 0.01))),
    "softplus": (lambda x, a: _softplus(x), lambda x, a: _sigma(x)),
    "swish": (lambda x, a: x * _sigma(x), lambda x, a: _sigma(x) + x * _sigma(x) * _sigma(-x)),
}
BINARY = {
    "add": (lambda x, y: x + y, lambda x, y: (1.0, 1.0)),
    "sub": (lambda x, y: x - y, lambda x, y: (1.0, -1.0)),
    "mul": (lambda x, y: x * y, lambda x, y: (y, x)),
    "div": (lambda x, y: x / y, lambda x, y: (1.0 / y, -x / y**2)),
    "max": (lambda x, y: np.where(x >= y, x, y),
            lambda x, y: (np.where(x > y, 1.0, np.where(x < y, 0.0, 0.5)),
                          np.where(x < y, 1.0, np.where(x > y, 0.0, 0.5)))),
    "min": (lambda x, y: np.where(x <= y, x, y),
            lambda x, y: (np.where(x < y, 1.0, np.where(x > y, 0.0, 0.5)),
                          np.where(x > y, 1.0, np.where(x < y, 0.0, 0.5)))),
    "lt": (lambda x, y: (x < y) * 1.0, lambda x, y: (0.0, 0.0)),
    "gt": (lambda x, y: (x > y) * 1.0, lambda x, y: (0.0, 0.0)),
    "eq": (lambda x, y: (x == y) * 1.0, lambda x, y: (0.0, 0.0)),
    "squared_error": (lambda x, y: (x - y) ** 2, lambda x, y: (2 * (x - y), -2 * (x - y))),
    "bce": (lambda p, y: -(y * np.log(p) + (1 - y) * np.log(1 - p)),
            lambda p, y: ((p - y) / (p * (1 - p)), np.log(1 - p) - np.log(p))),
    "bce_logits": (lambda z, y: _softplus(z) - z * y, lambda z, y: (_sigma(z) - y, -z)),
}


def forward_mode_eval(doc: dict, data: dict | None):
    """Values and dJ/dv for every Variable v, by forward-mode differentiation.

    Every value is held replicated over the M samples (shape (M,), M = 1 without data) with a
    flag saying whether it is really a scalar; every tangent has shape (D, M), one row per
    direction (a scalar Variable owns one direction, a per-sample one owns M)."""
    order, ins = topo(doc)
    nodes = {n["id"]: n for n in doc["nodes"]}
    M = len(next(iter(data.values()))) if data else 1
    all_keys = [k for n in order for k in keys_of(n)]
    # how many directions each Variable owns: decided by whether it is per-sample, known only
    # after the forward pass — so run the values first, then the tangents.
    val: dict[str, np.ndarray] = {}
    scalar: dict[str, bool] = {}
    for node in order:
        nid, op, attrs = node["id"], node["op"], node.get("attrs", {})
        if op in ("input", "parameter", "constant"):
            v, is_scalar = source_value(node, data)
            val[nid], scalar[nid] = np.broadcast_to(v, (M,)).astype(float), is_scalar
            continue
        srcs = [key(s, o, nodes) for s, o in ins[nid]]
        xs = [val[s] for s in srcs]
        sc = all(scalar[s] for s in srcs)
        if op in UNARY:
            outs = [UNARY[op][0](xs[0], attrs)]
        elif op in BINARY:
            outs = [BINARY[op][0](xs[0], xs[1])]
        elif op in ("mean", "sum"):
            x = xs[0]
            outs = [x if sc else np.full(M, x.mean() if op == "mean" else x.sum())]
            sc = True
        elif op == "softmax":
            z = np.stack(xs)
            e = np.exp(z - z.max(axis=0))
            outs = list(e / e.sum(axis=0))
        elif op == "cross_entropy":
            k = attrs.get("k", 2)
            z, y = np.stack(xs[:k]), xs[k].astype(int)
            lse = z.max(axis=0) + np.log(np.exp(z - z.max(axis=0)).sum(axis=0))
            outs = [lse - z[y, np.arange(M)]]
        else:
            raise AssertionError(f"no reference for {op}")
        for k_, o in zip(keys_of(node), outs):
            val[k_], scalar[k_] = np.broadcast_to(o, (M,)).astype(float), sc
    start, size = {}, {}
    D = 0
    for k_ in all_keys:
        start[k_], size[k_] = D, (1 if scalar[k_] else M)
        D += size[k_]

    def seed(k_):
        t = np.zeros((D, M))
        if scalar[k_]:
            t[start[k_], :] = 1.0
        else:
            t[start[k_]:start[k_] + M, :] = np.eye(M)
        return t

    tan: dict[str, np.ndarray] = {}
    for node in order:
        nid, op, attrs = node["id"], node["op"], node.get("attrs", {})
        if op in ("input", "parameter", "constant"):
            tan[nid] = seed(nid)
            continue
        srcs = [key(s, o, nodes) for s, o in ins[nid]]
        xs, ts = [val[s] for s in srcs], [tan[s] for s in srcs]
        if op in UNARY:
            outs = [UNARY[op][1](xs[0], attrs) * ts[0]]
        elif op in BINARY:
            la, lb = BINARY[op][1](xs[0], xs[1])
            outs = [la * ts[0] + lb * ts[1]]
        elif op in ("mean", "sum"):
            if scalar[srcs[0]]:
                outs = [ts[0]]
            else:
                r = ts[0].mean(axis=1) if op == "mean" else ts[0].sum(axis=1)
                outs = [np.repeat(r[:, None], M, axis=1)]
        elif op == "softmax":
            s = np.stack([val[k_] for k_ in keys_of(node)])  # (k, M)
            dz = np.stack(ts)  # (k, D, M)
            mix = (s[:, None, :] * dz).sum(axis=0)  # Σⱼ sⱼ dzⱼ
            outs = [s[i] * (dz[i] - mix) for i in range(len(ts))]
        elif op == "cross_entropy":
            k = attrs.get("k", 2)
            z = np.stack(xs[:k])
            e = np.exp(z - z.max(axis=0))
            s = e / e.sum(axis=0)
            y = xs[k].astype(int)
            outs = [sum((s[i] - (y == i)) * ts[i] for i in range(k))]  # the class port adds 0
        for k_, o in zip(keys_of(node), outs):
            tan[k_] = o + seed(k_)  # the Variable's own directions: ε added after it is computed
    loss = _loss_key(doc, nodes)
    dJ = tan[loss][:, 0] if scalar[loss] else tan[loss].mean(axis=1)
    cost = float(val[loss][0]) if scalar[loss] else float(val[loss].mean())
    values, grads = {}, {}
    for k_ in all_keys:
        values[k_] = val[k_][0] if scalar[k_] else val[k_]
        g = dJ[start[k_]:start[k_] + size[k_]]
        grads[k_] = g[0] if scalar[k_] else g
    return cost, values, grads
