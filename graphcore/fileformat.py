"""The graph file (SPEC §3): JSON, version 1. Load with every rule checked; save atomically.

Loading only parses JSON and builds a Graph through its checked methods — nothing in a
file is ever executed. A file that breaks a rule is refused with a ``FileFormatError``
whose message names the rule and the node or edge.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

from . import functions as F
from . import exercise, learner, limits, paths
from .errors import FileFormatError, GraphError
from .graph import ID_RE, Graph, copy_through
from .groups import groups_of, has_groups
from .node_record import NodeRecord
from .paths import atomic_write  # noqa: F401 — the file format's atomic save, part of its API

FORMAT = "backprop-studio.graph"
VERSION = 1
NODE_KEYS = {"id", "op", "label", "value", "column", "attrs"}
EDGE_KEYS = {"src", "dst", "port", "out"}
TOP_KEYS = {"format", "version", "name", "nodes", "edges", "loss", "output", "threshold",
            "dataset", "training", "layout", "groups", "functions", "lesson"}
OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam")
MAX_BYTES = limits.MAX_GRAPH_BYTES
MAX_WHOLE = limits.MAX_WHOLE
MAX_GENERATED = limits.MAX_POINTS  # points a generator may make


def _fail(msg: str, nodes=()):
    raise FileFormatError(msg, nodes)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v) -> bool:
    # A whole number written out beyond float range (10**400 in JSON) is not finite either.
    return _is_int(v) and abs(v) < 1e308 or isinstance(v, float) and math.isfinite(v)


def _reject_constant(name):
    # json accepts NaN/Infinity by default; a graph file may not hold them.
    raise FileFormatError(f"non-finite number {name} is not allowed in a graph file")


def loads(text: str | bytes, source_path: str | None = None) -> Graph:
    """Parse and validate a graph file's text."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            _fail(f"file is too large ({len(text)} bytes; the limit is {MAX_BYTES})")
        try:
            text = text.decode("utf-8-sig")  # a BOM (Windows editors add one) is not an error
        except UnicodeDecodeError as exc:
            _fail(f"not a graph file: not UTF-8 text (byte {exc.start})")
    if len(text) > MAX_BYTES:
        _fail(f"file is too large ({len(text)} characters; the limit is {MAX_BYTES})")
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except FileFormatError:
        raise
    except RecursionError:
        _fail("not a graph file: JSON nested too deeply")
    except (ValueError, TypeError) as exc:
        _fail(f"not a graph file: invalid JSON ({exc})")
    g = from_dict(doc)
    g.source_path = source_path
    return g


def load(path: str | os.PathLike) -> Graph:
    path = Path(path)
    try:
        data = paths.read_bytes(path, MAX_BYTES)  # a regular file only: never a FIFO or a device
    except paths.PathError as exc:
        raise FileFormatError(str(exc)) from None
    return loads(data, str(path.resolve()))


def from_dict(doc) -> Graph:
    """Build a Graph from a parsed document, checking every rule of SPEC §3."""
    if not isinstance(doc, dict):
        _fail("not a graph file: the top level must be a JSON object")
    if doc.get("format") != FORMAT:
        _fail(f"not a graph file: 'format' must be \"{FORMAT}\", found {doc.get('format')!r}")
    if not _is_int(doc.get("version")) or doc.get("version") != VERSION:  # true and 1.0 are not 1
        _fail(f"unsupported graph file version {doc.get('version')!r} (this program reads version {VERSION})")
    unknown = set(doc) - TOP_KEYS
    if unknown:
        _fail(f"unknown top-level key '{sorted(unknown)[0]}'")
    name = doc.get("name", "untitled")
    if not isinstance(name, str):
        _fail("'name' must be text")
    nodes, edges = doc.get("nodes", []), doc.get("edges", [])
    if not isinstance(nodes, list):
        _fail("'nodes' must be a list")
    if not isinstance(edges, list):
        _fail("'edges' must be a list")
    # Sizes first, so that a huge file is refused before any work starts.
    if len(nodes) > limits.MAX_BOXES:
        _fail(limits.too_many("boxes", len(nodes), limits.MAX_BOXES))
    if len(edges) > limits.MAX_EDGES:
        _fail(limits.too_many("arrows", len(edges), limits.MAX_EDGES))
    before = dict(F.CATALOGUE)
    try:
        g = _build(doc, name, nodes, edges)
        learner.hold(g, learner.used_by(g))  # its numbers must not change under it (learner.clash)
        return g
    except BaseException:
        F.CATALOGUE.clear()  # a refused file leaves no learner Function of its own behind
        F.CATALOGUE.update(before)
        raise


