"""Build graphs box by box from code, with tidy left-to-right positions.

The lessons (``graphcore.lessons``) and the window's templates use this::

    g = mlp(["x1", "x2"], hidden=[10], activation="relu", loss="bce")

makes a network out of scalar Function boxes — for every unit, one ``mul`` per weight,
a tree of ``add`` boxes summing the products and the bias, and the activation — laid
out in columns: inputs, then per layer weights | products | sums | activations, then
the loss. ``GraphBuilder`` is the small helper underneath: positions are given on a
grid (column, row) and stored in pixels in ``graph.layout``.
"""
from __future__ import annotations

from .errors import BadAttributeError
from .graph import Graph

COL = 210  # pixels between grid columns (a box is 150 wide)
ROW = 100  # pixels between grid rows (a two-input box is about 90 tall)
ACTIVATIONS = ("relu", "sigmoid", "tanh", "leaky_relu", "softplus", "identity")
LOSSES = ("bce", "bce_logits", "squared_error", "cross_entropy")

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def sub(n) -> str:
    """Subscript digits: sub(12) == '₁₂'."""
    return str(n).translate(_SUB)


def sup(n) -> str:
    """Superscript digits: sup(2) == '²'."""
    return str(n).translate(_SUP)


class GraphBuilder:
    """Adds boxes and wires at grid positions. Every method returns the new box's id."""

    def __init__(self, name: str = "untitled", graph: Graph | None = None):
        self.graph = graph if graph is not None else Graph(name)

    def _pos(self, at):
        return None if at is None else (at[0] * COL, at[1] * ROW)

    def input(self, id: str, column: str | None = None, *, value: float | None = None, label: str | None = None,
              at=None) -> str:
        return self.graph.add_node("input", id, label=label, value=value, column=column, pos=self._pos(at))

    def parameter(self, id: str, value: float = 0.0, *, label: str | None = None, at=None) -> str:
        return self.graph.add_node("parameter", id, label=label, value=value, pos=self._pos(at))

    def constant(self, id: str, value: float, *, label: str | None = None, at=None) -> str:
        return self.graph.add_node("constant", id, label=label, value=value, pos=self._pos(at))

    def box(self, op: str, *inputs, id: str | None = None, label: str | None = None, attrs: dict | None = None,
            at=None) -> str:
        """A Function box wired from ``inputs`` (box ids, or ``(id, out)`` for an output port)."""
        node = self.graph.add_node(op, id, label=label, attrs=attrs, pos=self._pos(at))
        for port, src in enumerate(inputs):
            src, out = (src, 0) if isinstance(src, str) else src
            self.graph.connect(src, node, port, out)
        return node

    def meta(self, **fields) -> "GraphBuilder":
        """Set graph fields: loss, output, threshold, dataset, training, name."""
        for key, value in fields.items():
            self.graph.set_meta(key, value)
        return self


def neuron(b: GraphBuilder, xs: list[str], *, layer: int, unit: int, col: float, row: float,
           activation: str | None, out_id: str | None = None, out_label: str | None = None) -> tuple[str, float]:
    """One unit a(Σᵢ wᵢxᵢ + b) from scalar boxes; returns (id of its last box, its column).

    Rows ``row .. row + len(xs)``: a weight and its product per input, then the bias.
    The products and the bias are summed pairwise, a tree of ``add`` boxes one column
    per level, so every arrow runs left to right; the last sum is the pre-activation z."""
    tag = f"{layer}_{unit}"
    comma = "," if unit >= 10 or len(xs) >= 10 else ""
    leaves = []
    for i, x in enumerate(xs, start=1):
        w_label = f"w{sup(layer)}{sub(unit)}{comma}{sub(i)}"
        w = b.parameter(f"w{tag}_{i}", 0.0, label=w_label, at=(col, row + i - 1))
        # every box gets a label in the course's notation: the learner never reads an id
        leaves.append((b.box("mul", x, w, id=f"m{tag}_{i}", label=f"{w_label}·{b.graph.label(x)}",
                             at=(col + 1, row + i - 1)), row + i - 1))
    leaves.append((b.parameter(f"b{tag}", 0.0, label=f"b{sup(layer)}{sub(unit)}", at=(col + 1, row + len(xs))),
                   row + len(xs)))
    final = out_id if not activation or activation == "identity" else None
    z_label = f"z{sup(layer)}{sub(unit)}" if final is None else (out_label or f"z{sup(layer)}{sub(unit)}")
    level, n_sums = col + 1, 0
    while len(leaves) > 1:
        level += 1
        pairs, nxt = [leaves[i:i + 2] for i in range(0, len(leaves), 2)], []
        for pair in pairs:
            if len(pair) == 1:  # the odd one waits for the next level
                nxt.append(pair[0])
                continue
            (a, ra), (c, rc) = pair
            last = len(leaves) == 2
            n_sums += 1
            node = b.box("add", a, c, id=(final or f"z{tag}") if last else f"s{tag}_{n_sums}",
                         label=z_label if last else f"s{sup(layer)}{sub(unit)}{comma}{sub(n_sums)}",
                         at=(level, (ra + rc) / 2))
            nxt.append((node, (ra + rc) / 2))
        leaves = nxt
    z, z_row = leaves[0]
    if final is not None or not activation:
        return z, level
    return b.box(activation, z, id=out_id or f"h{tag}", label=out_label or f"h{sup(layer)}{sub(unit)}",
                 at=(level + 1, z_row)), level + 1


