"""Step-through at group level in the window: each top-level group is one forward step (its
output vector) and one backward step (its local Jacobian, downstream = Jᵀ · upstream), the
numbers graphcore.group_steps works out; boxes in no group step as at box level.

``GroupLevelSequence`` gives the controller and the panel what a box-level ``StepSequence``
gives them; ``group_overlay_at`` paints the canvas: the current group's boxes highlighted,
values on the arrows its forward step has computed, gradients on the arrows backprop has
passed (into a group: its downstream Jᵀ · upstream).
"""
from __future__ import annotations

from graphcore import group_steps
from graphcore.graph import VariableRef
from graphcore.groups import groups_of, has_groups

from ..canvas.overlay import CanvasOverlay
from .overlay_builder import add_seed_badge, mark_box_gradients

LEVELS = ("box", "group")


class GroupLevelSequence:
    def __init__(self, seq: group_steps.GroupSequence, graph):
        self.inner = seq
        self.steps = seq.steps
        self.sample, self.m, self.cost = seq.sample, seq.m, seq.cost
        self.inside = seq.inside
        self.opened = group_steps.opened(graph, seq.inside)  # outermost first
        self._groups = groups_of(graph)
        self.members = {s.group: list(groups_of(graph).members(s.group))
                        for s in seq.steps if isinstance(s, group_steps.GroupStep)}

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def first_backward(self) -> int | None:
        return next((i for i, s in enumerate(self.steps) if s.phase == "backward"), None)

    @property
    def last_forward(self) -> int | None:
        fw = [i for i, s in enumerate(self.steps) if s.phase == "forward"]
        return fw[-1] if fw else None

    def describe_numbers(self) -> str:
        if self.sample is not None:
            return f"numbers for sample {self.sample} alone (m = 1, so J = L)"
        if self.m:
            return (f"numbers for the whole batch of m = {self.m}: a Jacobian is the mean over the samples, "
                    "downstream is worked out per sample")
        return "numbers from the input boxes' values"

    def summary(self) -> str:
        n = len(self.members)
        where = (f" Stepping inside {self.inside}: what it holds steps one by one, in place."
                 if self.inside else " Step inside (Ctrl+Down) a group's step, or open a group on the canvas, "
                 "to step through what it holds.")
        return (f"{len(self)} steps at group level: each of the {n} group{'s' * (n != 1)} is one step forward "
                "(its output vector) and one backward (its Jacobian); boxes outside groups step one by one."
                + where)

    def boxes_of(self, step) -> list[str]:
        return self.members.get(step.group, []) if isinstance(step, group_steps.GroupStep) else [step.node]

    def container_of(self, step) -> str | None:
        """The group the canvas must be inside to show ``step`` (None: the top level)."""
        if isinstance(step, group_steps.GroupStep):
            return self._groups.parent(step.group)
        holding = [g for g in self.opened if step.node in set(self._groups.members(g))]
        return holding[-1] if holding else None


def build(graph, data, sample, inside: str | None = None) -> GroupLevelSequence:
    return GroupLevelSequence(group_steps.build(graph, data, sample, inside), graph)


def available(graph) -> bool:
    return has_groups(graph)


def _key(graph, edge) -> str:
    return VariableRef.of_output(edge.src, edge.out, graph.n_outputs(edge.src)).key


def group_overlay_at(seq: GroupLevelSequence | None, graph, index: int, reveal: bool = True) -> CanvasOverlay:
    """What the canvas shows at step ``index`` of a group-level step-through (-1: nothing yet)."""
    if seq is None or index < 0 or not seq.steps:
        return CanvasOverlay()
    index = min(index, len(seq.steps) - 1)
    cur = seq.steps[index]
    is_group = isinstance(cur, group_steps.GroupStep)
    ov = CanvasOverlay(current=None if is_group else cur.node)
    ov.highlight = set(seq.boxes_of(cur)) if is_group else set()
    ov.done = {b for s in seq.steps[:index] if s.phase == cur.phase for b in seq.boxes_of(s)}
    computed, ov.known_values = {}, set()
    for s in seq.steps[:index + 1]:
        if s.phase != "forward" or (s is cur and not reveal):
            continue
        ov.known_values.update(seq.boxes_of(s))
        for out in s.outputs:  # a group's: (port, key, name, shown); a box's: (key, name, shown)
            computed[out[-3]] = out[-1]
    edges = graph.edges()
    for e in edges:  # arrows carrying a Variable a step has computed (a group's inner ones: not shown)
        shown = computed.get(_key(graph, e))
        if shown is not None:
            ov.edge_values[e] = shown.short
    ov.known_grads = set()
    if cur.phase == "forward":
        return ov
    for s in seq.steps[:index + 1]:
        if s.phase != "backward" or (s is cur and not reveal):
            continue
        ov.known_grads.update(seq.boxes_of(s))
        if isinstance(s, group_steps.GroupStep):
            inside = set(seq.boxes_of(s))
            for (_, key, _, _), (down, _) in zip(s.inputs, s.downstream):
                for e in edges:
                    if e.dst in inside and e.src not in inside and _key(graph, e) == key:
                        ov.edge_grads[e] = down.short
            continue
        mark_box_gradients(ov, s, graph.edge_into)
    add_seed_badge(ov, (s for s in seq.steps if not isinstance(s, group_steps.GroupStep)))
    return ov
