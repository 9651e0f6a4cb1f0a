"""Before the window starts on X11: name the system libraries Qt's xcb plugin lacks.

Without them Qt aborts (exit 134) with a message that blames libxcb-cursor0 whatever is
really missing. ``ldd`` on the plugin lists every shared library it cannot find, its own
and those of libQt6XcbQpa that it loads; we name those and the apt command that installs them.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# Debian/Ubuntu package names that the soname rule below does not give.
PACKAGES = {"libglib-2.0.so.0": "libglib2.0-0", "libgthread-2.0.so.0": "libglib2.0-0",
            "libgobject-2.0.so.0": "libglib2.0-0"}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.M)


def uses_xcb(env=os.environ) -> bool:
    """Will Qt pick its X11 plugin? (Not when a test or --screenshot asks for offscreen, etc.)"""
    if not sys.platform.startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "")
    if not chosen:
        return not (env.get("WAYLAND_DISPLAY") and env.get("XDG_SESSION_TYPE") == "wayland")
    return chosen.split(";")[0].split(":")[0].strip() == "xcb"


def xcb_plugin() -> Path | None:
    folder = os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH")
    if not folder:
        from PySide6.QtCore import QLibraryInfo  # QtCore needs none of the X11 libraries
        folder = os.path.join(QLibraryInfo.path(QLibraryInfo.PluginsPath), "platforms")
    path = Path(folder) / "libqxcb.so"
    return path if path.is_file() else None


def missing_libraries(plugin: Path) -> list[str]:
    """The sonames ``ldd`` cannot resolve for the plugin (and what it loads), in its order."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []  # no way to tell; Qt will speak for itself
    out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=30).stdout
    return list(dict.fromkeys(_NOT_FOUND.findall(out)))


def package_of(soname: str) -> str:
    """libxcb-icccm.so.4 → libxcb-icccm4; libdbus-1.so.3 → libdbus-1-3 (Debian's rule)."""
    if soname in PACKAGES:
        return PACKAGES[soname]
    stem, _, version = soname.partition(".so.")
    stem = stem.lower()
    if not version:
        return stem
    return f"{stem}-{version}" if stem[-1].isdigit() else f"{stem}{version}"


def problem() -> str | None:
    """One line naming the missing libraries and the apt command, or None when the window can start."""
    if not uses_xcb():
        return None
    plugin = xcb_plugin()
    if plugin is None:
        return None
    missing = missing_libraries(plugin)
    if not missing:
        return None
    own = [s for s in missing if s.startswith(("libQt6", "libicu"))]
    if own:  # PySide6's own libraries: apt cannot help, the installation is broken
        return (f"backprop-studio: the window cannot start: PySide6's own libraries are missing: "
                f"{', '.join(own)}. Reinstall it with: python3 -m pip install --force-reinstall PySide6")
    packages = " ".join(dict.fromkeys(package_of(s) for s in missing))
    return (f"backprop-studio: the window cannot start: Qt's X11 plugin needs system libraries that are "
            f"missing: {', '.join(missing)}. Install them with: apt-get install {packages}")
