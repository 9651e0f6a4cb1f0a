"""--screenshot prints the picture's path and nothing of Qt's offscreen chatter; other Qt
warnings still reach stderr."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code_or_args, tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", BACKPROP_STUDIO_DATA_DIR=str(tmp_path))
    return subprocess.run([sys.executable, *code_or_args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_screenshot_does_not_print_propagate_size_hints(tmp_path):
    out = tmp_path / "shot.png"
    r = _run(["-m", "gui.app", str(ROOT / "assets/examples/xor_network.graph.json"), "--screenshot", str(out)],
             tmp_path)
    assert r.returncode == 0, r.stderr
    assert out.exists()
    assert "propagateSizeHints" not in r.stderr + r.stdout


def test_other_qt_warnings_still_reach_stderr(tmp_path):
    code = ("from gui.app import make_app; app = make_app(); make_app(); from PySide6.QtCore import qWarning; "
            "qWarning('a warning the learner should see'); "
            "qWarning('This plugin does not support propagateSizeHints()')")
    r = _run(["-c", code], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("a warning the learner should see") == 1
    assert "propagateSizeHints" not in r.stderr
