"""Networks a learner asks for by shape (the window's Insert ▸ Network…): grouped, wired,
laid out, every box named in the notation of b(a) = W·a + c.

    g = build_network(NetworkSpec(["x1", "x2"], hidden=[10], activations=["relu"], head="sigmoid_bce"))

Each unit is made of scalar boxes by ``builder.neuron`` (the same boxes, in the same
order, as ``builder.mlp``, so the same seed gives the same starting values), then named:

* ``W1[j,i]`` — the weight in row j, column i of layer 1's matrix: from input i into unit j
  (the layer computes z = W·a + b, so row j of W belongs to unit j);
* ``b1[j]`` the bias, ``z1[j]`` the pre-activation, ``h1[j]`` the unit's output;
  ``s1[j]₂`` a partial sum of the products on the way to z1[j];
* ``ŷ`` the prediction, ``L`` the loss.

Groups: a group per layer (``layer 1`` …, the last is the output layer) holding a group
per unit (``neuron 1.3``), as ``builder.mlp(groups=True)``; the layers start collapsed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .builder import ACTIVATIONS, GraphBuilder, add_head, neuron, sub
from .errors import BadAttributeError
from .graph import Graph
from .groups import groups_of

# Output heads: (the last layer's activation, the loss Function, what the learner reads).
HEADS = {
    "sigmoid_bce": ("sigmoid", "bce", "sigmoid + binary cross-entropy (two classes)"),
    "softmax_ce": (None, "cross_entropy", "softmax + cross-entropy (k classes)"),
    "identity_se": (None, "squared_error", "identity + squared error (a number)"),
}
MAX_UNITS = 64     # per layer: a box-by-box network past this is unreadable and slow to draw
MAX_LAYERS = 8
MAX_INPUTS = 16


@dataclass
class NetworkSpec:
    inputs: list[str] = field(default_factory=lambda: ["x1", "x2"])  # data columns
    hidden: list[int] = field(default_factory=lambda: [10])
    activations: list[str] = field(default_factory=lambda: ["relu"])  # one per hidden layer, or one for all
    head: str = "sigmoid_bce"
    classes: int = 3  # softmax head only
    seed: int = 0
    name: str = "network"

    def checked(self) -> "NetworkSpec":
        """This spec if it makes a network; else a BadAttributeError saying what is wrong."""
        if not self.inputs:
            raise BadAttributeError("a network needs at least one input")
        if len(self.inputs) > MAX_INPUTS:
            raise BadAttributeError(f"{len(self.inputs)} inputs: at most {MAX_INPUTS}")
        if len(set(self.inputs)) != len(self.inputs):
            raise BadAttributeError("an input is named twice")
        if "y" in self.inputs:
            raise BadAttributeError("'y' is the label column: it cannot be an input")
        if len(self.hidden) > MAX_LAYERS:
            raise BadAttributeError(f"{len(self.hidden)} hidden layers: at most {MAX_LAYERS}")
        for size in self.hidden:
            if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_UNITS:
                raise BadAttributeError(f"a layer size must be a whole number from 1 to {MAX_UNITS}, not {size!r}")
        acts = self.layer_activations()
        for act in acts:
            if act not in ACTIVATIONS:
                raise BadAttributeError(f"unknown activation '{act}' (one of {', '.join(ACTIVATIONS)})")
        if self.head not in HEADS:
            raise BadAttributeError(f"unknown output head '{self.head}' (one of {', '.join(HEADS)})")
        if self.head == "softmax_ce" and not (isinstance(self.classes, int) and 2 <= self.classes <= MAX_UNITS):
            raise BadAttributeError(f"softmax needs from 2 to {MAX_UNITS} classes")
        return self

    def layer_activations(self) -> list[str]:
        acts = list(self.activations)
        if len(acts) == 1:
            return acts * len(self.hidden)
        if len(acts) != len(self.hidden):
            raise BadAttributeError(f"{len(acts)} activations for {len(self.hidden)} hidden layers: "
                                    "give one for every layer, or one for all")
        return acts

    def describe(self) -> str:
        n_out = self.classes if self.head == "softmax_ce" else 1
        return " → ".join(str(n) for n in [len(self.inputs), *self.hidden, n_out])


def input_label(column: str) -> str:
    """x1 → x₁; any other column name as it is."""
    return column[0] + sub(column[1:]) if len(column) > 1 and column[1:].isdigit() else column


def build_network(spec: NetworkSpec) -> Graph:
    """The network ``spec`` describes, with its groups, layout and seeded starting values."""
    from .training import initial_values

    spec = spec.checked()
    act_last, loss, _ = HEADS[spec.head]
    n_out = spec.classes if spec.head == "softmax_ce" else 1
    sizes, fan = spec.hidden + [n_out], [len(spec.inputs)] + spec.hidden
    acts = spec.layer_activations() + [act_last]
    heights = [u * (f + 1) + (u - 1) * 0.5 for u, f in zip(sizes, fan, strict=True)]
    tallest = max(heights + [len(spec.inputs)])
    b = GraphBuilder(spec.name)
    top = (tallest - len(spec.inputs)) / 2
    prev = [b.input(c, c, label=input_label(c), at=(0, top + i)) for i, c in enumerate(spec.inputs)]
    col, layer_groups = 1, []
    for layer, (units, fan_in, act) in enumerate(zip(sizes, fan, acts, strict=True), start=1):
        last = layer == len(sizes)
        out_id = ("p" if act else "z") if last and n_out == 1 else None
        row, outs, unit_boxes = (tallest - heights[layer - 1]) / 2, [], []
        for unit in range(1, units + 1):
            before = len(b.graph)
            out, last_col = neuron(b, prev, layer=layer, unit=unit, col=col, row=row, activation=act,
                                   out_id=out_id, out_label="ŷ" if out_id else None)
            outs.append(out)
            unit_boxes.append(b.graph.nodes()[before:])
            row += fan_in + 1.5
        _name_layer(b.graph, layer, unit_boxes, prev)
        prev, col = outs, last_col + 1
        layer_groups.append((f"layer {layer}", [n for boxes in unit_boxes for n in boxes], True))
        layer_groups += [(f"neuron {layer}.{u}", boxes, False) for u, boxes in enumerate(unit_boxes, start=1)]
    add_head(b, prev, loss, n_out, col, tallest / 2, softmax_label="ŷ")
    g = b.graph
    g.set_values(initial_values(g, spec.seed))
    for name, boxes, collapsed in layer_groups:
        groups_of(g).add(name, boxes, collapsed=collapsed)
    return g


def _name_layer(g: Graph, layer: int, unit_boxes: list[list[str]], inputs: list[str]):
    """Relabel one layer's boxes (made by builder.neuron, whose ids say each box's role)."""
    for unit, boxes in enumerate(unit_boxes, start=1):
        tag = f"{layer}_{unit}"
        for box in boxes:
            if g.label(box) == "ŷ":
                continue
            role, rest = box[0], box[1 + len(tag):]
            if box[1:].startswith(tag + "_") and role in "wm":
                i = int(rest[1:])
                w = f"W{layer}[{unit},{i}]"
                g.set_label(box, w if role == "w" else f"{w}·{g.label(inputs[i - 1])}")
            elif box == f"s{tag}{rest}" and rest.startswith("_"):
                g.set_label(box, f"s{layer}[{unit}]{sub(rest[1:])}")
            elif box in (f"b{tag}", f"z{tag}", f"h{tag}"):
                g.set_label(box, f"{role}{layer}[{unit}]")
            elif box == "z":  # the linear output unit
                g.set_label(box, f"z{layer}[{unit}]")

