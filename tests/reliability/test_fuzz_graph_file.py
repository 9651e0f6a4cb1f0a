"""Fuzzing the graph-file loader: every input either loads or is refused with a
FileFormatError whose message is one line — never any other exception.

A file that loads must also survive what the program does next with it: save it
again (the same text comes back), compile and evaluate it (only GraphErrors).
"""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.reliability.reliability_docs import (FORMAT, JUNK_STRINGS, DataChooser, assert_one_line, lessons, mutate,
                                                odd_but_legal, render)

from graphcore import datasets, fileformat, limits
from graphcore.engine import compile_graph, trace
from graphcore.errors import FileFormatError, GraphError

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = (st.none() | st.booleans() | st.integers() | st.sampled_from([10**400, -(10**400), 2**63, 5e-324])
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8)
                | st.sampled_from(JUNK_STRINGS))
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=12)


def load_or_refuse(content: str | bytes):
    """The oracle: a Graph, or None after a well-formed refusal. Anything else fails the test."""
    try:
        graph = fileformat.loads(content)
    except FileFormatError as exc:
        assert_one_line(str(exc))
        return None
    # Loaded: it must save to the same text again, and evaluating it may only raise GraphErrors.
    text = fileformat.dumps(graph)
    assert fileformat.dumps(fileformat.loads(text)) == text
    use_through_engine(graph)
    return graph


def use_through_engine(graph):
    block = graph.meta.get("dataset") or {}
    small = not (block.get("generator") and block.get("n", 100) > 5000)
    try:
        data = datasets.for_graph(graph) if small else None
        train = data.train() if data is not None else None
    except GraphError as exc:
        assert_one_line(str(exc))
        train = None
    for partial in (True, False):
        try:
            ev = compile_graph(graph, partial=partial).run(train)
            trace(ev)
        except GraphError as exc:
            assert_one_line(str(exc))


def test_the_lessons_load():
    for doc in lessons():
        assert load_or_refuse(json.dumps(doc)) is not None


@FUZZ
@given(st.data())
def test_mutated_lessons_load_or_are_refused(data):
    ch = DataChooser(data, json_values)
    doc = mutate(data.draw(st.sampled_from(lessons())), ch, ch.integer(1, 4))
    load_or_refuse(render(doc, ch))


@FUZZ
@given(st.data())
def test_odd_but_legal_lessons_evaluate_or_say_why(data):
    ch = DataChooser(data, json_values)
    load_or_refuse(json.dumps(odd_but_legal(data.draw(st.sampled_from(lessons())), ch, ch.integer(1, 5))))


@FUZZ
@given(st.binary(max_size=200) | st.text(max_size=200))
def test_random_bytes_and_text_are_refused(content):
    load_or_refuse(content)


@FUZZ
@given(json_values)
def test_random_json_is_refused(doc):
    load_or_refuse(json.dumps(doc))


@FUZZ
@given(st.lists(json_values, max_size=5), st.lists(json_values, max_size=5), st.dictionaries(st.text(max_size=8),
                                                                                             json_values, max_size=3))
def test_random_nodes_and_edges_under_a_good_header(nodes, edges, extra):
    load_or_refuse(json.dumps({"format": FORMAT, "version": 1, "nodes": nodes, "edges": edges, **extra}))


@pytest.mark.parametrize("content, words", [
    ('{"format": "%s", "version": 1, "nodes": [{"id": "a", "op": "constant", "value": NaN}], "edges": []}' % FORMAT,
     "NaN"),
    ('{"format": "%s", "version": 1, "threshold": -Infinity}' % FORMAT, "-Infinity"),
    ('{"format": "%s", "version": 1, "nodes": [], "edges": [], "layout": {"a": [Infinity, 0]}}' % FORMAT,
     "Infinity"),
    ('{"format": "%s", "version": 2, "nodes": [], "edges": []}' % FORMAT, "version 2"),
    ('{"format": "%s", "version": "1.0", "nodes": [], "edges": []}' % FORMAT, "'1.0'"),
    ('{"format": "%s", "version": 1, "nodes": [{"id": "a", "op": "sin"}, {"id": "a", "op": "cos"}]}' % FORMAT,
     "already a box 'a'"),
])
def test_specific_refusals_name_the_problem(content, words):
    with pytest.raises(FileFormatError) as info:
        fileformat.loads(content)
    assert_one_line(str(info.value))
    assert words in str(info.value)


