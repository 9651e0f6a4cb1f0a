"""The optimizers against torch.optim in float64: same parameters to 1e-9 after 30 epochs."""
import numpy as np
import pytest

from graphcore import datasets
from graphcore.builder import mlp
from graphcore.training import Trainer

torch = pytest.importorskip("torch")

CASES = [
    ("sgd", 0.5, {}, lambda p, lr: torch.optim.SGD(p, lr=lr)),
    ("sgd", 0.3, {"weight_decay": 0.01}, lambda p, lr: torch.optim.SGD(p, lr=lr, weight_decay=0.01)),
    ("momentum", 0.1, {}, lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9)),
    ("momentum", 0.1, {"momentum": 0.5, "dampening": 0.2},
     lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.5, dampening=0.2)),
    ("momentum", 0.1, {"nesterov": True}, lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True)),
    ("adagrad", 0.5, {}, lambda p, lr: torch.optim.Adagrad(p, lr=lr)),
    ("adagrad", 0.5, {"lr_decay": 0.05, "initial_accumulator_value": 0.1, "weight_decay": 0.01},
     lambda p, lr: torch.optim.Adagrad(p, lr=lr, lr_decay=0.05, initial_accumulator_value=0.1, weight_decay=0.01)),
    ("rmsprop", 0.02, {}, lambda p, lr: torch.optim.RMSprop(p, lr=lr)),
    ("rmsprop", 0.01, {"centered": True, "momentum": 0.5, "alpha": 0.9},
     lambda p, lr: torch.optim.RMSprop(p, lr=lr, centered=True, momentum=0.5, alpha=0.9)),
    ("adam", 0.05, {}, lambda p, lr: torch.optim.Adam(p, lr=lr)),
    ("adam", 0.05, {"betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.1},
     lambda p, lr: torch.optim.Adam(p, lr=lr, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
]
START = {"w1_1_1": 0.3, "w1_1_2": -0.2, "b1_1": 0.1}


def logistic_graph():
    g = mlp(["x1", "x2"], [], loss="bce", dataset={"generator": "diag", "n": 50, "seed": 1})
    g.set_values(START)
    return g


def torch_run(make_opt, lr, data, epochs, batch_size=None, seed=0):
    x = torch.tensor(np.stack([data["x1"], data["x2"]], 1), dtype=torch.float64)
    y = torch.tensor(data["y"], dtype=torch.float64)
    w = torch.tensor([START["w1_1_1"], START["w1_1_2"]], dtype=torch.float64, requires_grad=True)
    b = torch.tensor(START["b1_1"], dtype=torch.float64, requires_grad=True)
    opt = make_opt([w, b], lr)
    n = len(y)
    rng = np.random.default_rng(seed)
    costs = []
    for _ in range(epochs):
        if batch_size is None or batch_size >= n:
            batches = [np.arange(n)]
        else:
            perm = rng.permutation(n)
            batches = [perm[i:i + batch_size] for i in range(0, n, batch_size)]
        epoch_costs = []
        for idx in batches:
            idx = torch.as_tensor(idx)
            p = torch.sigmoid(x[idx] @ w + b)
            loss = -(y[idx] * torch.log(p) + (1 - y[idx]) * torch.log(1 - p)).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            epoch_costs.append(loss.item())
        costs.append(np.mean(epoch_costs))
    return np.array([*w.detach().numpy(), b.item()]), np.array(costs)


@pytest.mark.parametrize("name,lr,options,make_opt", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_full_batch_matches_torch(name, lr, options, make_opt):
    g = logistic_graph()
    tr = Trainer(g, optimizer=name, lr=lr, epochs=30, options=options)
    result = tr.train()
    assert result["status"] == "done"
    ours = np.array([result["parameters"][k] for k in ("w1_1_1", "w1_1_2", "b1_1")])
    theirs, costs = torch_run(make_opt, lr, datasets.for_graph(g).train(), 30)
    assert np.abs(ours - START_ARRAY).max() > 1e-3  # training moved the parameters
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(tr.history.cost, costs, rtol=0, atol=1e-9)


START_ARRAY = np.array([START["w1_1_1"], START["w1_1_2"], START["b1_1"]])


@pytest.mark.parametrize("name,lr,options,make_opt", [CASES[2], CASES[7], CASES[9]],
                         ids=["momentum", "rmsprop", "adam"])
def test_minibatches_follow_the_shuffling_rule(name, lr, options, make_opt):
    g = logistic_graph()
    tr = Trainer(g, optimizer=name, lr=lr, epochs=12, batch_size=16, seed=5, options=options)
    result = tr.train()
    theirs, costs = torch_run(make_opt, lr, datasets.for_graph(g).train(), 12, batch_size=16, seed=5)
    ours = np.array([result["parameters"][k] for k in ("w1_1_1", "w1_1_2", "b1_1")])
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)
    np.testing.assert_allclose(tr.history.cost, costs, rtol=0, atol=1e-9)
