"""Lesson-like graph documents and the ways a file can go wrong, shared by the fuzz tests.

A mutation is drawn through a small ``Chooser`` so the same code serves hypothesis
(which can shrink a failure to its smallest cause) and a seeded ``random.Random``
(which writes a fixed sample of bad files for the subprocess test).
"""
from __future__ import annotations

import copy
import json
import math
import random

from graphcore import functions as F

FORMAT = "backprop-studio.graph"

# Strings a hostile or broken file might hold: code, control characters, lone
# surrogates, right-to-left marks, device paths, very long text.
JUNK_STRINGS = [
    "", " ", "\n", "a\nb", "\r\n", "\x00", "\ud800", "\u2028", "\u202e", "x:1", "x:-1", "x:99", "x1:",
    "__import__('os').system('touch PWNED')", "${HOME}", "$(touch PWNED)", "`touch PWNED`",
    "../../../etc/passwd", "/dev/zero", "NaN", "Infinity", "1e999", "🙂" * 3, "ünïcödé", "a" * 5000,
    "<script>alert(1)</script>", "%s%s%s", "{0.__class__}", "null", "0", "-1",
]
JUNK_NUMBERS = [0, -1, 1, 2, 3, 7, 1000, 10**9, 2**63, -(2**63), 10**400, -(10**400), 0.5, -0.0, 1e308,
                -1e308, 5e-324, 2.5, 1e-12]
JUNK_VALUES = JUNK_STRINGS[:12] + JUNK_NUMBERS + [None, True, False, [], {}, [1, 2], {"a": 1}, [[[]]]]


def lessons() -> list[dict]:
    """Three valid documents in the shape of the course's lessons."""
    logistic = {
        "format": FORMAT, "version": 1, "name": "logistic regression",
        "nodes": [
            {"id": "x1", "op": "input", "column": "x1"},
            {"id": "x2", "op": "input", "column": "x2"},
            {"id": "y", "op": "input", "column": "y"},
            {"id": "w1", "op": "parameter", "value": 0.1, "label": "w₁"},
            {"id": "w2", "op": "parameter", "value": -0.2, "label": "w₂"},
            {"id": "b", "op": "parameter", "value": 0.0},
            {"id": "m1", "op": "mul"}, {"id": "m2", "op": "mul"},
            {"id": "s1", "op": "add"}, {"id": "z", "op": "add"},
            {"id": "p", "op": "sigmoid"}, {"id": "L", "op": "bce"},
        ],
        "edges": [
            {"src": "x1", "dst": "m1", "port": 0}, {"src": "w1", "dst": "m1", "port": 1},
            {"src": "x2", "dst": "m2", "port": 0}, {"src": "w2", "dst": "m2", "port": 1},
            {"src": "m1", "dst": "s1", "port": 0}, {"src": "m2", "dst": "s1", "port": 1},
            {"src": "s1", "dst": "z", "port": 0}, {"src": "b", "dst": "z", "port": 1},
            {"src": "z", "dst": "p", "port": 0}, {"src": "p", "dst": "L", "port": 0},
            {"src": "y", "dst": "L", "port": 1},
        ],
        "loss": "L", "output": "p", "threshold": 0.5,
        "dataset": {"generator": "xor", "n": 40, "seed": 0, "noise": 0.0, "test_fraction": 0.25},
        "training": {"optimizer": "adam", "lr": 0.05, "epochs": 5, "batch_size": 8, "seed": 0,
                     "betas": [0.9, 0.999], "eps": 1e-8},
        "layout": {"x1": [0, 0], "w1": [0, 80], "z": [200, 40.5]},
    }
    softmax = {
        "format": FORMAT, "version": 1, "name": "three classes",
        "nodes": [
            {"id": "x1", "op": "input", "column": "x1"},
            {"id": "y", "op": "input", "column": "y"},
            {"id": "a", "op": "parameter", "value": 1.0},
            {"id": "c", "op": "constant", "value": 2.0},
            {"id": "z0", "op": "mul"}, {"id": "z1", "op": "leaky_relu", "attrs": {"slope": 0.1}},
            {"id": "z2", "op": "pow", "attrs": {"exponent": 2.0}},
            {"id": "soft", "op": "softmax", "attrs": {"k": 3}},
            {"id": "pick", "op": "identity"},
            {"id": "ce", "op": "cross_entropy", "attrs": {"k": 3}},
        ],
        "edges": [
            {"src": "x1", "dst": "z0", "port": 0}, {"src": "a", "dst": "z0", "port": 1},
            {"src": "x1", "dst": "z1", "port": 0}, {"src": "c", "dst": "z2", "port": 0},
            {"src": "z0", "dst": "soft", "port": 0}, {"src": "z1", "dst": "soft", "port": 1},
            {"src": "z2", "dst": "soft", "port": 2}, {"src": "soft", "out": 1, "dst": "pick", "port": 0},
            {"src": "z0", "dst": "ce", "port": 0}, {"src": "z1", "dst": "ce", "port": 1},
            {"src": "z2", "dst": "ce", "port": 2}, {"src": "y", "dst": "ce", "port": 3},
        ],
        "loss": "ce", "output": "soft",
        "dataset": {"generator": "spiral3", "n": 30, "seed": 1, "noise": 0.1, "test_fraction": 0.0},
        "training": {"optimizer": "momentum", "lr": 0.1, "epochs": 3, "batch_size": None, "momentum": 0.9},
    }
    scalar = {
        "format": FORMAT, "version": 1, "name": "f = x·y + sin x",
        "nodes": [
            {"id": "x", "op": "input", "value": 2.0, "label": "x"},
            {"id": "yv", "op": "input", "value": -3.0, "label": "y"},
            {"id": "xy", "op": "mul"}, {"id": "s", "op": "sin"}, {"id": "f", "op": "add"},
            {"id": "sq", "op": "square"}, {"id": "J", "op": "mean"},
        ],
        "edges": [
            {"src": "x", "dst": "xy", "port": 0}, {"src": "yv", "dst": "xy", "port": 1},
            {"src": "x", "dst": "s", "port": 0}, {"src": "xy", "dst": "f", "port": 0},
            {"src": "s", "dst": "f", "port": 1}, {"src": "f", "dst": "sq", "port": 0},
            {"src": "sq", "dst": "J", "port": 0},
        ],
        "loss": "J",
        "dataset": {"points": {"x": [0.1, 0.5, 0.9], "yv": [1.0, 2.0, 3.0]}},
    }
    return [logistic, softmax, scalar]