def _doc(nodes, edges, **extra):
    return json.dumps({"format": FORMAT, "version": 1, "nodes": nodes, "edges": edges, **extra})


SIN_COS = [{"id": "a", "op": "sin"}, {"id": "b", "op": "cos"}, {"id": "c", "op": "constant", "value": 1}]


@pytest.mark.parametrize("edges, rule, boxes", [
    ([{"src": "a", "dst": "b", "port": 0}, {"src": "b", "dst": "a", "port": 0}], "cycle", {"a", "b"}),
    ([{"src": "a", "dst": "a", "port": 0}], "cycle", {"a"}),
    ([{"src": "c", "dst": "a", "port": 1}], "port 1", {"a"}),
    ([{"src": "c", "dst": "a", "port": 0, "out": 1}], "no output 1", {"c"}),
    ([{"src": "c", "dst": "a", "port": 0}, {"src": "b", "dst": "a", "port": 0}], "already has an arrow", {"a"}),
    ([{"src": "c", "dst": "zz", "port": 0}], "no box 'zz'", {"zz"}),
])
def test_topology_errors_name_the_rule_and_the_boxes(edges, rule, boxes):
    with pytest.raises(FileFormatError) as info:
        fileformat.loads(_doc(SIN_COS, edges))
    assert rule in str(info.value)
    assert boxes <= set(info.value.nodes)


def test_deep_huge_and_binary_input_is_refused():
    for content in ("[" * 200_000, "{\"a\": " * 100_000, b"\x00" * 1000, b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
                    '{"format": "%s", "version": 1, "name": %s}' % (FORMAT, "[" * 900 + "]" * 900)):
        with pytest.raises(FileFormatError) as info:
            fileformat.loads(content)
        assert_one_line(str(info.value))
    too_big = b" " * (fileformat.MAX_BYTES + 1)
    with pytest.raises(FileFormatError, match="too large"):
        fileformat.loads(too_big)


def test_a_file_with_many_boxes_loads(tmp_path):
    # 20,000 boxes in a chain (about 1.5 MB): big for a lesson, still loads and saves back unchanged.
    n = 20_000
    nodes = [{"id": "c0", "op": "constant", "value": 0.5}] + [{"id": f"n{i}", "op": "sin"} for i in range(1, n)]
    edges = [{"src": f"n{i - 1}" if i > 1 else "c0", "dst": f"n{i}", "port": 0} for i in range(1, n)]
    text = json.dumps({"format": FORMAT, "version": 1, "name": "long", "nodes": nodes, "edges": edges}, indent=2,
                      ensure_ascii=False) + "\n"
    path = tmp_path / "long.graph.json"
    path.write_text(text, encoding="utf-8")
    graph = fileformat.load(path)
    assert len(graph) == n and len(graph.edges()) == n - 1
    assert json.loads(fileformat.dumps(graph)) == json.loads(text)


def test_unreadable_paths_are_refused(tmp_path):
    for path in (tmp_path / "missing.graph.json", tmp_path):
        with pytest.raises(FileFormatError) as info:
            fileformat.load(path)
        assert_one_line(str(info.value))


def test_saved_files_are_always_loadable_even_with_odd_text(tmp_path):
    """What the program writes it can read: labels, names and columns with any characters
    (a lone surrogate comes from a "\\ud800" escape in a file someone sent)."""
    g = fileformat.loads(json.dumps(lessons()[0]))
    path = tmp_path / "odd.graph.json"
    for i, junk in enumerate(JUNK_STRINGS):
        if len(junk) > limits.MAX_LABEL_CHARS:  # refused by the label limit, the graph unchanged
            with pytest.raises(GraphError, match="the limit is"):
                g.set_label("w1", junk)
        elif junk:
            g.set_label("w1", junk)
            g.set_meta("name", junk)
            g.set_column("x1", junk)
            fileformat.save(g, path)
            again = fileformat.load(path)
            assert again.label("w1") == junk and again.column("x1") == junk, i
            assert fileformat.dumps(again) == fileformat.dumps(g)
