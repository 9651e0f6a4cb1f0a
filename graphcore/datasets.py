"""Data sets (SPEC §4): the toy generators, CSV files and clicked-in points.

A data set is a table of float columns — the features (``x1``, ``x2``, ...) and the label
``y`` — matched to the graph's ``input`` boxes by column name. Points live on [0, 1)²
as in MiniTorch; every generator is seeded (numpy ``default_rng``).
"""
from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import paths
from .errors import DataError


# --- the label rules, on arrays of points -------------------------------------------------
def _simple(x1, x2):
    return x1 < 0.5


def _diag(x1, x2):
    return x1 + x2 < 0.5


def _split(x1, x2):
    return (x1 < 0.2) | (x1 > 0.8)


def _xor(x1, x2):
    return ((x1 < 0.5) & (x2 > 0.5)) | ((x1 > 0.5) & (x2 < 0.5))


def _circle(x1, x2):
    return (x1 - 0.5) ** 2 + (x2 - 0.5) ** 2 > 0.1


RULES = {"simple": _simple, "diag": _diag, "split": _split, "xor": _xor, "circle": _circle}


def _ruled(rule):
    def generate(n: int, rng: np.random.Generator, noise: float):
        pts = rng.random((n, 2))
        # Noise blurs the boundary: the label is read off a jittered copy of the point,
        # while the stored point stays where it was drawn.
        seen = pts + rng.normal(0.0, noise, pts.shape) if noise > 0 else pts
        return pts[:, 0], pts[:, 1], rule(seen[:, 0], seen[:, 1]).astype(float)
    return generate


def _spiral(n: int, rng: np.random.Generator, noise: float):
    """MiniTorch's two-arm spiral: n//2 points per arm (an odd n makes n − 1 points, as there)."""
    half = n // 2
    t = 10.0 * np.arange(5, 5 + half) / half
    x0, y0 = t * np.cos(t) / 20.0 + 0.5, t * np.sin(t) / 20.0 + 0.5
    x1, y1 = t * np.sin(t) / 20.0 + 0.5, -t * np.cos(t) / 20.0 + 0.5
    xs, ys = np.concatenate([x0, x1]), np.concatenate([y0, y1])
    if noise > 0:  # no rule to blur here, so the points themselves are jittered
        xs, ys = xs + rng.normal(0, noise, xs.shape), ys + rng.normal(0, noise, ys.shape)
    return xs, ys, np.concatenate([np.zeros(half), np.ones(half)])


def _spiral3(n: int, rng: np.random.Generator, noise: float):
    """Three spiral arms, labels 0, 1, 2 (for a softmax classifier)."""
    sizes = [n // 3 + (1 if c < n % 3 else 0) for c in range(3)]
    xs, ys, labels = [], [], []
    for c, size in enumerate(sizes):
        r = np.linspace(0.05, 1.0, size)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, size) + (rng.normal(0, noise, size) if noise > 0 else 0.0)
        xs.append(0.5 + 0.45 * r * np.sin(t))
        ys.append(0.5 + 0.45 * r * np.cos(t))
        labels.append(np.full(size, float(c)))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(labels)


def _gauss(n: int, rng: np.random.Generator, noise: float):
    """Two Gaussian blobs (σ = 0.1 + noise) around (0.3, 0.3) → 0 and (0.7, 0.7) → 1."""
    half = n // 2
    sizes = (n - half, half)
    sd = 0.1 + noise
    pts = [rng.normal(centre, sd, (size, 2)) for centre, size in zip((0.3, 0.7), sizes, strict=True)]
    pts = np.concatenate(pts)
    return pts[:, 0], pts[:, 1], np.concatenate([np.zeros(sizes[0]), np.ones(sizes[1])])


GENERATORS = {**{name: _ruled(rule) for name, rule in RULES.items()},
              "spiral": _spiral, "gauss": _gauss, "spiral3": _spiral3}
