"""Hostile content, headless: loader holes are closed and every size limit is enforced
before work starts, with a refusal that names the limit (graphcore/limits.py)."""
from __future__ import annotations

import json
import time

import pytest

from graphcore import fileformat, limits
from graphcore.errors import FileFormatError, GraphError
from graphcore.graph import Graph


def _doc(**extra):
    doc = {"format": "backprop-studio.graph", "version": 1,
           "nodes": [{"id": "x", "op": "input", "value": 1.0}, {"id": "L", "op": "square"}],
           "edges": [{"src": "x", "dst": "L", "port": 0}], "loss": "L"}
    doc.update(extra)
    return doc


def _refused(doc) -> str:
    with pytest.raises(FileFormatError) as info:
        fileformat.loads(json.dumps(doc))
    return str(info.value)


# --- item 7: loader holes ------------------------------------------------------------------
@pytest.mark.parametrize("version", [True, 1.0])
def test_version_must_be_the_whole_number_1(version):
    assert "version" in _refused(_doc(version=version))


@pytest.mark.parametrize("ref", ["L: 0", "L:-0", "L:\u0660", "L:00", "L:+0"])
def test_a_port_suffix_is_ascii_digits_only(ref):
    assert "output port must be a number" in _refused(_doc(loss=ref))


def test_empty_points_are_refused():
    msg = _refused(_doc(dataset={"points": {"x1": [], "y": []}}))
    assert "at least one point" in msg


# --- item 5: limits, refused before work starts, naming the limit ---------------------------
def test_too_many_boxes_is_refused_at_once():
    nodes = [{"id": f"c{i}", "op": "constant", "value": 1} for i in range(limits.MAX_BOXES + 1)]
    msg = _refused(_doc(nodes=nodes, edges=[], loss=None))
    assert msg == f"too many boxes ({limits.MAX_BOXES + 1:,}; the limit is {limits.MAX_BOXES:,})"


def test_too_many_arrows_is_named():
    edges = [{"src": "x", "dst": "L", "port": 0}] * (limits.MAX_EDGES + 1)
    msg = _refused(_doc(edges=edges))
    assert "arrows" in msg and f"{limits.MAX_EDGES:,}" in msg


def test_a_huge_label_is_refused_naming_the_limit():
    doc = _doc()
    doc["nodes"][0]["label"] = "a" * (limits.MAX_LABEL_CHARS + 1)
    msg = _refused(doc)
    assert "label" in msg and f"the limit is {limits.MAX_LABEL_CHARS:,}" in msg and len(msg) < 300


def test_renaming_to_a_huge_label_is_refused_and_changes_nothing():
    g = fileformat.loads(json.dumps(_doc()))
    with pytest.raises(GraphError, match="label is too long"):
        g.set_label("x", "b" * 10_000_000)
    assert g.label("x") == "x"


def test_softmax_k_beyond_the_ports_limit():
    doc = _doc()
    doc["nodes"].append({"id": "s", "op": "softmax", "attrs": {"k": limits.MAX_PORTS + 1}})
    assert f"at most {limits.MAX_PORTS}" in _refused(doc)


@pytest.mark.parametrize("epochs", [10 ** 18, 2 ** 63])
def test_epochs_beyond_the_limit(epochs):
    msg = _refused(_doc(training={"epochs": epochs}))
    assert "epochs limit" in msg


def test_generated_points_beyond_the_limit():
    msg = _refused(_doc(dataset={"generator": "xor", "n": limits.MAX_POINTS + 1}))
    assert "data points limit" in msg


# --- item 4: a wide softmax loads in linear time ---------------------------------------------
def _wide_softmax(boxes: int, k: int) -> str:
    nodes = [{"id": "x", "op": "input", "value": 1.0}]
    edges = []
    for b in range(boxes):
        nodes.append({"id": f"s{b}", "op": "softmax", "attrs": {"k": k}})
        edges += [{"src": "x", "dst": f"s{b}", "port": p} for p in range(k)]
    return json.dumps({"format": "backprop-studio.graph", "version": 1, "nodes": nodes, "edges": edges})


def _load_seconds(text: str) -> float:
    t0 = time.perf_counter()
    fileformat.loads(text)
    return time.perf_counter() - t0


def test_wide_softmax_boxes_load_in_linear_time():
    """Same number of arrows, k = 1,000 against k = 10: the cost per arrow must not grow
    with k (it was quadratic: 1,000 boxes with k = 1,000 took 332 s)."""
    wide = min(_load_seconds(_wide_softmax(20, 1000)) for _ in range(2))
    narrow = min(_load_seconds(_wide_softmax(2000, 10)) for _ in range(2))
    assert wide < 3 * narrow


def test_the_thousand_softmax_file_is_refused_by_the_arrow_limit_quickly():
    text = _wide_softmax(1000, 1000)  # 1,000,000 arrows, about 40 MB
    t0 = time.perf_counter()
    with pytest.raises(FileFormatError, match="too many arrows"):
        fileformat.loads(text)
    parse = time.perf_counter()
    json.loads(text)
    # About the time parsing the JSON takes (ratio ~1 here); the margin is wide because the suite
    # runs beside other heavy tests: the bug this guards took 300× (332 s).
    assert parse - t0 < 10 * (time.perf_counter() - parse)