class Chooser:
    """Where a mutation gets its random decisions from."""

    def choice(self, seq):
        raise NotImplementedError

    def integer(self, lo: int, hi: int) -> int:
        raise NotImplementedError

    def value(self):
        """Any JSON-able value, junk included."""
        raise NotImplementedError


class RandomChooser(Chooser):
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def choice(self, seq):
        return self.rng.choice(list(seq))

    def integer(self, lo, hi):
        return self.rng.randint(lo, hi)

    def value(self):
        if self.rng.random() < 0.3:
            return self.rng.uniform(-1e6, 1e6)
        return copy.deepcopy(self.rng.choice(JUNK_VALUES))


class DataChooser(Chooser):
    """Draws through hypothesis' ``data`` so failures shrink."""

    def __init__(self, data, value_strategy):
        self.data, self.values = data, value_strategy

    def choice(self, seq):
        from hypothesis import strategies as st
        return self.data.draw(st.sampled_from(list(seq)))

    def integer(self, lo, hi):
        from hypothesis import strategies as st
        return self.data.draw(st.integers(lo, hi))

    def value(self):
        return self.data.draw(self.values)


# --- structural mutations -----------------------------------------------------------------
def _slots(doc) -> list[tuple[object, object]]:
    """Every (container, key) place in the document, depth first."""
    out, stack = [], [doc]
    while stack:
        c = stack.pop()
        items = c.items() if isinstance(c, dict) else enumerate(c) if isinstance(c, list) else ()
        for k, v in items:
            out.append((c, k))
            if isinstance(v, (dict, list)):
                stack.append(v)
    return out


