"""Paths treated as what they are (issue #19, cases 2 and 10), through the real command.

Each case runs the command line as its own process (tests/cli/cli_runner.py) with a time bound (a FIFO that is
read blocks for ever; a device that is read never ends) and expects either one line on
stderr and exit 2, or the correct result. Every file involved lives in the test's folder:
a FIFO we make, a device node we make (root only), tmpfs mounts for a full or read-only
folder (root only); the folder's other files must come out unchanged."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from graphcore import fileformat
from tests.cli.cli_runner import run_graphcore
from tests.reliability.reliability_mounts import EXAMPLE, fill, make_device

TIME_BOUND = 60  # seconds per case; a hang (FIFO, device) is the failure this catches


def graphcore(*argv, cwd) -> tuple[int, str, str]:
    try:
        p = run_graphcore(*argv, cwd=cwd, timeout=TIME_BOUND)
    except subprocess.TimeoutExpired:
        pytest.fail(f"graphcore {' '.join(map(str, argv))} did not finish in {TIME_BOUND} s")
    return p.returncode, p.stdout, p.stderr


def assert_refused(rc, err, *words):
    assert rc == 2, (rc, err)
    assert err.count("\n") == 1 and err.startswith("graphcore"), repr(err)
    assert "Traceback" not in err and ".tmp" not in err, err
    for w in words:
        assert w in err, (w, err)


def snapshot(folder: Path) -> dict:
    """Every entry of the folder: its kind, and a regular file's bytes."""
    out = {}
    for p in sorted(folder.iterdir()):
        st = os.lstat(p)
        if stat.S_ISREG(st.st_mode):
            out[p.name] = ("file", p.read_bytes())
        elif stat.S_ISLNK(st.st_mode):
            out[p.name] = ("link", os.readlink(p))
        else:
            out[p.name] = (stat.S_IFMT(st.st_mode), None)
    return out


# --- reading: a FIFO, a device, a folder are refused at once, never read ----------------------
READ_CASES = {
    "fifo": ("pipe", "pipe (FIFO)"),
    "folder": ("sub", "folder"),
    "missing": ("nothing.graph.json", "No such file"),
}
# Devices are our own node (the null device's numbers), never /dev/zero: a regression would
# read it until memory runs out, on a machine other work shares.


# Every verb that reads a graph file, with the flags it needs to get as far as reading it.
READERS = {
    "eval": ["eval"],
    "check": ["check"],
    "steps": ["steps"],
    "train": ["train"],
    "export": ["export", "--to", "numpy"],
    "race": ["race", "--optimizers", "sgd,adam"],
}


def reading(verb: str, name: str) -> list[str]:
    return [READERS[verb][0], name, *READERS[verb][1:]]


@pytest.mark.parametrize("verb", READERS)
@pytest.mark.parametrize("case", READ_CASES)
def test_reading_what_is_not_a_file_is_refused_in_one_line(folder, verb, case):
    name, word = READ_CASES[case]
    before = snapshot(folder)
    rc, _, err = graphcore(*reading(verb, name), cwd=folder)
    assert_refused(rc, err, word)
    assert snapshot(folder) == before


@pytest.mark.parametrize("verb", READERS)
def test_reading_a_device_node_is_refused(folder, verb):
    dev = make_device(folder)
    rc, _, err = graphcore(*reading(verb, dev.name), cwd=folder)
    assert_refused(rc, err, "device")
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


DATA_READERS = ["eval", "check", "train", "steps", "race"]


@pytest.mark.parametrize("verb", DATA_READERS)
@pytest.mark.parametrize("case", ["fifo", "folder", "device"])
def test_a_data_file_that_is_not_a_file_is_refused_in_one_line(folder, verb, case):
    name = make_device(folder).name if case == "device" else {"fifo": "pipe", "folder": "sub"}[case]
    rc, _, err = graphcore(*reading(verb, "in.graph.json"), "--data", name, cwd=folder)
    assert_refused(rc, err, "not a regular file")
    assert stat.S_ISFIFO(os.lstat(folder / "pipe").st_mode)


@pytest.mark.parametrize("verb", DATA_READERS)
@pytest.mark.parametrize("case", ["fifo", "device"])
def test_a_graph_whose_csv_data_set_is_not_a_file_is_refused_in_one_line(folder, verb, case):
    name = make_device(folder).name if case == "device" else "pipe"
    doc = json.loads((folder / "in.graph.json").read_text(encoding="utf-8"))
    doc["dataset"] = {"csv": name}
    (folder / "csv.graph.json").write_text(json.dumps(doc), encoding="utf-8")
    rc, _, err = graphcore(*reading(verb, "csv.graph.json"), cwd=folder)
    assert_refused(rc, err, "not a regular file", name)


