"""The PyTorch export: the graph as an ``nn.Module`` (float64) with its training loop.

The parameters become ``nn.Parameter``s with the same names as in the numpy export;
``forward`` computes the same Variables with torch ops whose derivatives are the
catalogue's (``torch.maximum`` splits ties, ``relu'(0) = 0``, softplus without torch's
threshold); autograd does the backward pass; the optimizer is the matching
``torch.optim`` class. The data set and the batching rule are the numpy export's.
"""
from __future__ import annotations

from collections import Counter

from .. import formula
from .. import functions as F
from ..engine import compile_graph
from ..graph import Graph
from . import parts
from .naming import comment_text, module_names
from .numpy_script import params_lines, settings_lines
from .straightline import code_tag, assign_names, infer_ndims, input_reads, k_port_call

HEADER = '''\
#!/usr/bin/env python3
"""A computation graph exported from Backprop Studio as a PyTorch model (float64).

    python THIS_FILE             trains with the graph's torch.optim optimizer, prints the final cost J
    python THIS_FILE --json      the first forward/backward and the training result, as JSON

Model.forward() computes every Variable box by box; autograd does backward. Each line of
the model ends with the id of the box it belongs to, as [box-id].
"""
import argparse
import json

import numpy as np
import torch
from torch import nn

torch.set_default_dtype(torch.float64)
'''

PRELUDE = '''\
def softmax(*zs):
    """sᵢ = e^zᵢ / Σⱼ e^zⱼ over the k inputs, per sample."""
    return list(torch.softmax(torch.stack(torch.broadcast_tensors(*zs)), dim=0).unbind(0))


def cross_entropy(zs, y):
    """−ln softmax(z)_y = logsumexp(z) − z_y; y must hold whole numbers 0..k-1."""
    *zs, y = torch.broadcast_tensors(*zs, y)
    z = torch.stack(zs)
    k = len(zs)
    if bool(torch.any((y != torch.round(y)) | (y < 0) | (y > k - 1) | ~torch.isfinite(y))):
        raise ValueError(f"cross_entropy: the class y must be a whole number 0..{k - 1}")
    yi = y.detach().long()
    return torch.logsumexp(z, dim=0) - torch.gather(z, 0, yi.unsqueeze(0)).squeeze(0)


def bce(a, b):
    """torch's own binary cross-entropy per sample (logs clamped at −100), a and b broadcast."""
    return nn.functional.binary_cross_entropy(*torch.broadcast_tensors(a, b), reduction="none")


def zero(x):
    return torch.zeros_like(x)
'''

