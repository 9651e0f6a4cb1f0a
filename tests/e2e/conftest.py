"""The real-window tier: the real entry point under Xvfb + openbox, driven by xdotool.

One X server and window manager for the whole tier (session fixture, display chosen by
Xvfb itself with -displayfd; or BACKPROP_STUDIO_E2E_DISPLAY=":N", a display already
running with a window manager). Each test starts its own ``python -m gui.app FILE`` with its
own settings and data folders. Where the tools are missing the tier is skipped, except in
CI (CI=true), where .ci/run installs them and their absence fails loudly.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from tests.e2e.studio import Studio, die_with_parent

TOOLS = ("Xvfb", "openbox", "xdotool")
SCREEN = "1600x1000x24"


def _unavailable() -> str | None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        return f"missing {', '.join(missing)} (apt-get install -y xvfb openbox xdotool)"
    from gui import xcb_libraries
    plugin = xcb_libraries.xcb_plugin()
    libs = xcb_libraries.missing_libraries(plugin) if plugin is not None else []
    if libs:
        return f"Qt's X11 plugin lacks {', '.join(libs)} (see README, 'The window')"
    return None


def _stop(proc: subprocess.Popen):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture(scope="session")
def display(tmp_path_factory):
    """':N' of a fresh Xvfb with openbox running on it."""
    problem = _unavailable()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"E2E TIER CANNOT RUN IN CI: {problem}", pytrace=False)
        pytest.skip(f"real-window tests need X tools: {problem}")
    shared = os.environ.get("BACKPROP_STUDIO_E2E_DISPLAY")
    if shared:  # a display the developer already runs (with a window manager), e.g. ":90"
        yield shared
        return
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", SCREEN, "-nolisten", "tcp",
                             "-noreset"], pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=die_with_parent)
    os.close(write_fd)
    procs = [xvfb]
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()  # written once the server accepts connections
        if not number:
            pytest.fail(f"Xvfb did not start (exit {xvfb.poll()})", pytrace=False)
        name = f":{number}"
        home = tmp_path_factory.mktemp("wm-home")
        env = {**os.environ, "DISPLAY": name, "HOME": str(home)}
        procs.append(subprocess.Popen(["openbox", "--sm-disable"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, preexec_fn=die_with_parent))
        deadline = time.monotonic() + 20
        while subprocess.run(["xdotool", "get_num_desktops"], env=env, capture_output=True).returncode != 0:
            if time.monotonic() > deadline or procs[-1].poll() is not None:
                pytest.fail("openbox did not start on the test display", pytrace=False)
            time.sleep(0.05)
        yield name
    finally:
        for proc in reversed(procs):
            _stop(proc)


@pytest.fixture
def studio(display, tmp_path):
    """start(FILE) → a running window; every window a test started is ended afterwards."""
    started = []

    def start(path, home=None) -> Studio:
        s = Studio(display, home or tmp_path / "home", path)
        started.append(s)
        s.wait_ready()
        return s
    yield start
    for s in started:
        s.kill()
    for s in started:
        s.assert_no_errors()
