"""Quiz mode (Qt-free): at any step that computes something, the learner types it before it is
shown — a forward step's output value, a backward step's downstream gradients — and is graded."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from graphcore.numbers import format_number

REL_TOL = 0.01  # 1 %: a learner rounds to two or three digits
ABS_TOL = 1e-3  # near zero a relative tolerance would demand every digit


def tolerance_text() -> str:
    return f"within {REL_TOL:.0%} (or ±{format_number(ABS_TOL)} near zero)"


def parse_answer(text: str) -> float:
    """A number as a learner types it: 6, -0.25, 1e-3, 3/4, with a Unicode minus."""
    t = text.strip().replace("−", "-").replace(",", ".").replace(" ", "")
    if not t:
        raise ValueError("type a number")
    try:
        return float(Fraction(t)) if "/" in t else float(t)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"'{text.strip()}' is not a number") from None


def is_close(answer: float, truth: float) -> bool:
    return abs(answer - truth) <= max(ABS_TOL, REL_TOL * abs(truth))


@dataclass
class Question:
    label: str  # what the learner is asked for: "u" (a value) or "dJ/db" (a gradient)
    truth: float


def questions(step) -> list[Question]:
    """What a step asks in quiz mode. Forward: the box's output, when it is one number (one
    sample, or no data set; a batch mean is not worked out by hand); sources only hold their
    value. Backward: the downstream gradient for each input port (as a mean over the batch)."""
    if step is None or not hasattr(step, "ports"):  # a group's step (its Jacobian) is read, not quizzed
        return []
    if step.phase == "backward":
        return [Question(f"dJ/d{p.name}", p.downstream.mean) for p in step.ports]
    if step.is_source or not step.outputs or not all(v.single for _, _, v in step.outputs):
        return []
    return [Question(name, v.mean) for _, name, v in step.outputs]


def step_lines(step, reveal: bool) -> list[str]:
    """The chain-rule panel's lines; an open forward question shows "?" for the output's number."""
    lines = step.lines(reveal)
    if getattr(step, "group", None) is not None:  # a group's step (group level): it can be opened
        lines = lines + [f"  inside:    {step.members} boxes — Step inside (Ctrl+Down) steps through them, "
                         "then on at group level"]
    if reveal or step.phase != "forward" or not questions(step):
        return lines
    tails = [f" = {v.text}" for _, _, v in step.outputs]
    out = [lines[0]]
    for line in lines[1:]:
        if ("here:" in line or "output:" in line or line.lstrip().startswith("=")):
            for tail in tails:
                if line.endswith(tail):
                    line = line[: -len(tail)] + " = ?"
                    break
        out.append(line)
    return out


@dataclass
class Grade:
    ok: bool
    answer: float | None
    truth: float
    message: str


class Quiz:
    """Grades answers and keeps the tally for the run."""

    def __init__(self):
        self.asked = 0
        self.right = 0

    def reset(self):
        self.asked = self.right = 0

    def grade(self, label: str, text: str, truth: float) -> Grade:
        """``label`` names what was asked, as the learner saw it ("dJ/db", "u")."""
        try:
            answer = parse_answer(text)
        except ValueError as exc:
            self.asked += 1
            return Grade(False, None, truth, f"{label}: {exc}; it is {format_number(truth)}")
        ok = is_close(answer, truth)
        self.asked += 1
        self.right += ok
        verdict = "right" if ok else "not quite"
        said, truth_text = format_number(answer), format_number(truth)
        return Grade(ok, answer, truth, f"{label}: you said {said}, it is {truth_text} — {verdict}")

    def tally(self) -> str:
        return f"{self.right} of {self.asked} right ({tolerance_text()})"
