"""What the numpy and the torch script share: the data set section and the training settings.

The data set is written either as the generator's own code, copied from
``graphcore.datasets`` (so the script draws exactly the app's points from the same seed),
or as the points themselves, every float written with ``repr`` (which reads back to the
same float). The copied generator is run once at export time and compared with the
app's data set; if it does not reproduce it exactly, the points are written instead.
"""
from __future__ import annotations

import inspect

import numpy as np

from .. import datasets
from ..graph import Graph
from ..train_settings import Settings
from .naming import comment_text


def training_settings(graph: Graph) -> tuple[Settings | None, datasets.Dataset | None]:
    """(settings, data set) exactly as ``graphcore.training.Trainer`` resolves and checks them
    (``training.prepare``); settings is None for a graph that names no loss or whose cost
    depends on no parameter (nothing to train)."""
    from ..engine import compile_graph
    from ..training import prepare, trainable
    if not graph.meta.get("loss") or not trainable(compile_graph(graph)):
        return None, datasets.for_graph(graph)
    run = prepare(graph)
    return run.settings, run.dataset


def _split_mask_source() -> str:
    return inspect.getsource(datasets.split_mask)


def _generator_code(block: dict) -> list[str]:
    name = block["generator"]
    if name in datasets.RULES:
        rule = datasets.RULES[name]
        funcs = [rule, datasets.ruled]
        call = f"{datasets.ruled.__name__}({rule.__name__})"
    else:
        funcs = [datasets.GENERATORS[name]]
        call = datasets.GENERATORS[name].__name__
    src = [inspect.getsource(f).rstrip() + "\n\n\n" for f in funcs] + [_split_mask_source().rstrip() + "\n\n\n"]
    n, seed = int(block.get("n", 100)), int(block.get("seed", 0))
    noise, tf = float(block.get("noise", 0.0)), float(block.get("test_fraction", 0.0))
    body = f'''def make_data():
    """The training and test points: {name!r} with n={n}, seed={seed}, noise={noise!r}, test_fraction={tf!r}."""
    x1, x2, y = {call}({n}, np.random.default_rng({seed}), {noise!r})
    columns = {{"x1": np.asarray(x1, float), "x2": np.asarray(x2, float), "y": np.asarray(y, float)}}
    test = split_mask(len(y), {tf!r}, {seed})
    train_data = {{k: c[~test] for k, c in columns.items()}}
    test_data = {{k: c[test] for k, c in columns.items()}} if test.any() else None
    return train_data, test_data
'''
    return ("".join(src) + body).splitlines()


def _array(name: str, values) -> list[str]:
    items = [repr(float(v)) for v in values]
    lines, cur = [], f"    {name!r}: np.array(["
    for it in items:
        if len(cur) + len(it) > 100:
            lines.append(cur.rstrip())
            cur = "        "
        cur += it + ", "
    lines.append(cur.rstrip().rstrip(",") + "]),")
    return lines


def _inline_code(ds: datasets.Dataset) -> list[str]:
    lines = ["def make_data():",
             '    """The training and test points, written out (every float reads back exactly)."""',
             "    return TRAIN_DATA, TEST_DATA", "", "", "TRAIN_DATA = {"]
    for col, vals in ds.train().items():
        lines += _array(col, vals)
    lines.append("}")
    test = ds.test()
    if test is None:
        lines.append("TEST_DATA = None")
    else:
        lines.append("TEST_DATA = {")
        for col, vals in test.items():
            lines += _array(col, vals)
        lines.append("}")
    return lines


def _same(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def data_section(ds: datasets.Dataset | None) -> list[str]:
    """Code defining ``make_data() -> (train_data, test_data)`` (dicts column → array, or None)."""
    if ds is None:
        return ["def make_data():",
                '    """No data set: every input box uses its own value."""',
                "    return None, None"]
    block = ds.source or {}
    head = []
    if "generator" in block:
        code = _generator_code(block)
        ns: dict = {"np": np}
        try:  # our own library code, run once to prove it reproduces the app's points
            exec(compile("\n".join(code), "<exported data set>", "exec"), ns)
            ok = all(_same(x, y) for x, y in zip(ns["make_data"](), (ds.train(), ds.test())))
        except Exception:  # noqa: BLE001 - any failure means: write the points instead
            ok = False
        if ok:
            head = [f"# The data set's generator, copied from graphcore/datasets.py (data set "
                    f"{comment_text(block['generator'])!s})."]
            return head + code
    what = "a CSV file" if "csv" in block else "points" if "points" in block else "the data set"
    return [f"# The data set: {what}, {ds.n} points, written out."] + _inline_code(ds)
