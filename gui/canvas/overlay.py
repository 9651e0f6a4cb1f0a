"""What the step-through and the training panel paint over the canvas.

An overlay is only paint: the scene draws it on top of the boxes and arrows it already
shows and never changes the model. ``GraphScene.set_overlay(None)`` clears it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

# Colour-blind-safe pair (Okabe–Ito): forward values blue, backward gradients vermilion.
FORWARD_COLOR = "#0072B2"
BACKWARD_COLOR = "#D55E00"
CURRENT_COLOR = "#E69F00"
DONE_COLOR = "#009E73"


@dataclass
class CanvasOverlay:
    current: str | None = None                        # the box being stepped: highlighted
    highlight: set[str] = field(default_factory=set)   # more boxes drawn as current (a group's, stepped as one)
    done: set[str] = field(default_factory=set)        # boxes already done in this phase: marked
    # Arrow labels, keyed by graphcore Edge: forward value text, and gradient text once backprop reached it.
    edge_values: dict = field(default_factory=dict)
    edge_grads: dict = field(default_factory=dict)
    # Arrow width factor (1.0 = normal), e.g. following |dJ/dv| while training.
    edge_widths: dict = field(default_factory=dict)
    # Extra text under a box (e.g. "dJ/dJ = 1" at the cost).
    badges: dict[str, str] = field(default_factory=dict)
    legend: bool = True
    # While stepping: the boxes whose value has been computed so far; the others show none
    # (None: every box shows its value, as outside a step-through).
    known_values: set[str] | None = None
    # While stepping: the boxes whose gradient dJ/dv backprop has reached so far.
    known_grads: set[str] | None = None


def masked_overlay(ov: CanvasOverlay, hidden: set[str]) -> CanvasOverlay:
    """``ov`` with an exercise's hidden boxes' numbers shown as "?": the arrows out of them and
    their badges (the boxes themselves say "?" through the scene)."""
    if not hidden:
        return ov
    return replace(ov, badges={n: b for n, b in ov.badges.items() if n not in hidden},
                   edge_values={e: "?" if e.src in hidden else v for e, v in ov.edge_values.items()},
                   edge_grads={e: "?" if e.src in hidden else g for e, g in ov.edge_grads.items()})
