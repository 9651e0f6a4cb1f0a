"""StepperController: where the step-through is, and how it moves.

It holds one ``StepSequence`` (graphcore evaluates the graph once, on one sample or the
whole batch) and an index into it; stepping, scrubbing, playing and stepping back only
move the index — nothing is recomputed until the graph, its data or the chosen sample
changes. ``overlay()`` and ``current()`` say what the canvas and the chain-rule panel show.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence

from graphcore import stepthrough
from graphcore.errors import GraphError
from graphcore.groups import groups_of

from . import group_level
from .overlay_builder import overlay_at
from .quiz import Grade, Quiz, questions, step_lines


class StepperController(QObject):
    changed = Signal()  # index, reveal state or sequence moved: redraw
    failed = Signal(str, list)  # the graph cannot be stepped: message, boxes to select
    sequence_changed = Signal()

    def __init__(self, graph_source: Callable, data_source: Callable | None = None, parent=None):
        """``graph_source()`` returns the Graph; ``data_source()`` the training columns or None."""
        super().__init__(parent)
        self._graph_source = graph_source
        self._data_source = data_source or (lambda: None)
        self.sequence: stepthrough.StepSequence | None = None
        self.edges: list = []
        self.index = -1
        self.sample: int | None = None
        self.level = "box"  # or "group": each top-level group one step (group_level)
        self.inside: str | None = None  # at group level: the group stepped inside (the canvas's drill-in)
        self.error: str = ""
        self.stale = True
        self._built_from = None
        self.quiz_mode = False
        self.quiz = Quiz()
        self.revealed: set[int] = set()  # backward steps whose quiz question is answered
        self.grades: dict[int, list[Grade]] = {}
        self.speed = 2.0
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.actions = self._make_actions()

    @property
    def graph(self):
        """The graph being stepped (as the window holds it now)."""
        return self._graph_source()

    # --- the sequence ---------------------------------------------------------------
    def invalidate(self):
        """The graph or its data changed: the next look rebuilds the sequence."""
        self.stale = True

    def refresh(self, report: bool = True) -> bool:
        """Evaluate once and lay out the steps; keeps the index if the steps are the same boxes.

        ``report=False`` (the model changed under an open stepper) keeps a failure in
        ``error`` without emitting ``failed``, so editing never yanks the selection around."""
        self.stale = False
        self._built_from = self._graph_version()
        old = [(s.phase, s.node) for s in self.sequence.steps] if self.sequence else None
        try:
            graph = self._graph_source()
            data = self._data_source()
            if data is None:
                self.sample = None
            seq = self._build(graph, data)
        except GraphError as exc:
            self.sequence, self.error = None, str(exc)
            self.index = -1
            self.pause()
            if report:
                self.failed.emit(str(exc), list(exc.nodes))
            self.sequence_changed.emit()
            self.changed.emit()
            return False
        self.sequence, self.error, self.edges = seq, "", list(graph.edges())
        if old != [(s.phase, s.node) for s in seq.steps]:
            self.index = -1
            self.revealed.clear()
            self.grades.clear()
        self.sequence_changed.emit()
        self.changed.emit()
        return True

    def _build(self, graph, data):
        if self.level == "group" and group_level.available(graph):
            if self.inside is not None and self.inside not in groups_of(graph):
                self.inside = None  # the group is gone (ungrouped, renamed, another file)
            return group_level.build(graph, data, self.sample, self.inside)
        return stepthrough.build(graph, data, self.sample)

    def set_level(self, level: str):
        """Step box by box, or group by group (a graph without groups steps box by box)."""
        if level not in group_level.LEVELS:
            raise ValueError(f"level must be one of {group_level.LEVELS}")
        if level != self.level:
            self.level = level
            self.index = -1
            self.refresh()

    def set_inside(self, name: str | None):
        """At group level, step inside group ``name`` (None: the top level): its parts step one
        by one in place. While stepping, the place is kept: a step that is now opened goes to its
        first part, a part whose group is closed to that group's step, and a step outside the
        group opened to the group's first step of this phase."""
        if name == self.inside:
            return
        self.inside = name
        if self.level != "group":
            return  # kept for when the learner steps at group level
        if not self.at_group_level or self.stale:
            self.invalidate()
            return
        cur = self.current()
        was = (cur.phase, set(self.sequence.boxes_of(cur))) if cur is not None else None
        if self.refresh() and was is not None:
            self.go_to(self._place(*was))

    def _place(self, phase: str, boxes: set) -> int:
        """Where the step on ``boxes`` is now: the first step of this phase on the same boxes
        (those inside the group opened), else the opened group's first step; any phase if none."""
        steps = self.sequence.steps
        inside = set(groups_of(self._graph_source()).members(self.inside)) if self.inside else set()
        want = (boxes & inside if self.inside else boxes) or inside
        for phases in ({phase}, {"forward", "backward"}):
            for i, s in enumerate(steps):
                if s.phase in phases and not want.isdisjoint(self.sequence.boxes_of(s)):
                    return i
        return self.index

    def step_inside(self):
        """The current step is a group's: step through its parts (Ctrl+Down)."""
        step = self.current()
        if self.at_group_level and getattr(step, "group", None) is not None:
            self.set_inside(step.group)

    def step_out(self):
        """Close the group stepped inside: its parts are one step again (Ctrl+Up)."""
        if self.at_group_level and self.inside is not None:
            self.set_inside(groups_of(self._graph_source()).parent(self.inside))

    @property
    def at_group_level(self) -> bool:
        return isinstance(self.sequence, group_level.GroupLevelSequence)

    def ensure(self) -> bool:
        # Also stale when the graph changed and its evaluation (debounced) has not said so yet.
        if self.stale or self._built_from != self._graph_version():
            return self.refresh()
        return self.sequence is not None

    def _graph_version(self):
        g = self._graph_source()
        return getattr(g, "version", None), getattr(g, "values_version", None)

    def sample_count(self) -> int:
        data = self._data_source()
        return len(next(iter(data.values()))) if data else 0

    def select_sample(self, i: int | None):
        """Numbers for training point ``i`` alone (None: the whole batch). The plot calls this on a click."""
        self.sample = None if i is None else int(i)
        self.refresh()

    # --- where we are ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.sequence) if self.sequence else 0

    def current(self) -> stepthrough.ChainRuleStep | None:
        if self.sequence is None or self.index < 0:
            return None
        return self.sequence.steps[self.index]

    @property
    def pending(self) -> bool:
        """A quiz question is open: what the current step computes is not shown yet."""
        return bool(self.quiz_mode and questions(self.current()) and self.index not in self.revealed)

    def questions(self):
        return questions(self.current())

    def overlay(self):
        if self.at_group_level:
            return group_level.group_overlay_at(self.sequence, self._graph_source(), self.index,
                                                reveal=not self.pending)
        return overlay_at(self.sequence, self.edges, self.index, reveal=not self.pending)

    def text(self) -> str:
        step = self.current()
        return "\n".join(step_lines(step, reveal=not self.pending)) if step else ""

    # --- moving -----------------------------------------------------------------------
    def go_to(self, index: int):
        if not self.ensure():
            return
        index = max(-1, min(int(index), len(self) - 1))
        if index != self.index:
            self.index = index
            self.changed.emit()

    def step_forward(self) -> bool:
        """One step on; an open quiz question is revealed first (counted as not answered)."""
        if not self.ensure():
            return False
        if self.pending:
            self.reveal()
            return True
        if self.index >= len(self) - 1:
            return False
        self.go_to(self.index + 1)
        return True

    def step_back(self):
        self.go_to(self.index - 1)

    def start_forward(self):
        self.go_to(0)

    def end_forward(self):
        if self.ensure() and self.sequence.last_forward is not None:
            self.go_to(self.sequence.last_forward)

    def start_backward(self):
        if self.ensure() and self.sequence.first_backward is not None:
            self.go_to(self.sequence.first_backward)

    def end_backward(self):
        if self.ensure():
            self.go_to(len(self) - 1)

    def reset(self):
        self.pause()
        self.index = -1
        self.changed.emit()

    # --- playing ----------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def set_speed(self, steps_per_second: float):
        self.speed = max(0.1, float(steps_per_second))
        self.timer.setInterval(int(1000 / self.speed))

    def play(self):
        if not self.ensure():
            return
        if self.index >= len(self) - 1:
            self.index = -1
        self.timer.start(int(1000 / self.speed))
        self._sync_play_action()

    def pause(self):
        self.timer.stop()
        self._sync_play_action()

    def toggle_play(self):
        self.pause() if self.playing else self.play()

    def _tick(self):
        # Play stops at the end, and at a quiz question so the learner can answer it.
        if self.pending or not self.step_forward() or self.pending or self.index >= len(self) - 1:
            self.pause()

    # --- quiz -------------------------------------------------------------------------
    def set_quiz_mode(self, on: bool):
        self.quiz_mode = bool(on)
        self.quiz.reset()
        self.grades.clear()
        self.revealed = set(range(self.index + 1)) if on else set()
        self.changed.emit()

    def answer(self, texts: list[str]) -> list[Grade]:
        """Grade the learner's answers (one per question of the step), then reveal."""
        if not self.pending:
            return []
        grades = [self.quiz.grade(q.label, t, q.truth) for q, t in zip(self.questions(), texts, strict=False)]
        self.grades[self.index] = grades
        self.revealed.add(self.index)
        self.changed.emit()
        return grades

    def reveal(self):
        """Show the answer without grading (the question counts as asked)."""
        if self.pending:
            self.quiz.asked += len(self.questions())
            self.revealed.add(self.index)
            self.changed.emit()

    # --- actions for the menu, toolbar and panel ---------------------------------------
    def _make_actions(self) -> dict[str, QAction]:
        spec = [
            ("start_forward", "Start of forward", "Jump to the first forward step", ["Ctrl+Home"], self.start_forward),
            ("step_back", "◀ Step back", "Step back one box", ["Shift+F10", "Ctrl+Left"], self.step_back),
            ("play", "▶ Play", "Play the steps at the chosen speed (again: pause)", ["F9"], self.toggle_play),
            ("step_forward", "Step ▶", "Step forward one box", ["F10", "Ctrl+Right"], self.step_forward),
            ("end_forward", "End of forward", "Jump to the last forward step", ["Ctrl+Shift+Home"], self.end_forward),
            ("start_backward", "Start of backward", "Jump to the first backward step (the seed at the cost)",
             ["Ctrl+Shift+End"], self.start_backward),
            ("end_backward", "End of backward", "Jump to the last backward step", ["Ctrl+End"], self.end_backward),
            ("step_inside", "Step inside ⤵", "Step through the current group's parts, then on at group level",
             ["Ctrl+Down"], self.step_inside),
            ("step_out", "Step out ⤴", "Step the group opened as one step again", ["Ctrl+Up"], self.step_out),
        ]
        actions = {}
        for key, text, tip, shortcuts, slot in spec:
            a = QAction(text, self)
            a.setShortcuts([QKeySequence(s) for s in shortcuts])
            a.setToolTip(f"{tip} ({', '.join(shortcuts)})")
            a.setStatusTip(tip)
            a.triggered.connect(lambda _=False, f=slot: f())
            actions[key] = a
        self.changed.connect(self._sync_inside_actions)
        return actions

    def _sync_inside_actions(self):
        self.actions["step_inside"].setEnabled(self.at_group_level and getattr(self.current(), "group", None)
                                               is not None)
        self.actions["step_out"].setEnabled(self.at_group_level and self.inside is not None)

    def _sync_play_action(self):
        if hasattr(self, "actions"):
            self.actions["play"].setText("⏸ Pause" if self.playing else "▶ Play")