N_CLASSES = {"spiral3": 3}
MIN_POINTS = {"spiral": 2, "spiral3": 3, "gauss": 2}  # one point per arm or blob at least


@dataclass
class Dataset:
    """A table of columns (features and ``y``) with a train/test split."""

    columns: dict[str, np.ndarray]
    test_mask: np.ndarray = None
    source: dict = field(default_factory=dict)  # the graph file's dataset block it came from

    def __post_init__(self):
        n = self.n
        if self.test_mask is None:
            self.test_mask = np.zeros(n, dtype=bool)

    @property
    def n(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    @property
    def features(self) -> list[str]:
        return [c for c in self.columns if c != "y"]

    def _subset(self, mask) -> dict[str, np.ndarray]:
        return {k: v[mask] for k, v in self.columns.items()}

    def train(self) -> dict[str, np.ndarray]:
        return self._subset(~self.test_mask)

    def test(self) -> dict[str, np.ndarray] | None:
        return self._subset(self.test_mask) if self.test_mask.any() else None

    @property
    def n_classes(self) -> int:
        """Classes the labels name: 0/1 data counts as 2 even when one class is absent."""
        y = self.columns.get("y")
        if y is None or not len(y):
            return N_CLASSES.get(self.source.get("generator"), 2)
        return max(int(y.max()) + 1, N_CLASSES.get(self.source.get("generator"), 2), 2)


def split_mask(n: int, test_fraction: float, seed: int) -> np.ndarray:
    """Hold out round(n × test_fraction) points, chosen by a seeded shuffle."""
    mask = np.zeros(n, dtype=bool)
    n_test = int(round(n * test_fraction))
    if n_test and n > 1:
        n_test = min(n_test, n - 1)
        mask[np.random.default_rng(seed + 1).permutation(n)[:n_test]] = True
    return mask


def generate(name: str, n: int = 100, seed: int = 0, noise: float = 0.0, test_fraction: float = 0.0) -> Dataset:
    if name not in GENERATORS:
        raise DataError(f"unknown data set '{name}' (one of {', '.join(GENERATORS)})")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise DataError(f"the number of points must be a whole number ≥ 1, not {n!r}")
    n = int(n)
    if n < MIN_POINTS.get(name, 1):
        raise DataError(f"the {name} data set needs at least {MIN_POINTS[name]} points, not {n}")
    if not (isinstance(noise, (int, float)) and math.isfinite(noise) and noise >= 0):
        raise DataError(f"noise must be a number ≥ 0, not {noise!r}")
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float)) or not 0 <= test_fraction < 1:
        raise DataError(f"test_fraction must be in [0, 1), not {test_fraction!r}")
    x1, x2, y = GENERATORS[name](n, np.random.default_rng(seed), float(noise))
    block = {"generator": name, "n": n, "seed": seed, "noise": noise, "test_fraction": test_fraction}
    return Dataset({"x1": np.asarray(x1, float), "x2": np.asarray(x2, float), "y": np.asarray(y, float)},
                   split_mask(len(y), test_fraction, seed), block)


def from_points(points: dict, test_fraction: float = 0.0, seed: int = 0) -> Dataset:
    cols = {str(k): np.asarray(v, dtype=float) for k, v in points.items()}
    lengths = {len(v) for v in cols.values()}
    if len(lengths) > 1:
        raise DataError("inline points: every column must have the same number of values")
    ds = Dataset(cols, None, {"points": points, "test_fraction": test_fraction})
    ds.test_mask = split_mask(ds.n, test_fraction, seed)
    return ds


# --- CSV ---------------------------------------------------------------------------------
MAX_CSV_BYTES = 1 << 30


