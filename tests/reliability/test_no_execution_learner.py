"""A graph file with the learner's own Functions: loading it, evaluating, stepping through and
checking it executes nothing from the file — the expressions are read by formula.py's own
parser (no compile()), and the engine's code printed from them names ports by position.
The audit-hook child of test_no_execution watches every compile, exec, process and import."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.reliability.reliability_docs import FORMAT, lessons
from tests.reliability.execution_bait import BAIT, CHILD

# Warm up on a plain lesson and on a harmless learner Function (sympy's lazily imported parts
# load then), so that what the hook sees afterwards is the hostile files' doing alone.
WARM = '["eval", sys.argv[2]], ["steps", sys.argv[2]], ["check", sys.argv[2]]'
CHILD_WARM = CHILD.replace(f"for argv in ({WARM}):",
                           'for argv in [[v, p] for p in sys.argv[2].split("|") for v in ("eval", "steps", "check")]:')

# A valid Function whose name and port names are words a leak into compiled code would show.
LEAKY_NAMES = {"name": "system", "ports": ["popen", "spawnv"], "forward": "popen*spawnv + sin(popen)",
               "derivatives": {"popen": "spawnv + cos(popen)", "spawnv": "popen"}}
HOSTILE = [
    dict(LEAKY_NAMES, forward=f"__import__('{BAIT}')"),
    dict(LEAKY_NAMES, derivatives={"popen": "open('SENTINEL', 'w')", "spawnv": "popen"}),
    dict(LEAKY_NAMES, name=f"__import__('{BAIT}')"),
    dict(LEAKY_NAMES, ports=["os.system", "spawnv"]),
    dict(LEAKY_NAMES, forward="popen.__class__.__mro__"),
    dict(LEAKY_NAMES, forward="(lambda: popen)()"),
]
MARKERS = ["system", "popen", "spawnv", BAIT, "__import__", "open(", "__class__"]


def document(fn: dict) -> dict:
    return {"format": FORMAT, "version": 1, "name": "mine", "functions": [fn],
            "nodes": [{"id": "x", "op": "input", "value": 0.5}, {"id": "w", "op": "parameter", "value": 0.3},
                      {"id": "f", "op": fn["name"] if isinstance(fn["name"], str) else "add"},
                      {"id": "L", "op": "square"}],
            "edges": [{"src": "x", "dst": "f", "port": 0}, {"src": "w", "dst": "f", "port": 1},
                      {"src": "f", "dst": "L", "port": 0}],
            "loss": "L"}


def test_learner_functions_in_a_file_execute_nothing(tmp_path):
    sentinel = tmp_path / "SENTINEL"
    (tmp_path / f"{BAIT}.py").write_text(f"open({str(sentinel)!r}, 'w').write('imported')\n")
    plain = tmp_path / "plain.graph.json"
    plain.write_text(json.dumps(lessons()[0]))
    warm = tmp_path / "warm.graph.json"
    warm.write_text(json.dumps(document({"name": "warm", "ports": ["a", "b"], "forward": "a*b + sin(a)",
                                         "derivatives": {"a": "b + cos(a)", "b": "a"}})))
    assert CHILD_WARM != CHILD
    paths = [f"{plain}|{warm}", str(plain)]
    for i, fn in enumerate([LEAKY_NAMES, *HOSTILE]):
        path = tmp_path / f"mine{i}.graph.json"
        path.write_text(json.dumps(document(fn)), encoding="utf-8")
        paths.append(str(path))
    proc = subprocess.run([sys.executable, "-c", CHILD_WARM, str(tmp_path), *paths], cwd=tmp_path, capture_output=True,
                          text=True, timeout=180)
    assert "Traceback" not in proc.stderr, proc.stderr
    result = json.loads(proc.stdout.rsplit("RESULT ", 1)[1])
    assert not sentinel.exists()
    compiled = [e[1] for e in result["events"] if e[0] == "compile"]
    assert compiled, "the engine's kernels for the learner's Function were compiled (from positions only)"
    for marker in MARKERS:
        assert not [src for src in compiled if marker in src], marker
    assert [e for e in result["events"] if e[0] not in ("compile", "import")] == []
    assert not [e for e in result["events"] if e[0] == "import" and BAIT in e[1]]
    codes = result["codes"]
    # plain lesson: eval, steps, check; the valid learner Function: all three work; every hostile one: refused
    assert codes[3:6] == [0, 0, 0], (codes, proc.stderr)
    assert codes[6:] == [2] * (3 * len(HOSTILE)), (codes, proc.stderr)
    for line in proc.stderr.splitlines():
        assert line.startswith("graphcore: error: ") and "'functions'" in line, line