def mlp(inputs=("x1", "x2"), hidden=(10,), activation: str = "relu", loss: str = "bce", *, classes: int = 3,
        seed: int = 0, name: str = "network", dataset: dict | None = None, training: dict | None = None,
        groups: bool = False) -> Graph:
    """A fully connected network from scalar boxes.

    ``loss``: ``bce`` (one sigmoid output ``p``), ``bce_logits`` (one logit output ``z``,
    threshold 0), ``squared_error`` (one linear output ``z``) or ``cross_entropy``
    (``classes`` logits into a cross_entropy box; a softmax box ``p`` is the output).
    Parameters start from ``training.initial_values(graph, seed)``.

    ``groups=True`` adds a group per layer (``layer 1`` …, the last is the output layer)
    holding a group per unit (``neuron 1.1`` …) that holds the unit's weights, products,
    sums, bias and activation (graphcore.groups); the loss, softmax and inputs stay outside."""
    from .training import initial_values

    inputs, hidden = list(inputs), list(hidden)
    _check_mlp(inputs, hidden, activation, loss, classes)
    n_out = classes if loss == "cross_entropy" else 1
    sizes = hidden + [n_out]
    fan = [len(inputs)] + hidden
    heights = [u * (f + 1) + (u - 1) * 0.5 for u, f in zip(sizes, fan, strict=False)]
    tallest = max(heights + [len(inputs)])
    b = GraphBuilder(name)
    top = (tallest - len(inputs)) / 2
    prev = [b.input(x, x, label=x[0] + sub(x[1:]) if x[1:].isdigit() else x, at=(0, top + i))
            for i, x in enumerate(inputs)]
    col = 1
    layer_groups: list[tuple[str, list[str]]] = []  # outer before inner: a one-unit layer nests its neuron
    for layer, (units, fan_in) in enumerate(zip(sizes, fan, strict=False), start=1):
        act, out_id, out_label = _output_unit(loss) if layer == len(sizes) else (activation, None, None)
        row = (tallest - heights[layer - 1]) / 2
        outs, units_boxes = [], []
        for unit in range(1, units + 1):
            before = len(b.graph)
            out, last_col = neuron(b, prev, layer=layer, unit=unit, col=col, row=row, activation=act,
                                   out_id=out_id, out_label=out_label)
            outs.append(out)
            units_boxes.append(b.graph.nodes()[before:])
            row += fan_in + 1.5
        prev = outs
        col = last_col + 1
        if groups:
            layer_groups.append((f"layer {layer}", [n for boxes in units_boxes for n in boxes]))
            layer_groups.extend((f"neuron {layer}.{u}", boxes) for u, boxes in enumerate(units_boxes, start=1))
    add_head(b, prev, loss, n_out, col, tallest / 2)
    if dataset is not None:
        b.meta(dataset=dataset)
    if training is not None:
        b.meta(training=training)
    g = b.graph
    g.set_values(initial_values(g, seed))
    if layer_groups:
        from .groups import groups_of
        for group_name, boxes in layer_groups:
            groups_of(g).add(group_name, boxes)
    return g


def _check_mlp(inputs: list, hidden: list, activation: str, loss: str, classes):
    if activation not in ACTIVATIONS:
        raise BadAttributeError(f"unknown activation '{activation}' (one of {', '.join(ACTIVATIONS)})")
    if loss not in LOSSES:
        raise BadAttributeError(f"unknown loss '{loss}' (one of {', '.join(LOSSES)})")
    if not inputs or any(not isinstance(h, int) or h < 1 for h in hidden):
        raise BadAttributeError("a network needs at least one input and whole-number layer sizes ≥ 1")
    if loss == "cross_entropy" and (not isinstance(classes, int) or classes < 2):
        raise BadAttributeError("cross_entropy needs classes ≥ 2")


def _output_unit(loss: str) -> tuple[str | None, str | None, str | None]:
    """The output layer's (activation, box id, label): what the loss reads."""
    if loss == "bce":
        return "sigmoid", "p", "ŷ"
    if loss in ("bce_logits", "squared_error"):
        return None, "z", "ŷ" if loss == "squared_error" else "z"
    return None, None, None  # cross_entropy: logits, one per class


def add_head(b: GraphBuilder, outs: list[str], loss: str, n_out: int, col: float, mid: float,
             softmax_label: str = "softmax"):
    """The label y and the cost J (box "L") after the last layer's outputs; the output box
    ("p", the softmax, for cross-entropy) is what the decision boundary reads."""
    y = b.input("y", "y", label="y", at=(col, mid + 1))
    if loss == "cross_entropy":
        b.box("softmax", *outs, id="p", label=softmax_label, attrs={"k": n_out}, at=(col, mid - 1.5))
        b.box("cross_entropy", *outs, y, id="L", label="L", attrs={"k": n_out}, at=(col + 1, mid))
        b.meta(loss="L", output="p")
    else:
        b.box(loss, outs[0], y, id="L", label="L", at=(col + 1, mid))
        b.meta(loss="L", output=outs[0])
        if loss == "bce_logits":
            b.meta(threshold=0.0)
