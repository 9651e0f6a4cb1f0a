"""Drive the real window from outside: start it, read its probe, send X input with xdotool.

The window writes its state (gui/e2e_probe.py) every 100 ms; every wait here polls that
for a condition, with a timeout, and fails at once, with the window's stderr, if it died.
"""
from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20.0


class Died(AssertionError):
    pass


def die_with_parent():
    """preexec_fn: the X server, window manager and window end when the test run ends, even
    when it is killed before any teardown can run (Linux: PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux: the fixtures' teardown still ends them


class Studio:
    def __init__(self, display: str, home: Path, path):
        self.display, self.home = display, Path(home)
        self.path = Path(path) if path is not None else None  # None: no file, the window opens on the course
        self.home.mkdir(parents=True, exist_ok=True)
        self.probe_path = self.home / "probe.json"
        self.probe_path.unlink(missing_ok=True)
        self.data_dir = self.home / "data"
        env = {k: v for k, v in os.environ.items() if not k.startswith("QT_")}  # no offscreen from other tiers
        env.update(DISPLAY=display, HOME=str(self.home), XDG_CONFIG_HOME=str(self.home / "config"),
                   XDG_DATA_HOME=str(self.home / "share"), XDG_CACHE_HOME=str(self.home / "cache"),
                   XDG_RUNTIME_DIR=str(self.home / "run"), BACKPROP_STUDIO_DATA_DIR=str(self.data_dir),
                   BACKPROP_STUDIO_E2E_PROBE=str(self.probe_path), PYTHONFAULTHANDLER="1",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        (self.home / "run").mkdir(mode=0o700, exist_ok=True)
        self.env = env
        self.stderr_path = self.home / "stderr.txt"
        with open(self.stderr_path, "wb") as err:
            # The real entry point: the same main() the backprop-studio console script runs.
            file = [str(self.path)] if self.path is not None else []
            self.proc = subprocess.Popen([sys.executable, "-m", "gui.app", *file], env=env, cwd=self.home,
                                         stdout=subprocess.DEVNULL, stderr=err, preexec_fn=die_with_parent)
        self.last = {}

    # --- the window's state ---------------------------------------------------------------
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")[-3000:]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def assert_alive(self):
        if not self.alive():
            raise Died(f"the window died (exit {self.proc.returncode}):\n{self.stderr()}")

    def assert_no_errors(self):
        """Nothing went wrong unseen: no error.log from the window's exception hook, no traceback."""
        log = self.data_dir / "error.log"
        assert not log.exists(), f"the window logged an error:\n{log.read_text(errors='replace')[-3000:]}"
        assert "Traceback" not in self.stderr(), self.stderr()

    def probe(self) -> dict:
        try:
            state = json.loads(self.probe_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return self.last
        assert "probe_error" not in state, state["probe_error"]
        self.last = state
        return state

    def wait(self, condition, what: str, timeout: float = TIMEOUT) -> dict:
        """Poll the probe until condition(state) is true; only a picture taken after this call counts."""
        start_seq = self.probe().get("seq", 0)
        deadline = time.monotonic() + timeout
        while True:
            self.assert_alive()
            state = self.probe()
            if state.get("seq", 0) > start_seq and condition(state):
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; last state: {_summary(state)}"
                                     f"{self.screenshot()}\nstderr: {self.stderr()}")
            time.sleep(0.03)

    def wait_ready(self):
        self.wait(lambda s: (s.get("boxes") if self.path is not None else s.get("lessons", {}).get("start_page"))
                  and s["active"], "the window to open with its boxes (or its start page), focused", timeout=60)

    def box(self, nid: str) -> dict:
        return self.probe()["boxes"][nid]

    def button(self, text: str) -> list[int]:
        """An enabled button with this text; a panel's before the toolbar's."""
        found = sorted((b["toolbar"], b["center"]) for b in self.probe()["buttons"]
                       if b["text"] == text and b["enabled"])
        if not found:
            raise AssertionError(f"no enabled button {text!r} on screen; last state: {_summary(self.last)}")
        return found[0][1]

    def empty_canvas_point(self) -> list[int]:
        """A canvas point no box covers (near the canvas' top-left corner)."""
        s = self.probe()
        x0, y0 = s["canvas"]["top_left"]
        for dx, dy in ((25, 25), (25, 120), (120, 25), (25, 220)):
            p = [x0 + dx, y0 + dy]
            if not any(r[0] - 10 <= p[0] <= r[2] + 10 and r[1] - 10 <= p[1] <= r[3] + 10
                       for r in (b["rect"] for b in s["boxes"].values())):
                return p
        raise AssertionError("no empty canvas point found")

    def screenshot(self) -> str:
        """For a failure message: a picture of the screen, where ImageMagick is installed."""
        if shutil.which("import") is None:
            return ""
        out = self.home / "screen.png"
        subprocess.run(["import", "-window", "root", str(out)], env=self.env, capture_output=True, timeout=30)
        return f"; screen: {out}"

    # --- real input (XTEST, through the X server) -------------------------------------------
    def xdo(self, *args):
        self.assert_alive()
        subprocess.run(["xdotool", *map(str, args)], env=self.env, check=True, timeout=30)

    def click(self, at, button: int = 1):
        self.xdo("mousemove", at[0], at[1], "click", button)

    def double_click(self, at):
        self.xdo("mousemove", at[0], at[1], "click", "--repeat", 2, "--delay", 80, 1)

    def key(self, *keys):
        self.xdo("key", "--delay", 60, *keys)

    def type(self, text: str):
        self.xdo("type", "--delay", 40, text)

    def drag(self, start, end, steps: int = 15):
        """Press, move in steps (Qt starts a drag only after a few pixels), release."""
        args = ["mousemove", start[0], start[1], "mousedown", 1, "sleep", 0.1]
        for i in range(1, steps + 1):
            x = start[0] + (end[0] - start[0]) * i // steps
            y = start[1] + (end[1] - start[1]) * i // steps
            args += ["mousemove", x, y, "sleep", 0.03]
        args += ["sleep", 0.2, "mouseup", 1]
        self.xdo(*args)

    # --- files and ending -----------------------------------------------------------------
    def save(self) -> dict:
        before = self.path.stat().st_mtime_ns
        self.key("ctrl+s")
        state = self.wait(lambda s: not s["dirty"] and self.path.stat().st_mtime_ns != before, "Ctrl+S to save")
        return state

    def quit(self) -> int:
        self.key("ctrl+q")
        try:
            return self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the window did not quit on Ctrl+Q; last state: {_summary(self.probe())}") from None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def _summary(state: dict) -> str:
    keep = {k: state.get(k) for k in ("seq", "title", "dirty", "status", "cost", "active", "editor_open",
                                      "quick_search_open", "training", "stepper")}
    boxes = list(state.get("boxes", {}).items())
    keep["boxes"] = {nid: (b["label"], b["value_text"], b["selected"]) for nid, b in boxes[:12]}
    keep["more boxes"] = max(0, len(boxes) - 12)
    return json.dumps(keep)