# --- item 4: the symbolic step is bounded by the expression's size ---------------------------
def _fan_out_chain(path, levels: int):
    """h ← h · sin h, level after level: a small graph whose cost, written out as one
    expression, doubles in size per level (41 boxes took sympy over 120 s)."""
    g = Graph()
    h = g.add_node("parameter", "x", value=0.7)
    for i in range(levels):
        s = g.add_node("sin", f"s{i}")
        g.connect(h, s, 0)
        m = g.add_node("mul", f"m{i}")
        g.connect(h, m, 0)
        g.connect(s, m, 1)
        h = m
    g.set_meta("loss", h)
    fileformat.save(g, path)


def test_check_skips_sympy_on_a_fan_out_chain_and_says_so(tmp_path, capsys):
    from graphcore.cli import main
    _fan_out_chain(tmp_path / "chain.graph.json", 20)  # 41 boxes
    t0 = time.perf_counter()
    code = main(["check", str(tmp_path / "chain.graph.json")])
    took = time.perf_counter() - t0
    out = capsys.readouterr().out
    print(f"check on the 41-box fan-out chain: {took:.2f} s")
    assert code == 0 and "symbolic skipped: expression too large" in out
    assert f"the symbolic expression size limit is {limits.MAX_SYMBOLIC_OPS:,}" in out
    assert main(["check", str(tmp_path / "chain.graph.json"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["symbolic_skipped"].startswith("symbolic skipped")


def test_check_still_does_sympy_on_a_small_chain(tmp_path, capsys):
    from graphcore.cli import main
    _fan_out_chain(tmp_path / "chain.graph.json", 3)
    assert main(["check", str(tmp_path / "chain.graph.json"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "symbolic_skipped" not in doc and doc["rows"][0]["symbolic"] is not None


# --- items 5 and 8: the command line ------------------------------------------------------------
def _cli(args, capsys) -> tuple[int, str]:
    from graphcore.cli import main
    code = main(args)
    return code, capsys.readouterr().err.strip()


def test_dataset_n_beyond_the_limit_is_refused_before_any_work(capsys):
    code, err = _cli(["dataset", "xor", "--n", str(3 * 10 ** 8)], capsys)
    assert code == 2 and err == (f"graphcore: error: too many data points (300,000,000; the limit is "
                                 f"{limits.MAX_POINTS:,})")


def test_train_epochs_beyond_the_limit(tmp_path, capsys):
    path = tmp_path / "g.graph.json"
    path.write_text(json.dumps(_doc()), encoding="utf-8")
    code, err = _cli(["train", str(path), "--epochs", str(2 ** 63)], capsys)
    assert code == 2 and "the epochs limit" in err


def test_from_expr_takes_an_expression_starting_with_minus_after_double_dash(capsys):
    code, err = _cli(["from-expr", "-x1"], capsys)
    assert code == 2 and "after --" in err and "graphcore from-expr -- \"-x1\"" in err
    from graphcore.cli import main
    assert main(["from-expr", "--", "-x1"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "-x1"
    from graphcore.cli import build_parser
    assert "[--] EXPR" in build_parser()._subparsers._group_actions[0].choices["from-expr"].format_usage()


def test_a_csv_path_at_a_secret_file_echoes_none_of_it(tmp_path, capsys):
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$SECRETHASH:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n", encoding="utf-8")
    path = tmp_path / "g.graph.json"
    path.write_text(json.dumps(_doc(dataset={"csv": str(secret)},
                                    nodes=[{"id": "x1", "op": "input"}, {"id": "L", "op": "square"}],
                                    edges=[{"src": "x1", "dst": "L", "port": 0}])), encoding="utf-8")
    code, err = _cli(["eval", str(path)], capsys)
    assert code == 2 and "SECRET" not in err and "root" not in err and "missing column 'x1'" in err


def test_a_nul_in_a_csv_path_is_named(tmp_path, capsys):
    path = tmp_path / "g.graph.json"
    path.write_text(json.dumps(_doc(dataset={"csv": "a\0b.csv"})), encoding="utf-8")
    code, err = _cli(["eval", str(path)], capsys)
    assert code == 2 and "NUL" in err and "embedded null byte" not in err


def test_a_long_path_is_cut_in_the_message(tmp_path, capsys):
    code, err = _cli(["eval", str(tmp_path / ("d" * 100_000) / "g.graph.json")], capsys)
    assert code == 2 and len(err) < 300 and "…" in err


def test_a_failed_write_names_the_target_not_the_temporary_file(tmp_path, capsys):
    code, err = _cli(["from-expr", "x1*w", "-o", str(tmp_path)], capsys)  # -o names a folder
    assert code == 2 and ".tmp" not in err and str(tmp_path) in err


def test_memory_error_gets_context(tmp_path, capsys, monkeypatch):
    from graphcore import datasets

    def exhausted(*args, **kwargs):
        raise MemoryError()
    monkeypatch.setattr(datasets, "generate", exhausted)
    code, err = _cli(["dataset", "xor"], capsys)
    assert code == 2 and err.startswith("graphcore: error: out of memory running 'dataset'")


def test_the_readme_lists_every_limit():
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Hostile content and limits", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in limits.ALL if f"| {name} |" not in section]
    assert not missing, f"README's limits table lacks {missing}"