def _build(doc: dict, name: str, nodes: list, edges: list) -> Graph:
    if doc.get("functions") is not None:
        _read_functions(doc["functions"])  # before the boxes: they may use them
    g = Graph(name)
    with g.batch():
        for i, node in enumerate(nodes):
            _add_node(g, node, i)
        for i, edge in enumerate(edges):
            _add_edge(g, edge, i)
        for key in ("loss", "output"):
            if doc.get(key) is not None:
                try:
                    g.set_meta(key, doc[key])
                except GraphError as exc:
                    _fail(f"'{key}': {exc}", exc.nodes)
        if "threshold" in doc:
            if not _is_num(doc["threshold"]):
                _fail("'threshold' must be a finite number")
            g.set_meta("threshold", doc["threshold"])
        if doc.get("dataset") is not None:
            g.set_meta("dataset", check_dataset(doc["dataset"]))
        if doc.get("training") is not None:
            g.set_meta("training", check_training(doc["training"]))
        _read_layout(g, doc.get("layout"))
        if doc.get("groups") is not None:  # optional (docs/FILE_FORMAT_GROUPS.md)
            try:
                groups_of(g).load(doc["groups"])
            except GraphError as exc:
                _fail(f"'groups': {exc}", exc.nodes)
    if doc.get("lesson") is not None:  # optional (docs/FILE_FORMAT_LESSONS.md): after every box
        try:
            exercise.set_lesson(g, exercise.read_block(doc["lesson"], g))
        except GraphError as exc:
            _fail(f"'lesson': {exc}", exc.nodes)
    g.version = 0
    g.values_version = 0
    return g


def _read_functions(block):
    """The learner's own Functions: expressions only, read against formula.py's whitelist and
    checked like ones typed in; each then is a catalogue Function the boxes can use."""
    fns = learner.read_block(block, _fail)
    try:
        learner.register_all(fns)  # all or none; a name defined differently elsewhere is refused
    except GraphError as exc:
        _fail(f"'functions': {exc}")


def _add_node(g: Graph, node, i: int):
    if not isinstance(node, dict):
        _fail(f"node #{i}: must be an object")
    nid = node.get("id")
    where = f"node '{nid}'" if isinstance(nid, str) else f"node #{i}"
    if not isinstance(nid, str) or not ID_RE.match(nid):
        _fail(f"{where}: 'id' must match [A-Za-z_][A-Za-z0-9_]*, found {nid!r}")
    extra = set(node) - NODE_KEYS
    if extra:
        _fail(f"{where}: unknown key '{sorted(extra)[0]}' (a node has only {', '.join(sorted(NODE_KEYS))})", [nid])
    if "op" not in node:
        _fail(f"{where}: missing 'op'", [nid])
    if not isinstance(node["op"], str) or node["op"] not in F.CATALOGUE:
        _fail(f"{where}: unknown Function {node['op']!r}", [nid])
    if "value" in node and node["value"] is not None and not _is_num(node["value"]):
        _fail(f"{where}: 'value' must be a finite number, found {node['value']!r}", [nid])
    if "attrs" in node and not isinstance(node["attrs"], dict):
        _fail(f"{where}: 'attrs' must be an object", [nid])
    if "label" in node and not isinstance(node["label"], str):
        _fail(f"{where}: 'label' must be text", [nid])
    if "column" in node and not isinstance(node["column"], str):
        _fail(f"{where}: 'column' must be text", [nid])
    if len(node.get("column") or "") > limits.MAX_COLUMN_CHARS:
        _fail(f"{where}: " + limits.too_long("the column name", len(node["column"]), limits.MAX_COLUMN_CHARS), [nid])
    try:
        g.add_record(NodeRecord.from_dict(node))
    except GraphError as exc:
        _fail(f"{where}: {exc}", [nid])


def _add_edge(g: Graph, edge, i: int):
    if not isinstance(edge, dict):
        _fail(f"edge #{i}: must be an object")
    extra = set(edge) - EDGE_KEYS
    if extra:
        _fail(f"edge #{i}: unknown key '{sorted(extra)[0]}'")
    for key in ("src", "dst", "port"):
        if key not in edge:
            _fail(f"edge #{i}: missing '{key}'")
    src, dst, port, out = edge["src"], edge["dst"], edge["port"], edge.get("out", 0)
    where = f"edge #{i} ({src} → {dst})"
    if not isinstance(src, str) or not isinstance(dst, str):
        _fail(f"edge #{i}: 'src' and 'dst' must be box ids")
    if not _is_int(port) or not _is_int(out):
        _fail(f"{where}: 'port' and 'out' must be whole numbers")
    for ref in (src, dst):
        if ref not in g:
            _fail(f"{where}: no box '{ref}'", [ref])
    if g.edge_into(dst, port) is not None:
        _fail(f"{where}: input {port} of '{dst}' already has an arrow (each input port takes exactly one)", [dst])
    try:
        g.connect(src, dst, port, out)
    except GraphError as exc:
        _fail(f"{where}: {exc}", exc.nodes)


