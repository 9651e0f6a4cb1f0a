"""Quiz mode's grading (Qt-free): the learner types a downstream gradient before it is shown."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

REL_TOL = 0.01  # 1 %: a learner rounds to two or three digits
ABS_TOL = 1e-3  # near zero a relative tolerance would demand every digit


def tolerance_text() -> str:
    return f"within {REL_TOL:.0%} (or ±{ABS_TOL:g} near zero)"


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

    def grade(self, name: str, text: str, truth: float) -> Grade:
        try:
            answer = parse_answer(text)
        except ValueError as exc:
            self.asked += 1
            return Grade(False, None, truth, f"dJ/d{name}: {exc}; it is {truth:.6g}")
        ok = is_close(answer, truth)
        self.asked += 1
        self.right += ok
        verdict = "right" if ok else "not quite"
        return Grade(ok, answer, truth, f"dJ/d{name}: you said {answer:.6g}, it is {truth:.6g} — {verdict}")

    def tally(self) -> str:
        return f"{self.right} of {self.asked} right ({tolerance_text()})"
