"""The numpy export: one self-contained script (numpy and the standard library only).

It holds the parameters (their current values), the data set, ``forward`` and
``backward`` as straight-line chain-rule code (``straightline``), the optimizer's update
rule exactly as ``graphcore.optim`` (= torch.optim) applies it, the training loop with
the Trainer's batching rule, and a ``__main__`` that trains and prints the final cost.
``--json`` prints the first forward/backward and the training result, for comparison
with the app. Same graph → same text.
"""
from __future__ import annotations

import inspect

from .. import optim
from ..engine import compile_graph
from ..graph import Graph
from . import parts
from .naming import comment_text, module_names
from .straightline import PRELUDE, assign_names, emit_backward, emit_forward, input_reads, loss_is_per_sample

def optimizer_code(name: str) -> str:
    """The optimizer's update rule for the script: graphcore.optim's own functions (their
    source, so the script applies the app's very lines) and the two the training loop calls."""
    make_state, update = optim.RULES[name]
    parts_ = [inspect.getsource(f) for f in (optim.weight_decayed, make_state, update)]
    parts_.append(f"""\
def new_state(n):
    return {{"t": 0, **{make_state.__name__}(n, HP)}}


def optimizer_step(theta, g, state):
    \"\"\"One {optim.TITLES[name]} step, as torch.optim takes it: weight decay, then the rule.\"\"\"
    state["t"] += 1
    {update.__name__}(theta, weight_decayed(g, theta, HP), state, state["t"], HP)
""")
    return "\n\n".join(parts_)


TRAIN_CODE = '''\
def rows(data):
    return None if not data else len(next(iter(data.values())))


def as_params(theta):
    return dict(zip(PARAM_IDS, theta))


def predict(values):
    """Class predictions: argmax over a softmax's outputs, else output > threshold."""
    if not OUTPUT_KEYS:
        return None
    if len(OUTPUT_KEYS) > 1:
        probs = np.stack(np.broadcast_arrays(*[values[k] for k in OUTPUT_KEYS]))
        return probs.argmax(axis=0).astype(float)
    return (values[OUTPUT_KEYS[0]] > THRESHOLD).astype(float)


def measure(theta, data):
    """Cost and accuracy on ``data`` with parameters ``theta`` (forward only)."""
    cost, values = forward(as_params(theta), data)
    pred = predict(values)
    if data is None or "y" not in data or pred is None:
        return cost, None
    pred = np.broadcast_to(pred, np.shape(data["y"]))
    return cost, float(np.sum(pred == data["y"])) / len(data["y"])


def train(theta, train_data, epochs):
    """Gradient descent: each epoch is one pass over the training points in batches of
    BATCH_SIZE (shuffled with SEED), one optimizer step per batch. Returns each epoch's
    cost: the mean of its batches' costs, each taken before that batch's step."""
    state = new_state(len(theta))
    rng = np.random.default_rng(SEED)
    n = rows(train_data)
    history = []
    for epoch in range(epochs):
        if n is None or BATCH_SIZE is None or BATCH_SIZE >= n:
            batches = [None]  # full batch, in stored order
        else:
            perm = rng.permutation(n)
            batches = [perm[i:i + BATCH_SIZE] for i in range(0, n, BATCH_SIZE)]
        total = 0.0
        for idx in batches:
            batch = train_data if idx is None else {k: c[idx] for k, c in train_data.items()}
            cost, values = forward(as_params(theta), batch)
            grads = backward(values)
            g = np.array([float(grads[p]) if p in grads else 0.0 for p in PARAM_IDS])
            optimizer_step(theta, g, state)
            if not np.all(np.isfinite(theta)):
                raise FloatingPointError(f"epoch {epoch + 1}: a parameter became non-finite (learning rate too large?)")
            total += cost
        history.append(total / len(batches))
    return history


def number(v):
    a = np.asarray(v, dtype=float)
    return float(a) if a.ndim == 0 else [float(x) for x in a]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train the exported graph and print the final cost J.")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="number of epochs (default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the first evaluation and the result as JSON")
    args = parser.parse_args(argv)
    train_data, test_data = make_data()
    theta = np.array([PARAMS[p] for p in PARAM_IDS], dtype=float)
    cost0, values = forward(as_params(theta), train_data)
    grads = backward(values) if HAS_LOSS else {}
    history = train(theta, train_data, args.epochs) if HAS_LOSS else []
    cost, accuracy = measure(theta, train_data)
    result = {"cost": cost, "accuracy": accuracy, "epochs": len(history),
              "parameters": {p: float(v) for p, v in zip(PARAM_IDS, theta)},
              "history": [{"epoch": i + 1, "cost": c} for i, c in enumerate(history)]}
    if test_data is not None:
        result["test_cost"], result["test_accuracy"] = measure(theta, test_data)
    if args.json:
        result["first"] = {"cost": cost0, "values": {k: number(v) for k, v in values.items()},
                           "grads": {k: number(v) for k, v in grads.items()}}
        print(json.dumps(result))
    elif not HAS_LOSS:
        print("the graph names no loss: nothing to train")
        for k in OUTPUT_KEYS:
            print(k, "=", values[k])
    else:
        print(f"trained {len(history)} epochs with {OPTIMIZER}")
        for p, v in result["parameters"].items():
            print(f"  {p} = {v:.10g}")
        print(f"final cost J = {cost:.10g}" + ("" if accuracy is None else f", accuracy {accuracy:.1%}"))


if __name__ == "__main__":
    try:
        main()
    except (FloatingPointError, ValueError) as exc:  # a nan or inf (it names the box), a class that is no class
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
'''