def check_dataset(ds) -> dict:
    """A dataset block: a generator, a CSV path, or inline points."""
    from .datasets import GENERATORS
    if not isinstance(ds, dict):
        _fail("'dataset' must be an object")
    kinds = [k for k in ("generator", "csv", "points") if k in ds]
    if len(kinds) != 1:
        _fail("'dataset' must have exactly one of 'generator', 'csv' or 'points'")
    kind = kinds[0]
    if kind == "generator":
        extra = set(ds) - {"generator", "n", "seed", "noise", "test_fraction"}
        if extra:
            _fail(f"'dataset': unknown key '{sorted(extra)[0]}'")
        if not isinstance(ds["generator"], str) or ds["generator"] not in GENERATORS:
            _fail(f"'dataset': unknown generator {ds['generator']!r} (one of {', '.join(GENERATORS)})")
        if not _is_int(ds.get("n", 100)) or not 1 <= ds.get("n", 100) <= MAX_GENERATED:
            _fail(f"'dataset': 'n' must be a whole number from 1 to {MAX_GENERATED:,} (the data points limit)")
        if not _is_int(ds.get("seed", 0)) or not 0 <= ds.get("seed", 0) <= MAX_WHOLE:
            _fail(f"'dataset': 'seed' must be a whole number from 0 to {MAX_WHOLE}")
        if not _is_num(ds.get("noise", 0.0)) or ds.get("noise", 0.0) < 0:
            _fail("'dataset': 'noise' must be a number ≥ 0")
    elif kind == "csv":
        if set(ds) - {"csv", "test_fraction"}:
            _fail(f"'dataset': unknown key '{sorted(set(ds) - {'csv', 'test_fraction'})[0]}'")
        if not isinstance(ds["csv"], str) or not ds["csv"]:
            _fail("'dataset': 'csv' must be a file path")
        if "\0" in ds["csv"]:  # no file has such a name ("embedded null byte" said nothing of where)
            _fail("'dataset': 'csv' must be a file path, and a path cannot hold a NUL character")
    else:
        if set(ds) - {"points", "test_fraction"}:
            _fail(f"'dataset': unknown key '{sorted(set(ds) - {'points', 'test_fraction'})[0]}'")
        pts = ds["points"]
        if not isinstance(pts, dict) or not pts:
            _fail("'dataset': 'points' must be an object of columns")
        if len(pts) > limits.MAX_CSV_COLUMNS:
            _fail("'dataset': " + limits.too_many("points columns", len(pts), limits.MAX_CSV_COLUMNS))
        lengths = set()
        for col, vals in pts.items():
            if len(col) > limits.MAX_COLUMN_CHARS:
                _fail("'dataset': " + limits.too_long("a points column name", len(col), limits.MAX_COLUMN_CHARS))
            if not isinstance(vals, list) or not all(_is_num(v) for v in vals):
                _fail(f"'dataset': points column '{col}' must be a list of finite numbers")
            if len(vals) > limits.MAX_POINTS:
                _fail("'dataset': " + limits.too_many("data points", len(vals), limits.MAX_POINTS))
            lengths.add(len(vals))
        if len(lengths) != 1:
            _fail("'dataset': points columns must all have the same length")
        if 0 in lengths:  # an empty table has nothing to train on or plot
            _fail("'dataset': 'points' columns must hold at least one point")
    tf = ds.get("test_fraction", 0.0)
    if not _is_num(tf) or not 0 <= tf < 1:
        _fail("'dataset': 'test_fraction' must be a number in [0, 1)")
    return ds


