"""Timing helpers: contenders are timed in interleaved rounds, so a burst of load on a shared
machine hits all of them alike, and each is reported by its median."""
from __future__ import annotations

import os
import random
import statistics
import time
from typing import Callable


def interleaved(contenders: dict[str, Callable[[], object]], rounds: int, warmup: int = 2,
                budget_s: float | None = None, clock: Callable[[], float] = time.perf_counter,
                streak_s: float | None = None) -> dict[str, float]:
    """Median seconds per call of each contender; round r calls every contender once, in an
    order shuffled each round (seeded), so no contender always runs just after the same one.

    ``streak_s``: each round times a streak of consecutive calls of about that many seconds
    (at least one call; the count is fixed per contender from its warm-up) and counts their
    mean — the time of a call inside a loop of them (a training run's epochs), not of one
    call made cold right after another contender's.

    ``budget_s`` stops early (after at least 5 rounds) once that much wall time has passed.
    ``clock``: what a call costs — wall time by default; ``time.process_time`` counts only this
    process's CPU time (on a machine shared with other jobs, a long call's wall time is
    mostly waiting for a core)."""
    streak = {}
    for name, fn in contenders.items():
        for _ in range(warmup):
            fn()
        streak[name] = 1
        if streak_s:
            t0 = clock()
            fn()
            per_call = clock() - t0
            streak[name] = max(1, round(streak_s / per_call)) if per_call > 0 else 1
    times: dict[str, list[float]] = {name: [] for name in contenders}
    start = time.perf_counter()
    rng = random.Random(0)
    order = list(contenders.items())
    for r in range(rounds):
        rng.shuffle(order)
        for name, fn in order:
            n = streak[name]
            t0 = clock()
            for _ in range(n):
                fn()
            times[name].append((clock() - t0) / n)
        if budget_s is not None and r >= 4 and time.perf_counter() - start > budget_s:
            break
    return {name: statistics.median(ts) for name, ts in times.items()}


def once(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def load_average() -> str:
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    v = seconds * 1e3
    return f"{v:.3f}" if v < 1 else f"{v:.2f}" if v < 100 else f"{v:.0f}"
