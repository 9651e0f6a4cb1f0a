"""Loading never executes anything from a file.

A child process loads hostile files and runs the headless verbs on them with a Python
audit hook installed (``sys.addaudithook``): it records every exec/compile, process
start and import. Strings in the files name a module that would drop a sentinel file
if anything imported it, and shell snippets that would create one if anything ran them.
"""
from __future__ import annotations

import json
import subprocess
import sys

from tests.reliability.execution_bait import BAIT, CHILD
from tests.reliability.reliability_docs import FORMAT, lessons

PAYLOADS = [
    f"__import__('{BAIT}')",
    "__import__('os').system('touch {sentinel}')",
    "$(touch {sentinel})",
    "`touch {sentinel}`",
    "!!python/object/apply:os.system ['touch {sentinel}']",
    "{{0.__class__.__mro__}}",
    "eval(compile('open(\"{sentinel}\", \"w\")', 'x', 'exec'))",
]


MARKERS = ["touch", BAIT, "__import__", "system", "__mro__", "__class__", "open(", "python/object"]


def hostile_documents(sentinel: str) -> list[dict]:
    docs = []
    for i, payload in enumerate(PAYLOADS):
        text = payload.format(sentinel=sentinel)
        doc = json.loads(json.dumps(lessons()[i % 3]))
        doc["name"] = text
        for node in doc["nodes"]:
            node["label"] = text
        if i % 3 == 0:
            doc["dataset"] = {"csv": text}
        if i % 3 == 2:
            doc["nodes"][0]["column"] = text
            doc["nodes"][0].pop("value", None)
        docs.append(doc)
    # Payloads where the loader must refuse: as an op, a generator, an id, a key.
    docs.append({"format": FORMAT, "version": 1, "nodes": [{"id": "a", "op": f"__import__('{BAIT}')"}]})
    docs.append({"format": FORMAT, "version": 1, "nodes": [], "dataset": {"generator": f"__import__('{BAIT}')"}})
    docs.append({"format": FORMAT, "version": 1, "nodes": [{"id": "__import__('os')", "op": "sin"}]})
    docs.append({"format": FORMAT, "version": 1, "__class__": f"__import__('{BAIT}')", "nodes": []})
    return docs


def test_loading_and_running_hostile_files_executes_nothing(tmp_path):
    sentinel = tmp_path / "SENTINEL"
    (tmp_path / f"{BAIT}.py").write_text(f"open({str(sentinel)!r}, 'w').write('imported')\n")
    plain = tmp_path / "plain.graph.json"
    plain.write_text(json.dumps(lessons()[0]))
    paths = [str(plain)]
    for i, doc in enumerate(hostile_documents(str(sentinel))):
        path = tmp_path / f"hostile{i}.graph.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        paths.append(str(path))
    proc = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), *paths], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    result = json.loads(proc.stdout.rsplit("RESULT ", 1)[1])
    assert not sentinel.exists(), sentinel.read_text()
    # Code is generated and compiled in-process (the engine's fast path) from validated numbers and
    # slot numbers only: no text from a file may reach compile().
    compiled = [e[1] for e in result["events"] if e[0] == "compile"]
    for marker in MARKERS:
        assert not [src for src in compiled if marker in src], marker
    started = [e for e in result["events"] if e[0] not in ("compile", "import")]
    assert started == [], started
    imported = [e for e in result["events"] if e[0] == "import" and BAIT in e[1]]
    assert imported == [], imported
    # Each verb either worked on the odd file or refused it cleanly.
    assert set(result["codes"]) <= {0, 1, 2}, result["codes"]
    assert result["codes"].count(2) >= 4
    for line in proc.stderr.splitlines():
        assert line.startswith("graphcore: error: "), line


def test_the_audit_hook_would_have_seen_an_import(tmp_path):
    """The check above can fail: the same child, made to import the bait and compile a string, reports both."""
    sentinel = tmp_path / "SENTINEL"
    (tmp_path / f"{BAIT}.py").write_text(f"open({str(sentinel)!r}, 'w').write('imported')\n")
    child = CHILD.replace("codes = []", f"codes = []; __import__('{BAIT}'); compile('__import__(1)', '<l>', 'eval')")
    plain = tmp_path / "plain.graph.json"
    plain.write_text(json.dumps(lessons()[0]))
    proc = subprocess.run([sys.executable, "-c", child, str(tmp_path), str(plain)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    result = json.loads(proc.stdout.rsplit("RESULT ", 1)[1])
    assert sentinel.exists()
    assert any(e[0] == "import" and BAIT in e[1] for e in result["events"])
    assert any(e[0] == "compile" and "__import__" in e[1] for e in result["events"])