def check_training(tr) -> dict:
    if not isinstance(tr, dict):
        _fail("'training' must be an object")
    known = {"optimizer", "lr", "epochs", "batch_size", "seed", "momentum", "alpha", "betas", "eps",
             "weight_decay", "dampening", "nesterov", "lr_decay", "initial_accumulator_value", "centered"}
    extra = set(tr) - known
    if extra:
        _fail(f"'training': unknown key '{sorted(extra)[0]}'")
    if tr.get("optimizer", "sgd") not in OPTIMIZERS:
        _fail(f"'training': unknown optimizer {tr.get('optimizer')!r} (one of {', '.join(OPTIMIZERS)})")
    if "lr" in tr and (not _is_num(tr["lr"]) or tr["lr"] <= 0):
        _fail("'training': 'lr' must be a number > 0")
    if "epochs" in tr and (not _is_int(tr["epochs"]) or not 0 <= tr["epochs"] <= limits.MAX_EPOCHS):
        _fail(f"'training': 'epochs' must be a whole number from 0 to {limits.MAX_EPOCHS:,} (the epochs limit)")
    bs = tr.get("batch_size")
    if bs is not None and (not _is_int(bs) or not 1 <= bs <= MAX_WHOLE):
        _fail(f"'training': 'batch_size' must be null or a whole number from 1 to {MAX_WHOLE}")
    if "seed" in tr and (not _is_int(tr["seed"]) or not 0 <= tr["seed"] <= MAX_WHOLE):
        _fail(f"'training': 'seed' must be a whole number from 0 to {MAX_WHOLE}")
    for key in ("momentum", "alpha", "eps", "weight_decay", "dampening", "lr_decay", "initial_accumulator_value"):
        if key in tr and (not _is_num(tr[key]) or tr[key] < 0):
            _fail(f"'training': '{key}' must be a number ≥ 0")
    if "betas" in tr:
        b = tr["betas"]
        if not (isinstance(b, list) and len(b) == 2 and all(_is_num(x) and 0 <= x < 1 for x in b)):
            _fail("'training': 'betas' must be two numbers in [0, 1)")
    for key in ("nesterov", "centered"):
        if key in tr and not isinstance(tr[key], bool):
            _fail(f"'training': '{key}' must be true or false")
    return tr


def _read_layout(g: Graph, layout):
    if layout is None:
        return
    if not isinstance(layout, dict):
        _fail("'layout' must be an object of box id → [x, y]")
    for nid, pos in layout.items():
        if nid not in g:
            _fail(f"'layout': no box '{nid}'", [nid])
        if not (isinstance(pos, list) and len(pos) == 2 and all(_is_num(v) for v in pos)):
            _fail(f"'layout': position of '{nid}' must be [x, y] with finite numbers", [nid])
        g.layout[nid] = (float(pos[0]), float(pos[1]))


# --- saving ----------------------------------------------------------------------------
def to_dict(g: Graph) -> dict:
    """The file document, with node and edge order kept stable so files diff well."""
    nodes = []
    for nid in g.nodes():
        nodes.append(g.record(nid).to_dict())
    doc = {"format": FORMAT, "version": VERSION, "name": g.meta.get("name") or "untitled",
           "nodes": nodes, "edges": [e.to_dict() for e in g.edges()]}
    for key in ("loss", "output"):
        if g.meta.get(key):
            doc[key] = g.meta[key]
    if g.meta.get("threshold", 0.5) != 0.5:
        doc["threshold"] = g.meta["threshold"]
    for key in ("dataset", "training"):
        if g.meta.get(key) is not None:
            doc[key] = g.meta[key]
    mine = learner.used_by(g)
    if mine:
        doc["functions"] = [learner.to_record(fn) for fn in mine]
    if g.layout:
        # In box order, so that a box deleted and put back (undo) writes the same file.
        doc["layout"] = {nid: [_round(g.layout[nid][0]), _round(g.layout[nid][1])] for nid in g.nodes()
                         if nid in g.layout}
    if has_groups(g):
        doc["groups"] = groups_of(g).to_list()
    if exercise.lesson_of(g) is not None:
        doc["lesson"] = exercise.to_record(exercise.lesson_of(g), g)
    return doc


def _round(v: float):
    v = round(float(v), 2)
    return int(v) if v.is_integer() else v


def dumps(g: Graph) -> str:
    text = json.dumps(to_dict(g), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (read from a "\ud800" escape) has no UTF-8 form: escape it
        text = json.dumps(to_dict(g), indent=2, ensure_ascii=True, allow_nan=False) + "\n"
    return text


def save(g: Graph, path: str | os.PathLike):
    """Write the graph file; refused (nothing written) when it would be larger than ``load``
    reads, because a file that cannot be opened again is work lost."""
    text = dumps(g)
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise FileFormatError(f"cannot save {Path(path).name}: it would be {size:,} bytes, over the "
                              f"{MAX_BYTES:,} a graph file may hold, so it could not be opened again "
                              f"(keep large data sets as a generator or a CSV file)")
    atomic_write(path, text)


copy_through(lambda g: from_dict(to_dict(g)))  # Graph.copy: everything a file carries
