"""The graph file (SPEC §3): round-trip, stable order, every rule refused by name, atomic save."""
import copy
import json
import os
import stat
import time

import pytest

from graphcore import fileformat
from graphcore.errors import FileFormatError
from graphcore.randgraph import random_graph

GOOD = {
    "format": "backprop-studio.graph",
    "version": 1,
    "name": "logistic regression",
    "nodes": [
        {"id": "x1", "op": "input", "column": "x1"},
        {"id": "w1", "op": "parameter", "value": 0.1, "label": "w₁"},
        {"id": "z", "op": "mul"},
        {"id": "act", "op": "leaky_relu", "attrs": {"slope": 0.1}},
        {"id": "y", "op": "input", "column": "y"},
        {"id": "p", "op": "sigmoid"},
        {"id": "L", "op": "bce"},
        {"id": "soft", "op": "softmax", "attrs": {"k": 2}},
        {"id": "pick", "op": "identity"},
    ],
    "edges": [
        {"src": "x1", "dst": "z", "port": 0},
        {"src": "w1", "dst": "z", "port": 1},
        {"src": "z", "dst": "act", "port": 0},
        {"src": "act", "dst": "p", "port": 0},
        {"src": "p", "dst": "L", "port": 0},
        {"src": "y", "dst": "L", "port": 1},
        {"src": "act", "dst": "soft", "port": 0},
        {"src": "z", "dst": "soft", "port": 1},
        {"src": "soft", "out": 1, "dst": "pick", "port": 0},
    ],
    "loss": "L",
    "output": "p",
    "threshold": 0.25,
    "dataset": {"generator": "xor", "n": 100, "seed": 0, "noise": 0.0, "test_fraction": 0.0},
    "training": {"optimizer": "sgd", "lr": 0.5, "epochs": 500, "batch_size": None, "seed": 0},
    "layout": {"x1": [0, 0], "w1": [0, 80]},
}


def text(doc):
    return json.dumps(doc)


def test_round_trip_is_identical_text():
    g = fileformat.loads(text(GOOD))
    once = fileformat.dumps(g)
    assert fileformat.dumps(fileformat.loads(once)) == once
    assert json.loads(once) == GOOD, "nothing lost, nothing added, same order"


def test_order_of_nodes_and_edges_is_kept_as_in_the_file():
    doc = copy.deepcopy(GOOD)
    doc["nodes"].reverse()
    doc["edges"].reverse()
    out = json.loads(fileformat.dumps(fileformat.loads(text(doc))))
    assert [n["id"] for n in out["nodes"]] == [n["id"] for n in doc["nodes"]]
    assert out["edges"] == doc["edges"]


@pytest.mark.parametrize("with_data", [False, True])
def test_random_graphs_round_trip(with_data):
    for seed in range(3):
        g, _ = random_graph(120, seed, with_data=with_data)
        once = fileformat.dumps(g)
        assert fileformat.dumps(fileformat.loads(once)) == once


def broken(path, value):
    """GOOD with one key set (path: list of keys/indices; value ... = delete)."""
    doc = copy.deepcopy(GOOD)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return text(doc)


