"""The canvas picture for one step of a step-through (Qt-free, so it is tested headless).

The picture is a pure function of the sequence and the index — nothing accumulates while
stepping — so stepping back restores exactly the picture that was there before.
"""
from __future__ import annotations

from graphcore.numbers import format_number
from graphcore.stepthrough import StepSequence

from ..canvas.overlay import CanvasOverlay


def _edge_maps(seq: StepSequence, edges) -> tuple[dict, dict]:
    """Edge → the Variable it carries; (box, port) → the edge into that port."""
    outs = {}
    for ev in seq.events:
        if ev.phase == "forward":
            outs[ev.node] = ev.output_keys
    carries, into = {}, {}
    for e in edges:
        keys = outs.get(e.src)
        if keys and e.out < len(keys):
            carries[e] = keys[e.out]
        into[(e.dst, e.port)] = e
    return carries, into


def add_seed_badge(ov: CanvasOverlay, box_steps) -> None:
    """The seed at the cost: dJ/dJ = 1 (or 1/m per sample when J is the mean of a per-sample
    loss), from the first seed among ``box_steps`` (box-level steps only)."""
    seed = next((s for s in box_steps if s.is_seed), None)
    if seed is None:
        return
    up = seed.upstream[0][2]
    if up.single and up.mean == 1.0:
        ov.badges[seed.node] = "dJ/dJ = 1"
    else:
        ov.badges[seed.node] = f"dJ/d{seed.name}ᵢ = 1/m = {format_number(up.mean, 3)}"


def mark_box_gradients(ov: CanvasOverlay, step, edge_into) -> None:
    """A box's backward step on the canvas (box level and group level alike): each downstream
    gradient on the arrow into its port (``edge_into(box, port)``, None when unwired), and a
    source box's total gradient as a badge."""
    for p in step.ports:
        edge = edge_into(step.node, p.port)
        if edge is not None:
            ov.edge_grads[edge] = p.downstream.short
    if step.is_source:
        _, name, total = step.upstream[0]
        ov.badges[step.node] = f"dJ/d{name} = {total.short}"


def overlay_at(seq: StepSequence | None, edges, index: int, reveal: bool = True) -> CanvasOverlay:
    """What the canvas shows at step ``index`` (-1: before the first step).

    ``reveal=False`` (a quiz question is open) hides what it asks for: the value a forward step
    computes, or the gradients a backward step sends back."""
    if seq is None or index < 0 or not seq.steps:
        return CanvasOverlay()
    index = min(index, len(seq.steps) - 1)
    cur = seq.steps[index]
    carries, into = _edge_maps(seq, edges)
    ov = CanvasOverlay(current=cur.node)
    ov.done = {s.node for s in seq.steps[:index] if s.phase == cur.phase}
    # Forward values on every arrow whose box has computed (all of them once backward runs);
    # a forward quiz question hides the current box's own value until it is answered.
    computed = {}
    ov.known_values = set()
    for s in seq.steps[:index + 1]:
        if s.phase == "forward" and not (s is cur and not reveal):
            ov.known_values.add(s.node)
            for key, _, shown in s.outputs:
                computed[key] = shown
    for edge, key in carries.items():
        if key in computed:
            ov.edge_values[edge] = computed[key].short
    ov.known_grads = set()
    if cur.phase == "forward":
        return ov
    # Gradients only on the arrows backprop has already passed.
    for s in seq.steps[:index + 1]:
        if s.phase != "backward" or (s is cur and not reveal):
            continue
        ov.known_grads.add(s.node)
        mark_box_gradients(ov, s, lambda box, port: into.get((box, port)))
    add_seed_badge(ov, seq.steps)
    return ov