def _ids(doc) -> list:
    nodes = doc.get("nodes") if isinstance(doc, dict) else None
    ids = [n.get("id") for n in nodes if isinstance(n, dict)] if isinstance(nodes, list) else []
    ids = [i for i in ids if isinstance(i, str)]  # usable as keys (layout) and in "id:k" references
    return ids or ["x1"]


def _list(doc, key) -> list | None:
    v = doc.get(key) if isinstance(doc, dict) else None
    return v if isinstance(v, list) else None


def _replace(doc, ch):
    slots = _slots(doc)
    if slots:
        c, k = ch.choice(slots)
        c[k] = ch.value()


def _delete(doc, ch):
    slots = _slots(doc)
    if slots:
        c, k = ch.choice(slots)
        del c[k]


def _extra_key(doc, ch):
    dicts = [doc] + [c[k] for c, k in _slots(doc) if isinstance(c[k], dict)]
    ch.choice(dicts)[ch.choice(["extra", "__class__", "eval", "id", "op", "port", "out", "value", "x\ny"])] = ch.value()


def _duplicate_node(doc, ch):
    nodes = _list(doc, "nodes")
    if nodes:
        twin = copy.deepcopy(ch.choice(nodes))
        if isinstance(twin, dict) and ch.choice([True, False]):
            twin["op"] = ch.choice(list(F.CATALOGUE))
        nodes.append(twin)


def _new_edge(doc, ch):
    """An arrow that is likely wrong: a cycle, a self-loop, a taken port, a port out of range."""
    edges, ids = _list(doc, "edges"), _ids(doc)
    if edges is None:
        return
    old = ch.choice(edges) if edges and ch.choice([True, False]) else None
    kind = ch.choice(["cycle", "self", "twin", "random"])
    if kind == "cycle" and isinstance(old, dict):
        edges.append({"src": old.get("dst"), "dst": old.get("src"), "port": 0})
    elif kind == "self":
        n = ch.choice(ids)
        edges.append({"src": n, "dst": n, "port": 0})
    elif kind == "twin" and isinstance(old, dict):  # a second arrow into the same port
        edges.append({**old, "src": ch.choice(ids)})
    else:
        edges.append({"src": ch.choice(ids), "dst": ch.choice(ids),
                      "port": ch.choice([0, 1, 2, 3, 4, -1, 10**9, 1.0, "0", True, None]),
                      "out": ch.choice([0, 0, 1, 2, 3, -1, 10**400])})


def _edge_port(doc, ch):
    edges = _list(doc, "edges")
    if edges and isinstance(e := ch.choice(edges), dict):
        e[ch.choice(["port", "out", "src", "dst"])] = ch.choice([-1, 2, 3, 5, 2**63, 10**400, 0.5, "1", None,
                                                                 "nowhere", ch.choice(_ids(doc))])


def _drop_node(doc, ch):
    """Remove a box that arrows still point at."""
    nodes = _list(doc, "nodes")
    if nodes:
        nodes.pop(ch.integer(0, len(nodes) - 1))


def _header(doc, ch):
    doc[ch.choice(["version", "format"])] = ch.choice(
        [0, 2, -1, 99, "1", 1.0, 1.5, True, None, [1], 10**400, "backprop-studio.graph", "graph", FORMAT.upper()])


def _op(doc, ch):
    nodes = _list(doc, "nodes")
    if nodes and isinstance(n := ch.choice(nodes), dict):
        n["op"] = ch.choice(list(F.CATALOGUE) + ["nope", "__import__", "eval", "", None, 3])


def _attrs(doc, ch):
    nodes = _list(doc, "nodes")
    if nodes and isinstance(n := ch.choice(nodes), dict):
        n["attrs"] = {ch.choice(["k", "slope", "exponent", "nope"]):
                      ch.choice([0, 1, 2, 3, 4, 1000, 10**9, 10**400, -1, 2.5, 1e308, "2", None, True, [3]])}


def _reference(doc, ch):
    ids = _ids(doc)
    doc[ch.choice(["loss", "output", "threshold"])] = ch.choice(
        ids + [f"{ch.choice(ids)}:{k}" for k in (0, 1, 2, 5, -1)] + [None, 3, "nobody", "x:", ":", 10**400, [1]])


