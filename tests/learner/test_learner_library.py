"""The learner's library file (graphcore.learner_library): read with the graph file's whitelist
and limits, hostile content refused in one line and never executed, the file never written over
when it cannot be read, and two windows' additions both kept."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from graphcore import learner
from graphcore import functions as F
from graphcore.learner_library import FORMAT, Library, LibraryError
from tests.learner.learner_helpers import SWISH


def doc(*records) -> str:
    return json.dumps({"format": FORMAT, "version": 1, "functions": list(records)})


def test_round_trip_and_two_libraries_on_one_file_keep_both(tmp_path):
    path = tmp_path / "my_functions.json"
    one, two = Library(path), Library(path)
    assert one.load() == [] and two.load() == []  # a missing file is an empty library
    assert one.add(learner.from_record(SWISH))
    cube = {"name": "cube", "ports": ["x"], "forward": "x**3", "derivatives": {"x": "3*x**2"}}
    assert two.add(learner.from_record(cube))  # the other window's addition is not lost
    assert json.loads(path.read_text(encoding="utf-8"))["functions"] == [SWISH, cube]
    again = Library(path)
    assert again.load() == [] and list(again.functions) == ["my_swish", "cube"]
    assert F.CATALOGUE["cube"].expr == "x**3"
    assert again.remove("my_swish")
    assert json.loads(path.read_text(encoding="utf-8"))["functions"] == [cube]


@pytest.mark.parametrize("content, words", [
    (doc(dict(SWISH, forward="__import__('os').system('touch pwned')")), "'functions': my_swish: forward: "),
    (doc(dict(SWISH, name="relu")), "'relu' is a built-in Function"),
    (doc(dict(SWISH, code="print(1)")), "unknown key 'code'"),
    (doc(*[dict(SWISH, name=f"f{i}") for i in range(101)]), "the limit is 100"),
    ('{"format": "backprop-studio-functions", "version": 1, "functions": [NaN]}', "non-finite number NaN"),
    ("{", "invalid JSON"),
    (json.dumps({"format": FORMAT, "version": 1, "extra": 1}), "unknown key 'extra'"),
    ("x" * (1024 * 1024 + 1), "too large"),
])
def test_a_bad_library_file_is_refused_in_one_line_and_never_written(tmp_path, content, words):
    path = tmp_path / "my_functions.json"
    path.write_text(content, encoding="utf-8")
    library = Library(path)
    with pytest.raises(LibraryError) as exc:
        library.load()
    text = str(exc.value)
    assert text.startswith("my_functions.json: ") and words in text and "\n" not in text
    assert library.broken and not library.add(learner.from_record(SWISH))
    assert path.read_text(encoding="utf-8") == content


def test_a_library_function_defined_differently_by_an_open_graph_is_skipped_with_a_note(tmp_path):
    from graphcore import fileformat
    from tests.learner.learner_helpers import xor_with
    graph = fileformat.from_dict(xor_with(SWISH))
    path = tmp_path / "my_functions.json"
    path.write_text(doc(dict(SWISH, forward="tanh(x)", derivatives={"x": "1 - out*out"})), encoding="utf-8")
    library = Library(path)
    (note,) = library.load()
    assert "my_swish is already defined differently by the open graph 'xor network'" in note
    assert library.functions == {} and F.CATALOGUE["my_swish"].expr == "x*sigmoid(x)"
    assert graph.op("h1_1") == "my_swish"


CHILD = textwrap.dedent("""
    import json, os, sys
    from graphcore.learner_library import Library
    import sympy  # lazily imported libraries and codecs are loaded before the hook listens
    import codecs
    codecs.lookup("utf-8-sig")
    seen = []
    def hook(event, args):
        if event == "compile" and not (isinstance(args[1], str) and os.path.isfile(args[1])):
            seen.append(f"{event} {args[0]!r:.80}")
        elif event.startswith(("os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "import")):
            seen.append(f"{event} {args[0]!r:.80}")
    sys.addaudithook(hook)
    try:
        Library(sys.argv[1]).load()
    except Exception as exc:
        print(type(exc).__name__)
    print(json.dumps(seen))
""")


def test_loading_a_hostile_library_executes_nothing(tmp_path):
    path = tmp_path / "my_functions.json"
    path.write_text(doc(dict(SWISH, forward="__import__('os').system('touch pwned')"),
                        dict(SWISH, forward="x", derivatives={"x": "eval('1')"})), encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, timeout=300,
                         cwd=tmp_path, check=True).stdout.splitlines()
    assert out == ["LibraryError", "[]"]
    assert not (tmp_path / "pwned").exists()