RULES = [
    # (what is broken, file text, words the message must hold)
    ("format", broken(["format"], "something"), ["format", "backprop-studio.graph"]),
    ("version", broken(["version"], 7), ["version 7"]),
    ("version missing", broken(["version"], ...), ["version None"]),
    ("top-level key", broken(["colour"], "red"), ["unknown top-level key 'colour'"]),
    ("bad id", broken(["nodes", 2, "id"], "2z"), ["node '2z'", "[A-Za-z_]"]),
    ("duplicate id", broken(["nodes", 2, "id"], "x1"), ["node 'x1'", "already a box 'x1'"]),
    ("node key", broken(["nodes", 2, "color"], "red"), ["node 'z'", "unknown key 'color'"]),
    ("missing op", broken(["nodes", 2, "op"], ...), ["node 'z'", "missing 'op'"]),
    ("unknown op", broken(["nodes", 2, "op"], "matmul"), ["node 'z'", "unknown Function 'matmul'"]),
    ("value type", broken(["nodes", 1, "value"], "0.1"), ["node 'w1'", "'value' must be a finite number"]),
    ("value huge", broken(["nodes", 1, "value"], 10**400), ["node 'w1'", "'value'"]),
    ("parameter needs value", broken(["nodes", 1, "value"], ...), ["node 'w1'", "needs a value"]),
    ("value on a Function", broken(["nodes", 2, "value"], 1.0), ["node 'z'", "take a value"]),
    ("attrs", broken(["nodes", 3, "attrs"], {"slope": "steep"}), ["node 'act'", "'slope' must be a number"]),
    ("attr unknown", broken(["nodes", 3, "attrs"], {"k": 2}), ["node 'act'", "no attribute 'k'"]),
    ("label", broken(["nodes", 1, "label"], 3), ["node 'w1'", "'label' must be text"]),
    ("column", broken(["nodes", 0, "column"], 3), ["node 'x1'", "'column' must be text"]),
    ("edge src", broken(["edges", 0, "src"], "nowhere"), ["edge #0", "no box 'nowhere'"]),
    ("edge key", broken(["edges", 0, "weight"], 1), ["edge #0", "unknown key 'weight'"]),
    ("edge port missing", broken(["edges", 0, "port"], ...), ["edge #0", "missing 'port'"]),
    ("edge port type", broken(["edges", 0, "port"], 0.5), ["edge #0", "whole numbers"]),
    ("port range", broken(["edges", 0, "port"], 2), ["edge #0", "'z'", "not port 2"]),
    ("out range", broken(["edges", 8, "out"], 2), ["edge #8", "'soft'", "no output 2"]),
    ("port twice", broken(["edges", 1, "port"], 0), ["edge #1", "input 0 of 'z' already has an arrow"]),
    ("cycle", broken(["edges", 0, "src"], "act"), ["edge #2 (z → act)", "cycle", "'act' already feeds 'z'"]),
    ("loss", broken(["loss"], "nobox"), ["'loss'", "no box 'nobox'"]),
    ("loss port", broken(["loss"], "soft:5"), ["'loss'", "no output 5"]),
    ("output", broken(["output"], 3), ["'output'"]),
    ("threshold", broken(["threshold"], "half"), ["'threshold'"]),
    ("dataset", broken(["dataset"], {"generator": "moons"}), ["'dataset'", "unknown generator 'moons'"]),
    ("dataset kinds", broken(["dataset"], {"csv": "a.csv", "points": {}}), ["'dataset'", "exactly one"]),
    ("dataset n", broken(["dataset", "n"], 0), ["'dataset'", "'n'"]),
    ("points", broken(["dataset"], {"points": {"x1": [1, "a"]}}), ["points column 'x1'"]),
    ("points lengths", broken(["dataset"], {"points": {"x1": [1, 2], "y": [1]}}), ["same length"]),
    ("test_fraction", broken(["dataset", "test_fraction"], 1.0), ["'test_fraction'"]),
    ("optimizer", broken(["training", "optimizer"], "lbfgs"), ["'training'", "unknown optimizer 'lbfgs'"]),
    ("lr", broken(["training", "lr"], -1), ["'training'", "'lr'"]),
    ("batch_size", broken(["training", "batch_size"], 0), ["'batch_size'"]),
    ("betas", broken(["training", "betas"], [0.9]), ["'betas'"]),
    ("training key", broken(["training", "warmup"], 3), ["unknown key 'warmup'"]),
    ("layout node", broken(["layout", "ghost"], [0, 0]), ["'layout'", "no box 'ghost'"]),
    ("layout pos", broken(["layout", "x1"], [0]), ["'layout'", "'x1'"]),
    ("nodes type", broken(["nodes"], {}), ["'nodes' must be a list"]),
    ("node type", broken(["nodes", 0], "x1"), ["node #0", "must be an object"]),
    ("not json", '{"format": ', ["invalid JSON"]),
    ("top level", "[1, 2]", ["top level"]),
    ("NaN", text(GOOD).replace('"value": 0.1', '"value": NaN'), ["NaN"]),
    ("empty", "", ["invalid JSON"]),
]