def _dataset(doc, ch):
    doc["dataset"] = ch.choice([
        {"generator": "xor", "n": 0}, {"generator": "nope"}, {"generator": ["xor"]}, {"generator": None},
        {"generator": "circle", "n": 10**400}, {"generator": "xor", "noise": -1},
        {"generator": "xor", "n": 20, "test_fraction": 1.0}, {"generator": "spiral", "n": 1},
        {"csv": "/dev/zero"}, {"csv": "../../../etc/passwd"}, {"csv": ""}, {"csv": 3}, {"csv": "missing.csv"},
        {"points": {"x1": [1, 2], "y": [1]}}, {"points": {}}, {"points": {"x1": "abc"}},
        {"points": {"x1": [1, None]}}, {"points": {"x\n1": [1.0]}}, {"generator": "xor", "csv": "a.csv"},
        {}, [], "xor", None,
    ])


def _training(doc, ch):
    doc["training"] = ch.choice([
        {"optimizer": "nope"}, {"optimizer": ["adam"]}, {"optimizer": {}}, {"lr": 0}, {"lr": -1}, {"lr": "0.1"},
        {"epochs": -1}, {"epochs": 10**400}, {"batch_size": 0}, {"batch_size": 2.5}, {"betas": [0.9]},
        {"betas": [0.9, 1.5]}, {"nesterov": "yes"}, {"seed": -1}, {"momentum": 10**400}, {"extra": 1}, [], None,
    ])


def _layout(doc, ch):
    doc["layout"] = ch.choice([
        {ch.choice(_ids(doc)): [1]}, {"nobody": [0, 0]}, {ch.choice(_ids(doc)): [10**400, 0]},
        {ch.choice(_ids(doc)): ["0", 0]}, {ch.choice(_ids(doc)): {"x": 0}}, [], "left-to-right", None,
    ])


def _benign(doc, ch):
    """A change that usually keeps the file valid, so that odd but legal graphs reach the engine."""
    nodes = _list(doc, "nodes") or []
    node = ch.choice(nodes) if nodes else {}
    if not isinstance(node, dict):
        return
    kind = ch.choice(["value", "op", "label", "column", "dataset", "threshold"])
    if kind == "value" and node.get("op") in ("parameter", "constant", "input"):
        node["value"] = ch.choice([0, -0.0, 1e308, -1e308, 1e-308, 710, -745, 1e154, 0.5, -1, 3])
    elif kind == "op":  # same arity, different Function: log of a negative, div by zero, ...
        unary = ["identity", "neg", "inv", "square", "exp", "log", "abs", "sin", "cos", "tanh", "sigmoid", "relu",
                 "leaky_relu", "softplus", "mean", "sum"]
        binary = ["add", "sub", "mul", "div", "max", "min", "lt", "gt", "eq", "squared_error", "bce", "bce_logits"]
        for group in (unary, binary):
            if node.get("op") in group:
                node["op"] = ch.choice(group)
    elif kind == "label":
        node["label"] = ch.choice(JUNK_STRINGS)
    elif kind == "column" and node.get("op") == "input":
        node["column"] = ch.choice(["x1", "x2", "y", "x", "nope", "\n"])
    elif kind == "dataset":
        doc["dataset"] = ch.choice([{"generator": g, "n": ch.choice([1, 2, 3, 50]), "seed": 3, "noise": 0.5,
                                     "test_fraction": ch.choice([0.0, 0.5, 0.99])}
                                    for g in ("simple", "spiral", "gauss", "spiral3", "circle")]
                                   + [{"points": {"x1": [0.0], "x2": [1e308], "y": [7.0]}}, {"points": {"x1": []}}])
    elif kind == "threshold":
        doc["threshold"] = ch.choice([0, 1, -5, 0.5, 1e308])


def _reorder(doc, ch):
    for key in ("nodes", "edges"):
        if (lst := _list(doc, key)) and ch.choice([True, False]):
            lst.reverse()


MUTATIONS = [_benign, _benign, _benign, _benign, _replace, _delete, _extra_key, _duplicate_node, _new_edge,
             _edge_port, _drop_node, _header, _op,
             _attrs, _reference, _dataset, _training, _layout, _reorder]


