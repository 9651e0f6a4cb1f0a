"""The window's Open, Save As and Export through the real entry point (issue #19).

Each case runs ``gui.app.main`` in a child process (offscreen Qt, a fresh HOME) driven by
``window_files_driver.py``, with a time bound: a FIFO the window reads would hang it."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from tests.reliability.reliability_mounts import fill, make_device

from graphcore import fileformat
from tests.cli.cli_runner import run_graphcore

DRIVER = Path(__file__).with_name("window_files_driver.py")
EXAMPLES = Path(__file__).resolve().parents[2] / "assets" / "examples"
BIG = EXAMPLES / "circle_network.graph.json"
SMALL = EXAMPLES / "logistic_regression.graph.json"
TIME_BOUND = 120


def run_window(tmp_path, *argv) -> list[dict]:
    home = tmp_path / "home"
    (home / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    env = dict(os.environ)
    env.pop("BACKPROP_STUDIO_DATA_DIR", None)
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_DATA_HOME=str(home / ".local/share"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_RUNTIME_DIR=str(home / "run"), QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH", "")]))
    try:
        p = subprocess.run([sys.executable, str(DRIVER), *map(str, argv)], capture_output=True, text=True, env=env,
                           cwd=tmp_path, timeout=TIME_BOUND, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the window did not finish {argv[0]} in {TIME_BOUND} s")
    assert "Traceback" not in p.stderr, p.stderr[-3000:]
    assert p.returncode == 0, (p.returncode, p.stderr[-3000:])
    return [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]


def run_each(tmp_path, file, cases) -> list[dict]:
    """Several (mode, path) cases in one window on FILE (one start-up): a result per case."""
    results = run_window(tmp_path, "each", file, json.dumps([[mode, str(path)] for mode, path in cases]))
    assert len(results) == len(cases), results
    return results


def bad_copy(tmp_path, **training) -> Path:
    doc = json.loads(SMALL.read_text(encoding="utf-8"))
    doc.setdefault("training", {}).update(training)
    bad = tmp_path / "bad.graph.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    return bad


# --- case 1: a failed Open leaves the window exactly as it was ---------------------------------
@pytest.mark.parametrize("training", [{"seed": 2**31}, {"epochs": 2**31}, {"batch_size": 10**300}],
                         ids=["seed 2^31", "epochs 2^31", "batch_size 1e300"])
def test_a_failed_open_over_a_saved_file_changes_nothing(tmp_path, training):
    saved = tmp_path / "mine.graph.json"
    shutil.copy(BIG, saved)
    bad = bad_copy(tmp_path, **training)
    first, opened, again, undone = run_window(tmp_path, "open-bad", saved, bad)
    assert first["ok"] and first["path"] == str(saved.resolve())
    assert not opened["ok"]
    assert opened["warnings"] and "training" in opened["warnings"][-1]  # says why, in the loader's words
    # The window is exactly as it was: the same boxes, file, title and undo history.
    for key in ("path", "title", "boxes", "undo_count", "undo_index"):
        assert opened[key] == first[key], key
    # Saving again writes the learner's own graph: the saved file is unchanged.
    assert again["ok"] and again["text"] == first["text"]
    assert sorted(fileformat.load(saved).nodes()) == first["boxes"]
    # Undo still walks back through the learner's edit.
    assert undone["errors"] == [] and undone["value"] == undone["original"]


# --- case 2: the window never reads a FIFO, a device or a folder ----------------------------
def test_opening_what_is_not_a_file_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "sub").mkdir()
    paths = {"fifo": tmp_path / "pipe", "folder": tmp_path / "sub", "device": make_device(tmp_path)}
    results = run_each(tmp_path, SMALL, [("open", p) for p in paths.values()])
    for kind, opened in zip(paths, results):
        assert not opened["ok"], kind
        assert opened["boxes"] == opened["before"]["boxes"], kind
        assert len(opened["warnings"]) == 1 and "\n" not in opened["warnings"][0], (kind, opened["warnings"])
        assert {"fifo": "pipe", "folder": "folder", "device": "device"}[kind] in opened["warnings"][0]
    assert stat.S_ISFIFO(os.lstat(paths["fifo"]).st_mode)


# --- case 5: a field shows the value the file holds and never rewrites an untouched one -----------
@pytest.mark.parametrize("lr", [1e6, 1e-9, 0.123456789012345])
def test_settings_fields_show_the_files_values_and_keep_them(tmp_path, lr):
    doc = json.loads(SMALL.read_text(encoding="utf-8"))
    doc["training"] = {"optimizer": "sgd", "lr": lr, "epochs": 10, "momentum": 5.0}
    doc["dataset"] = {"generator": "gauss", "n": 50, "seed": 3, "noise": 4.5, "test_fraction": 0.95}
    path = tmp_path / "odd.graph.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    (changed,) = run_window(tmp_path, "settings", path)
    assert changed["shown"]["lr"] == lr and changed["shown"]["momentum"] == 5.0
    assert float(changed["shown"]["lr_text"]) == pytest.approx(lr, rel=1e-9)
    assert changed["shown"]["noise"] == 4.5 and changed["shown"]["test_share"] == 0.95
    tr, ds = changed["training"], changed["dataset"]
    assert tr["epochs"] == 11 and tr["lr"] == lr and tr["momentum"] == 5.0  # only Epochs changed
    assert ds["seed"] == 4 and ds["noise"] == 4.5 and ds["test_fraction"] == 0.95 and ds["n"] == 50


# --- case 4: training is one undoable step, even while it runs --------------------------------------
def test_undo_while_training_stops_the_run_and_restores_the_values_before_it(tmp_path):
    (r,) = run_window(tmp_path, "undo-train", EXAMPLES / "xor_network.graph.json")
    after = r["after_undo"]
    assert after["state"] != "running" and r["still"]
    assert after["values"] == r["before_run"]  # exactly the parameters before the run, the edit kept
    # The edit and the Epochs change stay done; the run is one step, there to redo.
    assert after["index"] == after["count"] - 1 == 2
    assert r["redone"] != r["before_run"]  # redo gives back the trained values ...
    assert r["undone_edit"] == r["original"]  # ... and undo walks back through the edit as well
    assert r["redone_both"] == r["redone"]  # redo of all: exactly the values the run stopped at


# --- case 8: exports are written atomically and say when they fail ------------------------------
EXPORT_MODES = ("export", "export-plot")


def test_an_export_on_a_full_disk_says_so_and_keeps_the_old_file(tmpfs, tmp_path):
    outs = {(mode, suffix): tmpfs / f"{mode}.{suffix}" for mode in EXPORT_MODES for suffix in ("svg", "png")}
    for out in outs.values():
        out.write_bytes(b"the old picture")
    fill(tmpfs)
    results = run_each(tmp_path, SMALL, [(mode, out) for (mode, _), out in outs.items()])
    for ((mode, suffix), out), r in zip(outs.items(), results):
        assert len(r["warnings"]) == 1 and "No space left" in r["warnings"][0], (mode, suffix, r["warnings"])
        assert out.read_bytes() == b"the old picture", (mode, suffix)
        if mode == "export":
            assert not r["ok"] and "Exported" not in r["status"], (suffix, r["status"])
    # no temporary or 0-byte file left
    assert sorted(os.listdir(tmpfs)) == sorted(["filler", *(out.name for out in outs.values())])


def test_an_export_over_a_fifo_is_refused_and_through_a_symlink_reaches_its_target(tmp_path):
    modes = {"export": ".svg", "export-plot": ".svg", "export-code": ".py"}
    pipes, links, targets = {}, {}, {}
    for mode, suffix in modes.items():
        pipes[mode] = tmp_path / f"pipe-{mode}{suffix}"
        os.mkfifo(pipes[mode])
        targets[mode] = tmp_path / f"target-{mode}{suffix}"
        targets[mode].write_text("old", encoding="utf-8")
        links[mode] = tmp_path / f"link-{mode}{suffix}"
        links[mode].symlink_to(targets[mode])
    results = run_each(tmp_path, SMALL, [(m, pipes[m]) for m in modes] + [(m, links[m]) for m in modes])
    for mode, r in zip(modes, results[:3]):
        assert len(r["warnings"]) == 1 and "pipe (FIFO)" in r["warnings"][0], (mode, r["warnings"])
        assert stat.S_ISFIFO(os.lstat(pipes[mode]).st_mode), mode
    for (mode, suffix), r in zip(modes.items(), results[3:]):
        assert r["warnings"] == [] and links[mode].is_symlink(), (mode, r["warnings"])
        written = targets[mode].read_text(encoding="utf-8").lstrip()
        # a whole SVG document, or a whole script
        assert written.startswith("<") if suffix == ".svg" else compile(written, "export", "exec") is not None


def test_an_export_onto_a_device_is_refused_and_the_device_kept(tmp_path):
    dev = make_device(tmp_path)
    for mode, r in zip(("export", "export-code"), run_each(tmp_path, SMALL, [("export", dev), ("export-code", dev)])):
        assert len(r["warnings"]) == 1 and "device" in r["warnings"][0], (mode, r["warnings"])
    assert stat.S_ISCHR(os.lstat(dev).st_mode)  # still the device, not replaced by a file


# --- case 9: quitting after Copy, and --screenshot on hostile input -----------------------------
def test_quit_after_select_all_and_copy_exits_cleanly(tmp_path):
    (r,) = run_window(tmp_path, "copy-quit", BIG)  # run_window: exit code 0, no traceback
    assert r["kind"] == "copied"


def screenshot(tmp_path, *argv):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"))
    try:
        return subprocess.run([sys.executable, "-m", "gui.app", *map(str, argv)], capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=TIME_BOUND, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"backprop-studio {argv} did not finish in {TIME_BOUND} s")


SCREENSHOT_REFUSALS = {
    "seed 2^31": (lambda d: ("bad.graph.json", "shot.png", "1400x860"), "'seed'"),
    "fifo file": (lambda d: ("pipe", "shot.png", "1400x860"), "pipe (FIFO)"),
    "fifo output": (lambda d: (SMALL, "pipe", "1400x860"), "pipe (FIFO)"),
    "folder output": (lambda d: (SMALL, d, "1400x860"), "folder"),
    "empty output": (lambda d: (SMALL, "", "1400x860"), "file name"),
    "huge size": (lambda d: (SMALL, "shot.png", "60000x60000"), "--size must be from"),
}


@pytest.mark.parametrize("case", SCREENSHOT_REFUSALS)
def test_screenshot_refuses_hostile_input_in_one_line(tmp_path, case):
    bad_copy(tmp_path, seed=2**31)
    os.mkfifo(tmp_path / "pipe")
    argv, words = SCREENSHOT_REFUSALS[case]
    file, out, size = argv(tmp_path)
    p = screenshot(tmp_path, file, "--screenshot", out, "--size", size)
    assert p.returncode == 2, (p.returncode, p.stderr)
    lines = [line for line in p.stderr.splitlines() if line.startswith("backprop-studio")]
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in p.stderr, p.stderr
    assert stat.S_ISFIFO(os.lstat(tmp_path / "pipe").st_mode)
    assert not (tmp_path / "shot.png").exists()


# --- case 6: Save As into another folder keeps a CSV data set findable ---------------------------
def test_save_as_into_another_folder_rebases_a_relative_csv_path(tmp_path):
    rc = run_graphcore("dataset", "simple", "--n", "30", "-o",
                         str(tmp_path / "data.csv"), timeout=TIME_BOUND).returncode
    assert rc == 0
    doc = json.loads(SMALL.read_text(encoding="utf-8"))
    doc["dataset"] = {"csv": "../data.csv"}
    (tmp_path / "a").mkdir()
    original = tmp_path / "a" / "g.graph.json"
    original.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "b" / "c" / "copy.graph.json"
    out.parent.mkdir(parents=True)
    (r,) = run_window(tmp_path, "save-as", original, out)
    assert r["ok"] and r["warnings"] == []
    assert fileformat.load(out).meta["dataset"] == {"csv": "../../data.csv"}
    assert r["dataset"] == {"csv": "../../data.csv"}  # the window goes on with the rebased path too
    p = run_graphcore("eval", str(out), timeout=TIME_BOUND)
    assert p.returncode == 0, p.stderr  # the copy finds its data
    assert json.loads(original.read_text(encoding="utf-8"))["dataset"] == {"csv": "../data.csv"}


# --- case 7: never save what cannot be reopened ----------------------------------------------------
@pytest.mark.slow
def test_a_point_clicked_into_a_huge_generated_set_never_makes_a_file_that_cannot_be_reopened(tmp_path):
    doc = json.loads(SMALL.read_text(encoding="utf-8"))
    doc["dataset"] = {"generator": "simple", "n": 1_500_000, "seed": 1}
    path = tmp_path / "huge.graph.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "saved.graph.json"
    (r,) = run_window(tmp_path, "click-point", path, out)
    assert "fewer than" in r["panel_error"]  # the click is refused and says why
    assert r["block_keys"] == ["generator", "n", "seed"]  # the data set is still the generator
    assert r["ok"] and fileformat.load(out).meta["dataset"]["n"] == 1_500_000  # what was saved opens again


def test_a_graph_file_over_the_size_limit_is_never_written(tmp_path, monkeypatch):
    g = fileformat.load(SMALL)
    out = tmp_path / "g.graph.json"
    out.write_text("old", encoding="utf-8")
    monkeypatch.setattr(fileformat, "MAX_BYTES", len(fileformat.dumps(g)) - 1)
    with pytest.raises(fileformat.FileFormatError, match="could not be opened again"):
        fileformat.save(g, out)
    assert out.read_text(encoding="utf-8") == "old"


# --- case 2 in the window: Save As onto what is not a file -------------------------------------------
def make_target(tmp_path, kind) -> Path:
    if kind == "fifo":
        os.mkfifo(tmp_path / "pipe.graph.json")
        return tmp_path / "pipe.graph.json"
    if kind == "folder":
        (tmp_path / "sub.graph.json").mkdir()
        return tmp_path / "sub.graph.json"
    if kind == "missing folder":
        return tmp_path / "nowhere" / "g.graph.json"
    return make_device(tmp_path, "dev.graph.json")


SAVE_REFUSALS = {"fifo": "pipe (FIFO)", "folder": "folder", "device": "device", "missing folder": "does not exist"}


def test_save_as_onto_what_is_not_a_file_is_refused_and_left_alone(tmp_path):
    targets = {kind: make_target(tmp_path, kind) for kind in SAVE_REFUSALS}
    modes = {kind: os.lstat(t).st_mode if os.path.lexists(t) else None for kind, t in targets.items()}
    results = run_each(tmp_path, SMALL, [("save-as", t) for t in targets.values()])
    for (kind, target), r in zip(targets.items(), results):
        warning = r["warnings"]
        assert not r["ok"] and len(warning) == 1 and SAVE_REFUSALS[kind] in warning[0], (kind, warning)
        assert "\n" not in warning[0] and ".tmp" not in warning[0], kind
        assert r["path"] == str(SMALL), kind  # the window still belongs to the file it opened
        if modes[kind] is not None:
            assert os.lstat(target).st_mode == modes[kind], kind  # still a FIFO, a folder, a device
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


def test_save_as_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "g.graph.json"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.graph.json"
    link.symlink_to(target)
    (r,) = run_window(tmp_path, "save-as", SMALL, link)
    assert r["ok"] and r["warnings"] == []
    assert link.is_symlink() and fileformat.load(target).meta["name"] == fileformat.load(SMALL).meta["name"]
    assert os.listdir(tmp_path / "real") == ["g.graph.json"]


def test_save_as_on_a_full_disk_says_so_and_keeps_the_old_file(tmpfs, tmp_path):
    out = tmpfs / "g.graph.json"
    out.write_text("old", encoding="utf-8")
    fill(tmpfs)
    (r,) = run_window(tmp_path, "save-as", SMALL, out)
    assert not r["ok"] and len(r["warnings"]) == 1 and "No space left" in r["warnings"][0]
    assert out.read_text(encoding="utf-8") == "old" and sorted(os.listdir(tmpfs)) == ["filler", "g.graph.json"]