@pytest.mark.parametrize("what,doc,words", RULES, ids=[r[0] for r in RULES])
def test_every_rule_is_refused_with_a_message_naming_it(what, doc, words):
    with pytest.raises(FileFormatError) as exc:
        fileformat.loads(doc)
    msg = str(exc.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg, (what, msg)


def test_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(FileFormatError, match="not UTF-8"):
        fileformat.loads(b"\xff\xfe{}")


def test_load_names_a_missing_file(tmp_path):
    with pytest.raises(FileFormatError, match="cannot read"):
        fileformat.load(tmp_path / "missing.graph.json")


def test_save_then_load(tmp_path):
    g = fileformat.loads(text(GOOD))
    path = tmp_path / "g.graph.json"
    fileformat.save(g, path)
    h = fileformat.load(path)
    assert fileformat.dumps(h) == fileformat.dumps(g)
    assert h.source_path == str(path.resolve())


@pytest.mark.parametrize("fail_at", ["fsync", "replace", "write"])
def test_save_is_atomic(tmp_path, monkeypatch, fail_at):
    """A failure mid-save leaves the old file whole and no temporary file behind."""
    path = tmp_path / "g.graph.json"
    g = fileformat.loads(text(GOOD))
    fileformat.save(g, path)
    old = path.read_text(encoding="utf-8")
    g.set_value("w1", 123.0)

    def boom(*a, **k):
        raise OSError(28, "No space left on device")
    if fail_at == "write":
        real_fdopen = os.fdopen

        class Half:
            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def write(self, s):
                self.fh.write(s[: len(s) // 2])
                self.fh.flush()
                boom()
        monkeypatch.setattr(fileformat.os, "fdopen", lambda *a, **k: Half(real_fdopen(*a, **k)))
    else:
        monkeypatch.setattr(fileformat.os, fail_at, boom)
    with pytest.raises(OSError):
        fileformat.save(g, path)
    monkeypatch.undo()
    assert path.read_text(encoding="utf-8") == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.graph.json"]
    fileformat.save(g, path)
    assert fileformat.load(path).value("w1") == 123.0


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX permission bits")
def test_save_keeps_the_old_files_permission_bits(tmp_path):
    path = tmp_path / "g.graph.json"
    g = fileformat.loads(text(GOOD))
    fileformat.save(g, path)
    for mode in (0o644, 0o640, 0o664, 0o600):
        os.chmod(path, mode)
        g.set_value("w1", float(mode))
        fileformat.save(g, path)
        assert stat.S_IMODE(os.stat(path).st_mode) == mode
        assert fileformat.load(path).value("w1") == float(mode)


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="POSIX permission bits")
@pytest.mark.parametrize("umask", [0o022, 0o027, 0o077])
def test_a_new_file_gets_0666_less_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        path = tmp_path / "new.graph.json"
        fileformat.save(fileformat.loads(text(GOOD)), path)
        (tmp_path / "plain.txt").write_text("x")  # what open() makes, for comparison
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask
    assert stat.S_IMODE(os.stat(path).st_mode) == stat.S_IMODE(os.stat(tmp_path / "plain.txt").st_mode)


def test_a_save_sweeps_up_old_temporary_files_of_that_file_only(tmp_path):
    """A killed save leaves `.NAME.XXXXXXXX.tmp`; the next save of NAME removes those older than
    a minute, and nothing else: not fresh ones (a save under way), not other files' ones."""
    path = tmp_path / "g.graph.json"
    old_time = time.time() - 3600
    stale = [tmp_path / ".g.graph.json.ab_3x9qz.tmp", tmp_path / ".g.graph.json.00000000.tmp"]
    kept = [tmp_path / ".g.graph.json.fresh123.tmp",  # young: maybe another save under way
            tmp_path / ".other.graph.json.ab_3x9qz.tmp",  # another file's
            tmp_path / ".g.graph.json.toolongname.tmp",  # not mkstemp's pattern
            tmp_path / "g.graph.json.ab_3x9qz.tmp",  # not hidden
            tmp_path / ".g.graph.json.ab_3x9qz.bak",
            tmp_path / "notes.txt"]
    for f in stale + kept:
        f.write_text("half a file")
    for f in stale + kept[1:]:
        os.utime(f, (old_time, old_time))
    folder = tmp_path / ".g.graph.json.dir45678.tmp"
    folder.mkdir()
    os.utime(folder, (old_time, old_time))
    fileformat.save(fileformat.loads(text(GOOD)), path)
    assert not any(f.exists() for f in stale)
    assert all(f.exists() for f in kept) and folder.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, folder.name] + [f.name for f in kept])