def mutate(doc, ch: Chooser, n: int, mutations=MUTATIONS):
    doc = copy.deepcopy(doc)
    for _ in range(n):
        ch.choice(mutations)(doc, ch)
    return doc


def odd_but_legal(doc, ch: Chooser, n: int):
    """Mostly valid files with extreme values, other Functions, tiny data sets."""
    return mutate(doc, ch, n, [_benign])


# --- text-level damage ----------------------------------------------------------------------
def _set_nonfinite(doc, ch):
    """Put a NaN/Infinity literal where a number was (json writes them when allowed)."""
    slots = [(c, k) for c, k in _slots(doc) if isinstance(c[k], (int, float)) and not isinstance(c[k], bool)]
    if slots:
        c, k = ch.choice(slots)
        c[k] = ch.choice([math.nan, math.inf, -math.inf])
    return json.dumps(doc, allow_nan=True, ensure_ascii=ch.choice([True, False]))


def render(doc, ch: Chooser) -> str | bytes:
    """The document as file content, perhaps damaged on the way."""
    kind = ch.choice(["plain"] * 6 + ["nonfinite", "nonfinite", "truncate", "insert", "bytes", "bom", "utf16"])
    if kind == "nonfinite":
        return _set_nonfinite(copy.deepcopy(doc), ch)
    text = json.dumps(doc, ensure_ascii=False)
    if kind == "truncate":
        return text[:ch.integer(0, max(0, len(text) - 1))]
    if kind == "insert":
        i = ch.integer(0, len(text))
        junk = ch.choice(["\x00", "\ud800", ",", "]", "}", '"', "NaN", "-Infinity", "\\", "1e999"])
        return text[:i] + junk + text[i:]
    if kind == "bytes":
        raw = bytearray(text.encode("utf-8", "surrogatepass"))
        raw[ch.integer(0, len(raw) - 1)] = ch.choice([0x00, 0x80, 0xFF, 0xC3, 0xED])
        return bytes(raw)
    if kind == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    if kind == "utf16":
        return text.encode("utf-16", "surrogatepass")
    return text


def as_bytes(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")


def assert_one_line(message: str, limit: int = 600):
    """A learner-facing message: one short line, no control characters, not empty."""
    assert message and message.strip() == message, repr(message)
    assert len(message.splitlines()) == 1, repr(message)
    assert all(c.isprintable() for c in message), repr(message)
    assert len(message) <= limit, f"{len(message)} characters: {message[:200]!r}..."
    assert "Traceback" not in message


def logistic_logits_doc(dataset: dict, training: dict) -> dict:
    """x1·w1 + x2·w2 + b into bce_logits (and a sigmoid output): logistic regression that
    stays finite however long it trains — for the long-run tests."""
    return {"format": "backprop-studio.graph", "version": 1, "name": "logistic regression (logits)",
            "nodes": [{"id": "x1", "op": "input", "column": "x1"}, {"id": "x2", "op": "input", "column": "x2"},
                      {"id": "y", "op": "input", "column": "y"},
                      {"id": "w1", "op": "parameter", "value": 0.3}, {"id": "w2", "op": "parameter", "value": -0.2},
                      {"id": "b", "op": "parameter", "value": 0.0},
                      {"id": "m1", "op": "mul"}, {"id": "m2", "op": "mul"}, {"id": "s", "op": "add"},
                      {"id": "z", "op": "add"}, {"id": "L", "op": "bce_logits"}, {"id": "p", "op": "sigmoid"}],
            "edges": [{"src": "x1", "dst": "m1", "port": 0}, {"src": "w1", "dst": "m1", "port": 1},
                      {"src": "x2", "dst": "m2", "port": 0}, {"src": "w2", "dst": "m2", "port": 1},
                      {"src": "m1", "dst": "s", "port": 0}, {"src": "m2", "dst": "s", "port": 1},
                      {"src": "s", "dst": "z", "port": 0}, {"src": "b", "dst": "z", "port": 1},
                      {"src": "z", "dst": "L", "port": 0}, {"src": "y", "dst": "L", "port": 1},
                      {"src": "z", "dst": "p", "port": 0}],
            "loss": "L", "output": "p", "dataset": dataset, "training": training}