OPTIMIZERS = {
    "sgd": ("SGD", ("lr", "momentum", "dampening", "weight_decay", "nesterov")),
    "momentum": ("SGD", ("lr", "momentum", "dampening", "weight_decay", "nesterov")),
    "adagrad": ("Adagrad", ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")),
    "rmsprop": ("RMSprop", ("lr", "alpha", "eps", "weight_decay", "momentum", "centered")),
    "adam": ("Adam", ("lr", "betas", "eps", "weight_decay")),
}

TRAIN_CODE = '''\
def rows(data):
    return None if not data else len(next(iter(data.values())))


def tensors(data, grad=False):
    """Columns as float64 tensors (grad: track dJ/d(column) too, for the first evaluation)."""
    if data is None:
        return None
    return {k: torch.tensor(c, dtype=torch.float64, requires_grad=grad) for k, c in data.items()}


def predict(values):
    """Class predictions: argmax over a softmax's outputs, else output > threshold."""
    if not OUTPUT_KEYS:
        return None
    if len(OUTPUT_KEYS) > 1:
        return torch.stack(torch.broadcast_tensors(*[values[k] for k in OUTPUT_KEYS])).argmax(dim=0).double()
    return (values[OUTPUT_KEYS[0]] > THRESHOLD).double()


def measure(model, data):
    with torch.no_grad():
        data = tensors(data)
        cost, values = model(data)
        pred = predict(values)
        if cost is not None:
            cost = float(cost)
        if data is None or "y" not in data or pred is None:
            return cost, None
        pred = torch.broadcast_to(pred, data["y"].shape)
        return cost, float(torch.sum(pred == data["y"])) / len(data["y"])


def train(model, train_data, epochs):
    """One epoch = one pass over the training points in batches of BATCH_SIZE (shuffled
    with numpy's default_rng(SEED), as the app does), one optimizer step per batch."""
    params = list(model.parameters())
    optimizer = make_optimizer(params) if params else None
    rng = np.random.default_rng(SEED)
    n = rows(train_data)
    history = []
    for epoch in range(epochs):
        if n is None or BATCH_SIZE is None or BATCH_SIZE >= n:
            batches = [None]
        else:
            perm = rng.permutation(n)
            batches = [perm[i:i + BATCH_SIZE] for i in range(0, n, BATCH_SIZE)]
        total = 0.0
        for idx in batches:
            batch = train_data if idx is None else {k: c[idx] for k, c in train_data.items()}
            cost, _ = model(tensors(batch))
            if optimizer is not None:
                optimizer.zero_grad()
                cost.backward()
                for p in params:  # a parameter the cost does not depend on still takes its (zero) step
                    if p.grad is None:
                        p.grad = torch.zeros_like(p)
                optimizer.step()
            total += float(cost.detach())  # float() of a tensor that needs grad warns on every run
        history.append(total / len(batches))
    return history


def number(v):
    a = v.detach().numpy() if torch.is_tensor(v) else np.asarray(v, dtype=float)
    return float(a) if a.ndim == 0 else [float(x) for x in a]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train the exported graph with PyTorch and print the final cost J.")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="number of epochs (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the first evaluation and the result as JSON")
    args = parser.parse_args(argv)
    train_data, test_data = make_data()
    model = Model()
    cost0, values = model(tensors(train_data, grad=True))
    grads = {}
    if HAS_LOSS and cost0.requires_grad:
        for v in values.values():
            if v.requires_grad and not v.is_leaf:
                v.retain_grad()
        cost0.backward()
        grads = {k: v.grad for k, v in values.items() if v.requires_grad and v.grad is not None}
        model.zero_grad()
    first = {"cost": None if cost0 is None else float(cost0.detach()),
             "values": {k: number(v) for k, v in values.items()},
             "grads": {k: number(g) for k, g in grads.items()}}
    history = train(model, train_data, args.epochs) if HAS_LOSS else []
    cost, accuracy = measure(model, train_data)
    result = {"cost": cost, "accuracy": accuracy, "epochs": len(history),
              "parameters": {p: float(getattr(model, NAME_OF[p]).detach()) for p in PARAM_IDS},
              "history": [{"epoch": i + 1, "cost": c} for i, c in enumerate(history)]}
    if test_data is not None:
        result["test_cost"], result["test_accuracy"] = measure(model, test_data)
    if args.json:
        result["first"] = first
        print(json.dumps(result))
    elif not HAS_LOSS:
        print("the graph names no loss: nothing to train")
    else:
        print(f"trained {len(history)} epochs with torch.optim ({OPTIMIZER})")
        for p, v in result["parameters"].items():
            print(f"  {p} = {v:.10g}")
        print(f"final cost J = {cost:.10g}" + ("" if accuracy is None else f", accuracy {accuracy:.1%}"))


if __name__ == "__main__":
    main()
'''


def torch_expr(op: str, xs: list[str], attrs: dict) -> str:
    """The catalogue's forward as torch code whose autograd derivative is the catalogue's."""
    special = k_port_call(op, xs, attrs)
    if special:
        return special
    fn = F.get(op)
    _ = fn.tree  # a Function without its local derivatives is no Function the app can run: refuse it too
    if fn.torch is not None:
        return fn.torch.format(**dict(zip(fn.ports, xs)))
    code = formula.code(fn.tree.forward, dict(zip(fn.ports, xs)), attrs, "torch")
    return f"{code}.clone()" if code in xs else code  # a Variable of its own, for its own dJ/dv


def model_lines(graph: Graph, plan, names, reads) -> list[str]:
    v = names.value
    lines = ["class Model(nn.Module):",
             '    """The graph as a module: its parameters are nn.Parameters of the same names."""', "",
             "    def __init__(self):", "        super().__init__()"]
    for pid in plan.param_ids:
        lines.append(f"        self.{v[pid]} = nn.Parameter(torch.tensor({float(graph.value(pid))!r}))"
                     + code_tag(pid, graph.label(pid) if graph.label(pid) != pid else "parameter"))
    lines += ["", "    def forward(self, data):",
              '        """The cost J and every Variable, box by box in topological order."""']
    readers = Counter(reads[s.node] for s in plan.sources if s.op == "input" and reads.get(s.node))
    for src in plan.sources:
        n = v[plan.keys[src.slot]]
        if src.op == "parameter":
            code = f"self.{n}"
        elif src.op == "input" and reads.get(src.node):
            col = reads[src.node]
            # boxes sharing a column each get their own tensor (and their own dJ/dv)
            code = f"data[{col!r}]" + (".clone()" if readers[col] > 1 else "")
        else:
            code = f"torch.tensor({float(src.value)!r}, requires_grad=True)"  # autograd reports dJ/dv, as the app
        lines.append(f"        {n} = {code}" + code_tag(src.node, src.op))
    for step in plan.steps:
        xs = [v[plan.keys[i]] for i in step.ins]
        outs = [v[plan.keys[o]] for o in step.outs]
        lines.append(f"        {', '.join(outs)} = {torch_expr(step.op, xs, step.attrs)}"
                     + code_tag(step.node, step.op))
    if plan.loss_slot is not None:
        key = plan.keys[plan.loss_slot]
        per_sample = infer_ndims(plan, reads)[key] == 1
        lines.append(f"        {names.cost} = {'torch.mean(' + v[key] + ')' if per_sample else v[key]}"
                     + code_tag(plan.owner[plan.loss_slot], "the cost J"))
    else:
        lines.append(f"        {names.cost} = None  # the graph names no loss")
    ignored = set(plan.ignored)  # boxes the cost does not depend on: never computed
    body = ", ".join(f"{k!r}: {v[k]}" for k, o in zip(plan.keys, plan.owner) if o not in ignored)
    lines.append(f"        return {names.cost}, {{{body}}}")
    return lines


def optimizer_lines(settings) -> list[str]:
    name = settings.optimizer if settings else "sgd"
    cls, keys = OPTIMIZERS[name]
    hp = settings.hp if settings else {"lr": 0.001}
    args = ", ".join(f"{k}={tuple(hp[k]) if k == 'betas' else hp[k]!r}" for k in keys if k in hp)
    return ["def make_optimizer(params):",
            f'    """torch.optim.{cls}, set as the graph says (single-tensor updates, as the app applies them)."""',
            f"    return torch.optim.{cls}(params, {args}, foreach=False)"]


def to_torch(graph: Graph) -> str:
    plan = compile_graph(graph)
    settings, ds = parts.training_settings(graph)
    reads = input_reads(plan, None if ds is None else set(ds.columns))
    data = parts.data_section(ds)
    opt = optimizer_lines(settings)
    fixed = "\n".join([HEADER, *params_lines(graph, plan), *settings_lines(graph, plan, settings), *data,
                       PRELUDE, *opt, TRAIN_CODE, "class Model: pass", "NAME_OF = {}"])
    names = assign_names(plan, module_names(fixed) | {"data"})
    name_of = ", ".join(f"{p!r}: {names.value[p]!r}" for p in plan.param_ids)
    out = [HEADER.rstrip("\n"), f"# Graph: {comment_text(graph.meta.get('name') or 'untitled', 70)}", "", "",
           *params_lines(graph, plan), f"NAME_OF = {{{name_of}}}  # box id -> nn.Parameter name", "",
           "# Training settings (the graph's training block, with torch.optim's defaults).",
           *settings_lines(graph, plan, settings), "", "", *data, "", "",
           PRELUDE.rstrip("\n"), "", "", *model_lines(graph, plan, names, reads), "", "",
           *opt, "", "", TRAIN_CODE.rstrip("\n")]
    return "\n".join(out) + "\n"
