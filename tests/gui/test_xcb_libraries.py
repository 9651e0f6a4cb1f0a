"""Start-up without Qt's X11 system libraries: one line naming them and the apt command, exit 2
(Qt itself aborts with exit 134 and blames libxcb-cursor0 whatever is missing)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gui import xcb_libraries

ROOT = Path(__file__).resolve().parents[2]
# Same length as the real sonames, so the plugin's string table keeps its layout.
BROKEN = {b"libxcb-icccm.so.4": b"libxcb-icccQ.so.4", b"libxcb-keysyms.so.1": b"libxcb-keysymQ.so.1"}


@pytest.fixture
def broken_plugin_dir(tmp_path):
    """A copy of Qt's real xcb plugin that needs two libraries no system has."""
    real = xcb_libraries.xcb_plugin()
    if real is None or shutil.which("ldd") is None:
        pytest.skip("needs Qt's xcb plugin and ldd (Linux)")
    data = real.read_bytes()
    for old, new in BROKEN.items():
        assert old in data and len(old) == len(new)
        data = data.replace(old, new)
    platforms = tmp_path / "Qt" / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    (platforms / "libqxcb.so").write_bytes(data)
    (tmp_path / "Qt" / "lib").symlink_to(real.parents[2] / "lib")  # the plugin's RUNPATH: $ORIGIN/../../lib
    return platforms


def test_missing_libraries_named_with_apt_command_and_exit_2(broken_plugin_dir, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM_PLUGIN_PATH=str(broken_plugin_dir), DISPLAY=":99", HOME=str(tmp_path),
               BACKPROP_STUDIO_DATA_DIR=str(tmp_path / "data"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-m", "gui.app"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and "Traceback" not in done.stderr
    assert "libxcb-icccQ.so.4" in lines[0] and "libxcb-keysymQ.so.1" in lines[0]
    assert "apt-get install libxcb-icccq4 libxcb-keysymq1" in lines[0]
    assert "libxcb-cursor" not in lines[0]  # only what is really missing


def test_only_checked_when_qt_will_use_x11(broken_plugin_dir, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM_PLUGIN_PATH", str(broken_plugin_dir))
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert "libxcb-icccQ.so.4" in xcb_libraries.problem()
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # tests and --screenshot never need X11
    assert xcb_libraries.problem() is None


def test_the_real_plugin_lacks_nothing_here():
    plugin = xcb_libraries.xcb_plugin()
    if plugin is None or shutil.which("ldd") is None:
        pytest.skip("needs Qt's xcb plugin and ldd (Linux)")
    assert xcb_libraries.missing_libraries(plugin) == []


@pytest.mark.parametrize("soname, package", [
    ("libxcb-icccm.so.4", "libxcb-icccm4"), ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"), ("libdbus-1.so.3", "libdbus-1-3"),
    ("libEGL.so.1", "libegl1"), ("libglib-2.0.so.0", "libglib2.0-0")])
def test_debian_package_names(soname, package):
    assert xcb_libraries.package_of(soname) == package