def read_csv(path: str | os.PathLike, required: list[str] | None = None) -> Dataset:
    """Read a CSV with a header row. Refuses a malformed file, a missing column or a
    non-numeric cell, naming the line and the column."""
    path = Path(path)
    # A file may name any path: a device (/dev/zero) or a pipe would never end, so only a
    # regular file of sane size is read.
    if path.exists() and not path.is_file():
        raise DataError(f"cannot read {path}: not a regular file")
    try:  # the limit bounds the read itself: a file may report size 0 (/proc) or grow meanwhile
        text = paths.read_bytes(path, MAX_CSV_BYTES, "file").decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{path.name}: not a text CSV file (not UTF-8)") from None
    except paths.PathError as exc:
        raise DataError(str(exc)) from None
    return parse_csv(text, path.name, required)


def parse_csv(text: str, name: str = "CSV", required: list[str] | None = None) -> Dataset:
    if "\0" in text:
        raise DataError(f"{name}: not a text CSV file (it holds NUL bytes)")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise DataError(f"{name}: malformed CSV ({exc})") from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise DataError(f"{name}: line 1: the header row is missing")
    header = [h.strip() for h in rows[0]]
    for i, h in enumerate(header):
        if not h:
            raise DataError(f"{name}: line 1, column {i + 1}: empty column name")
        if header.index(h) != i:
            raise DataError(f"{name}: line 1: column '{h}' appears twice")
    for col in required or []:
        if col not in header:
            raise DataError(f"{name}: line 1: missing column '{col}' (found {', '.join(header)})")
    data = [[] for _ in header]
    for lineno, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise DataError(f"{name}: line {lineno}: {len(row)} cells where the header has {len(header)}")
        for j, cell in enumerate(row):
            try:
                v = float(cell)
            except ValueError:
                raise DataError(f"{name}: line {lineno}, column '{header[j]}': "
                                f"{cell.strip()!r} is not a number") from None
            if not math.isfinite(v):
                raise DataError(f"{name}: line {lineno}, column '{header[j]}': {cell.strip()!r} is not finite")
            data[j].append(v)
    if not data[0]:
        raise DataError(f"{name}: no data rows under the header")
    return Dataset({h: np.asarray(col, float) for h, col in zip(header, data, strict=True)})


def write_csv(ds: Dataset, path: str | os.PathLike | None = None) -> str:
    """The data set as CSV text (features first, then y); written atomically if a path is given."""
    cols = ds.features + (["y"] if "y" in ds.columns else [])
    lines = [",".join(cols)]
    arrays = [ds.columns[c] for c in cols]
    for i in range(ds.n):
        lines.append(",".join(repr(float(a[i])) for a in arrays))
    text = "\n".join(lines) + "\n"
    if path is not None:
        from .fileformat import atomic_write
        atomic_write(path, text)
    return text


def from_block(block: dict, base_dir: str | None = None, required: list[str] | None = None) -> Dataset:
    """The data set a graph file's ``dataset`` block describes."""
    tf = block.get("test_fraction", 0.0)
    if "generator" in block:
        return generate(block["generator"], block.get("n", 100), block.get("seed", 0),
                        block.get("noise", 0.0), tf)
    if "csv" in block:
        path = Path(block["csv"])
        if not path.is_absolute() and base_dir:
            path = Path(base_dir) / path
        ds = read_csv(path, required)
        ds.test_mask = split_mask(ds.n, tf, 0)
        ds.source = dict(block)
        return ds
    return from_points(block["points"], tf)


def for_graph(graph, data_csv: str | None = None) -> Dataset | None:
    """The data set a graph trains on: ``data_csv`` if given, else its ``dataset`` block."""
    from .engine import ignored_boxes  # the engine leaves these input boxes unfed
    ignored = ignored_boxes(graph)
    required = sorted({graph.column(n) or n for n in graph.inputs() if graph.value(n) is None and n not in ignored})
    if data_csv is not None:
        return read_csv(data_csv, required)
    block = graph.meta.get("dataset")
    if not block:
        return None
    base = os.path.dirname(graph.source_path) if graph.source_path else None
    ds = from_block(block, base, required)
    missing = [c for c in required if c not in ds.columns]
    if missing:
        raise DataError(f"the data set has no column '{missing[0]}' for the input box that reads it "
                        f"(it has {', '.join(ds.columns)})")
    return ds