HEADER = '''\
#!/usr/bin/env python3
"""A computation graph exported from Backprop Studio as plain numpy code.

    python THIS_FILE             trains with the graph's optimizer and prints the final cost J
    python THIS_FILE --json      the first forward/backward and the training result, as JSON

forward() computes every Variable box by box; backward() applies the chain rule from the
cost J back to every parameter: downstream = local derivative × upstream. Each line ends
with the id of the box it belongs to, as [box-id]. Only numpy and the standard library.
"""
import argparse
import json
import math
import sys

import numpy as np

np.seterr(all="ignore")  # a nan or an inf is caught by check_finite(), which names the box
'''

def settings_lines(graph: Graph, plan, settings) -> list[str]:
    """The constants the training code reads: optimizer, its hyper-parameters, the loop's."""
    opt = settings.optimizer if settings else "sgd"
    hp = settings.hp if settings else {"lr": 0.001, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0,
                                        "nesterov": False}
    hp = {k: tuple(float(b) for b in v) if k == "betas" else v for k, v in sorted(hp.items())}
    lines = [f"OPTIMIZER = {opt!r}", f"HP = {hp!r}  # its hyper-parameters, by torch.optim's names"]
    lines += [f"EPOCHS = {settings.epochs if settings else 0!r}",
              f"BATCH_SIZE = {settings.batch_size if settings else None!r}  # None: full batch",
              f"SEED = {settings.seed if settings else 0!r}  # shuffles the batches",
              f"HAS_LOSS = {plan.loss_slot is not None!r}",
              f"OUTPUT_KEYS = {[plan.keys[s] for s in plan.output_slots]!r}  # the model's prediction",
              f"THRESHOLD = {float(graph.meta.get('threshold', 0.5))!r}"]
    return lines


def params_lines(graph: Graph, plan) -> list[str]:
    lines = ["# The parameters, with their current values (the optimizer's order).", "PARAMS = {"]
    for pid in plan.param_ids:
        label = graph.label(pid)
        lines.append(f"    {pid!r}: {float(graph.value(pid))!r},  # [{comment_text(pid)}]"
                     + (f" {comment_text(label)}" if label != pid else ""))
    lines += ["}", "PARAM_IDS = list(PARAMS)"]
    return lines


def to_numpy(graph: Graph) -> str:
    """The whole script as text."""
    plan = compile_graph(graph)
    settings, ds = parts.training_settings(graph)
    reads = input_reads(plan, None if ds is None else set(ds.columns))
    data = parts.data_section(ds)
    opt_code = optimizer_code(settings.optimizer if settings else "sgd")
    fixed = "\n".join([HEADER, *params_lines(graph, plan), *settings_lines(graph, plan, settings), *data,
                       PRELUDE, opt_code, TRAIN_CODE])
    names = assign_names(plan, module_names(fixed))
    fwd = emit_forward(plan, names, reads)
    if plan.loss_slot is not None:
        bwd = emit_backward(plan, names, reads)
        per_sample = loss_is_per_sample(plan, reads)
    else:
        bwd = ["def backward(values):", '    """The graph names no loss: no gradients."""', "    return {}"]
        per_sample = False
    title = comment_text(graph.meta.get("name") or "untitled", 70)
    out = [HEADER.rstrip("\n"),
           f"# Graph: {title}",
           f"# The cost J is {'the mean of the loss over the samples' if per_sample else 'the loss box value'}.",
           "", "", *params_lines(graph, plan), "",
           "# Training settings (the graph's training block, with torch.optim's defaults).",
           *settings_lines(graph, plan, settings), "", "", *data, "", "",
           "# --- helpers the forward and backward code call ---", "", PRELUDE.rstrip("\n"), "", "",
           "# --- the graph ---", "", *fwd, "", "", *bwd, "", "",
           "# --- training ---", "", opt_code.rstrip("\n"), "", "", TRAIN_CODE.rstrip("\n")]
    return "\n".join(out) + "\n"