def test_reading_through_a_symlink_reads_its_target(folder):
    (folder / "link.json").symlink_to("in.graph.json")
    rc, out, err = graphcore("eval", "link.json", cwd=folder)
    assert rc == 0, err
    assert "cost" in out


# --- writing: -o --------------------------------------------------------------------------------
def output_commands(out: str) -> dict:
    return {
        "train": ["train", "in.graph.json", "--epochs", "2", "-o", out],
        "export": ["export", "in.graph.json", "--to", "numpy", "-o", out],
        "from-expr": ["from-expr", "sigmoid(w*x + b)", "--inputs", "x", "-o", out],
        "dataset": ["dataset", "xor", "--n", "20", "-o", out],
    }


WRITE_REFUSALS = {
    "fifo": ("pipe", "pipe (FIFO)"),
    "folder": ("sub", "folder"),
    "empty name": ("", "file name"),
    "missing folder": ("nowhere/out.json", "does not exist"),
}


@pytest.mark.parametrize("verb", ["train", "export", "from-expr", "dataset"])
@pytest.mark.parametrize("case", WRITE_REFUSALS)
def test_an_output_that_is_not_a_file_is_refused_and_left_alone(folder, verb, case):
    out, word = WRITE_REFUSALS[case]
    before = snapshot(folder)
    rc, _, err = graphcore(*output_commands(out)[verb], cwd=folder)
    assert_refused(rc, err, word)
    assert snapshot(folder) == before  # the FIFO is still a FIFO, nothing new appeared


@pytest.mark.parametrize("verb", ["train", "export", "from-expr", "dataset"])
def test_an_output_on_a_device_is_refused_and_the_device_stays(folder, verb):
    dev = make_device(folder)
    rc, _, err = graphcore(*output_commands(dev.name)[verb], cwd=folder)
    assert_refused(rc, err, "device")
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


@pytest.mark.parametrize("verb", ["train", "from-expr"])
def test_an_output_through_a_symlink_writes_its_target_and_keeps_the_link(folder, verb):
    (folder / "real").mkdir()
    target = folder / "real" / "target.graph.json"
    target.write_text("old", encoding="utf-8")
    link = folder / "link.graph.json"
    link.symlink_to(target)
    rc, _, err = graphcore(*output_commands(link.name)[verb], cwd=folder)
    assert rc == 0, err
    assert link.is_symlink() and os.readlink(link) == str(target)
    fileformat.load(target)  # the new graph is in the target, whole
    assert sorted(os.listdir(folder / "real")) == ["target.graph.json"]  # no temporary file left
    assert not any(n.endswith(".tmp") for n in os.listdir(folder))


def test_a_dangling_symlink_output_creates_its_target(folder):
    link = folder / "link.graph.json"
    link.symlink_to(folder / "new.graph.json")
    rc, _, err = graphcore(*output_commands(link.name)["from-expr"], cwd=folder)
    assert rc == 0, err
    assert link.is_symlink()
    fileformat.load(folder / "new.graph.json")


def test_train_writing_over_its_own_input_gives_the_trained_graph(folder):
    before = fileformat.load(folder / "in.graph.json")
    rc, _, err = graphcore("train", "in.graph.json", "--epochs", "5", "-o", "in.graph.json", cwd=folder)
    assert rc == 0, err
    after = fileformat.load(folder / "in.graph.json")
    assert sorted(after.nodes()) == sorted(before.nodes())
    assert any(after.value(n) != before.value(n) for n in after.nodes() if before.value(n) is not None)


def test_a_full_disk_keeps_the_old_output_whole(tmpfs, folder):
    out = tmpfs / "out.graph.json"
    shutil.copy(EXAMPLE, out)
    old = out.read_bytes()
    fill(tmpfs)
    rc, _, err = graphcore("train", "in.graph.json", "--epochs", "1", "-o", str(out), cwd=folder)
    assert_refused(rc, err, "cannot write", "No space left")
    assert out.read_bytes() == old
    assert sorted(os.listdir(tmpfs)) == ["filler", "out.graph.json"]


def test_a_read_only_folder_is_named_and_the_file_kept(tmpfs, folder):
    out = tmpfs / "out.graph.json"
    shutil.copy(EXAMPLE, out)
    old = out.read_bytes()
    if subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], capture_output=True, timeout=30).returncode:
        pytest.skip("cannot remount the tmpfs read-only")
    rc, _, err = graphcore("train", "in.graph.json", "--epochs", "1", "-o", str(out), cwd=folder)
    assert_refused(rc, err, f"the folder {tmpfs} does not allow new files")
    assert out.read_bytes() == old
