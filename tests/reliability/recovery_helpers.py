"""Running the window as a subprocess under a fake HOME and reading the messages it prints."""
from __future__ import annotations

import json
import os
from pathlib import Path

DRIVER = Path(__file__).with_name("recovery_driver.py")


def child_env(home: Path) -> dict:
    env = dict(os.environ)
    env.pop("BACKPROP_STUDIO_DATA_DIR", None)  # use the platform's own data folder, under the fake HOME
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_RUNTIME_DIR=str(home / "run"), QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH", "")]))
    (home / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    return env


def read_messages(proc, until: str, timeout_lines: int = 200) -> list[dict]:
    got = []
    for _ in range(timeout_lines):
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith("{"):
            got.append(json.loads(line))
            if got[-1]["kind"] == until:
                return got
    raise AssertionError(f"the window never said {until!r}; it said {got}; stderr: {proc.stderr.read()[-2000:]}")
