"""graphcore.network: the networks Insert ▸ Network… makes (names, groups, heads, refusals)."""
import pytest

from graphcore import engine
from graphcore.builder import mlp
from graphcore.errors import GraphError
from graphcore.groups import groups_of
from graphcore.network import NetworkSpec, build_network


def labels(g):
    return [g.label(n) for n in g.nodes()]


def test_readable_names_in_the_notation_of_w_a_plus_b():
    g = build_network(NetworkSpec(["x1", "x2"], [10], ["relu"], "sigmoid_bce"))
    names = labels(g)
    for want in ("x₁", "W1[3,1]", "W1[3,2]·x₂", "b1[3]", "z1[3]", "h1[3]", "W2[1,10]", "W2[1,10]·h1[10]",
                 "b2[1]", "z2[1]", "ŷ", "L"):
        assert want in names
    assert len(set(names)) == len(names)  # every box its own name: the learner never reads an id


def test_groups_layers_hold_their_neurons_and_start_collapsed():
    g = build_network(NetworkSpec(["x1", "x2"], [3, 2], ["tanh", "sigmoid"], "sigmoid_bce"))
    gr = groups_of(g)
    assert gr.children(None) == ["layer 1", "layer 2", "layer 3"]
    assert gr.children("layer 2") == ["neuron 2.1", "neuron 2.2"]
    assert gr.get("layer 1").collapsed and not gr.get("neuron 1.1").collapsed
    ops = {g.op(n) for n in gr.members("layer 1")}
    assert "tanh" in ops and "sigmoid" not in ops  # each layer its own activation
    assert {g.op(n) for n in gr.members("layer 2")} >= {"sigmoid"}
    assert [p.variable for p in gr.ports("layer 1").inputs] == ["x1", "x2"]


def test_same_seed_same_start_as_the_lesson_builder():
    g = build_network(NetworkSpec(seed=3))
    m = mlp(["x1", "x2"], [10], "relu", "bce", seed=3)
    assert {p: g.value(p) for p in g.parameters()} == {p: m.value(p) for p in m.parameters()}


@pytest.mark.parametrize("head, loss_op, n_out",
                         [("softmax_ce", "cross_entropy", 4), ("identity_se", "squared_error", 1)])
def test_heads_evaluate(head, loss_op, n_out):
    g = build_network(NetworkSpec(["a", "b"], [3], ["relu"], head, classes=4))
    assert g.op(g.meta["loss"]) == loss_op
    data = {"a": [0.1, 0.5], "b": [0.3, -0.2], "y": [1.0, 0.0 if n_out == 1 else 3.0]}
    ev = engine.compile_graph(g).run(data)
    assert ev.cost is not None and ev.cost == ev.cost
    assert len(groups_of(g).ports("layer 2").outputs) == n_out


@pytest.mark.parametrize("spec, words", [
    (NetworkSpec(inputs=[]), "at least one input"),
    (NetworkSpec(hidden=[0]), "from 1 to"),
    (NetworkSpec(hidden=[2, 2], activations=["relu", "tanh", "relu"]), "3 activations for 2"),
    (NetworkSpec(activations=["swish"]), "unknown activation 'swish'"),
    (NetworkSpec(inputs=["x1", "x1"]), "named twice"),
    (NetworkSpec(inputs=["y"]), "label column"),
    (NetworkSpec(head="softmax_ce", classes=1), "2 to"),
])
def test_refusals_are_one_line(spec, words):
    with pytest.raises(GraphError) as err:
        build_network(spec)
    assert words in str(err.value) and "\n" not in str(err.value)

