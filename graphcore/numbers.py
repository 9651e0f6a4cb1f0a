"""How a number is written for a person — the one formatter behind the step-through, the
command line's summaries, the learner's derivative verdicts, the canvas and the inspector."""
from __future__ import annotations

COMPACT_BELOW = 1e-3  # compact form: scientific notation outside [1e-3, 1e4)
COMPACT_FROM = 1e4


def format_number(x: float, digits: int = 6, *, compact: bool = False) -> str:
    """``digits`` significant digits, and "0" for zero (never "-0"). ``compact`` (a box on the
    canvas, the inspector): magnitudes outside [1e-3, 1e4) as ``1.23e+05``, so a box stays narrow."""
    x = float(x)
    if x == 0:
        return "0"
    if compact and not COMPACT_BELOW <= abs(x) < COMPACT_FROM:
        return f"{x:.2e}"
    return f"{x:.{digits}g}"
