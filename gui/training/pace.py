"""The training run's clocks (issue #14): its speed in epochs per second, and at "max" the
spacing of its frames.

Speed (``set_speed``): a number of epochs per second paces the run (a slice stops at the
epoch the clock allows, and the next slice waits for the next one); None runs as fast as
the machine allows, and then the frames are spaced so that drawing them takes at most
MAX_SPEED_UI_SHARE of the time: a frame that cost 40 ms to draw waits ~300 ms for the next.
"""
from __future__ import annotations

import time

MAX_SPEED_UI_SHARE = 0.12  # at "max", the share of the time the window may spend drawing and answering events


class PaceClock:
    """Mixed into TrainingRunner: uses its ``speed``, ``trainer`` and ``_slice`` timer."""

    def set_speed(self, speed: float | None):
        """Epochs per second (None: as fast as possible); a running run changes pace at once."""
        self.speed = None if speed is None else float(speed)
        self._restart_clock()

    def _restart_clock(self):
        now = time.perf_counter()
        self._pace = (now, self.trainer.epoch if self.trainer is not None else 0)
        self._slice_end, self._outside, self._last_frame = None, 0.0, (now, 0.0)
        self._slice.setInterval(0)

    def _paced_limit(self, now: float, target: int) -> int:
        """The epoch this slice may train up to: the run's target, or at a set speed the clock's epoch
        (the first epoch at once, then one every 1/speed seconds)."""
        if self.speed is None:
            return target
        t0, e0 = self._pace
        return min(target, e0 + 1 + int((now - t0) * self.speed))

    def _wait_ms(self, epoch: int) -> int:
        """Milliseconds until the clock allows the epoch after ``epoch`` (0 if it already does)."""
        t0, e0 = self._pace
        due = t0 + (epoch - e0) / self.speed
        return max(0, min(1000, int(1000 * (due - time.perf_counter()))))

    def _frame_due(self) -> bool:
        """At max speed, whether enough training time has passed for the drawing of the last
        frames to stay under MAX_SPEED_UI_SHARE of the time; at a set speed, always."""
        now = time.perf_counter()
        if self.speed is not None:
            return True
        last, cost = self._last_frame
        if now - last < cost / MAX_SPEED_UI_SHARE:
            return False
        self._last_frame, self._outside = (now, self._outside), 0.0
        return True
