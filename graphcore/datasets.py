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
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import limits, paths
from .errors import DataError, short_path


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


def ruled(rule):
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


GENERATORS = {**{name: ruled(rule) for name, rule in RULES.items()},
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
        from .labels import classes
        return classes(y, max(N_CLASSES.get(self.source.get("generator"), 2), 2))


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
    if n > limits.MAX_POINTS:  # refused before any array is made (3×10⁸ ran out of memory)
        raise DataError(limits.too_many("data points", n, limits.MAX_POINTS))
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
MAX_CSV_BYTES = limits.MAX_CSV_BYTES
CHUNK_CELLS = 1 << 16  # cells parsed into numpy at a time: memory stays near the arrays themselves


def read_csv(path: str | os.PathLike, required: list[str] | None = None) -> Dataset:
    """Read a CSV with a header row. Refuses a malformed file, a missing column or a
    non-numeric cell, naming the line and the column."""
    path = Path(path)
    # A file may name any path: a device (/dev/zero) or a pipe would never end, so only a
    # regular file of sane size is read.
    if path.exists() and not path.is_file():
        raise DataError(f"cannot read {short_path(path)}: not a regular file")
    try:  # the limit bounds the read itself: a file may report size 0 (/proc) or grow meanwhile
        with io.TextIOWrapper(paths.open_regular(path, MAX_CSV_BYTES, "file"), encoding="utf-8-sig",
                              newline="") as fh:
            return _parse(fh, path.name, required)
    except UnicodeDecodeError:
        raise DataError(f"{path.name}: not a text CSV file (not UTF-8)") from None
    except paths.PathError as exc:
        raise DataError(str(exc)) from None
    except OSError as exc:
        raise DataError(f"cannot read {short_path(path)}: {exc.strerror or exc}") from None


def parse_csv(text: str, name: str = "CSV", required: list[str] | None = None) -> Dataset:
    return _parse(io.StringIO(text, newline=""), name, required)


class _Lines:
    """The file's lines for csv.reader, each checked as it passes: no NUL, none longer than
    the line limit, and whether a data line holds anything but ASCII or an underscore
    (float() would read '1_000' and Arabic-Indic digits as numbers)."""

    def __init__(self, fh, name: str):
        self.fh, self.name, self.number, self.odd_from = fh, name, 0, None

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.fh.readline(limits.MAX_CSV_LINE_CHARS + 1)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) > limits.MAX_CSV_LINE_CHARS:
            raise DataError(f"{self.name}: line {self.number} is longer than the CSV line length limit "
                            f"({limits.MAX_CSV_LINE_CHARS:,} characters)")
        if "\0" in line:
            raise DataError(f"{self.name}: not a text CSV file (it holds NUL bytes)")
        if self.number > 1 and self.odd_from is None and (not line.isascii() or "_" in line):
            self.odd_from = self.number
        return line


def _cell_problem(cell: str) -> str | None:
    """Why one cell is not a plain finite decimal number, or None."""
    text = cell.strip()
    if not text.isascii() or "_" in text:
        return "is not a number"
    try:
        v = float(text)
    except ValueError:
        return "is not a number"
    return None if math.isfinite(v) else "is not finite"


def _parse(fh, name: str, required: list[str] | None) -> Dataset:
    """Parse as the lines are read, a chunk of rows at a time into float arrays, so memory
    stays near the size of the arrays; limits are checked as soon as they are passed."""
    lines = _Lines(fh, name)
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise DataError(f"{name}: malformed CSV ({exc})") from None
    header = _checked_header(header, name, required)
    try:
        chunks = _read_rows(reader, lines, header, name)
    except csv.Error as exc:
        raise DataError(f"{name}: malformed CSV ({exc})") from None
    if not chunks:
        raise DataError(f"{name}: no data rows under the header")
    columns = {}
    for j, h in enumerate(header):  # one column at a time: the chunks and one column at the peak
        columns[h] = np.concatenate([c[:, j] for c in chunks])
    return Dataset(columns)


def _checked_header(header: list[str] | None, name: str, required: list[str] | None) -> list[str]:
    """The column names, stripped; refused when missing, empty, too many, too long, repeated,
    or without a column the graph reads."""
    if not header or not any(cell.strip() for cell in header):
        raise DataError(f"{name}: line 1: the header row is missing")
    if len(header) > limits.MAX_CSV_COLUMNS:
        raise DataError(f"{name}: line 1: " + limits.too_many("CSV columns", len(header), limits.MAX_CSV_COLUMNS))
    header = [h.strip() for h in header]
    seen: set[str] = set()
    for i, h in enumerate(header):
        if not h:
            raise DataError(f"{name}: line 1, column {i + 1}: empty column name")
        if len(h) > limits.MAX_COLUMN_CHARS:
            raise DataError(f"{name}: line 1, column {i + 1}: "
                            + limits.too_long("the column name", len(h), limits.MAX_COLUMN_CHARS))
        if h in seen:
            raise DataError(f"{name}: line 1: {_column(h, i)} appears twice")
        seen.add(h)
    for col in required or []:
        if col not in seen:
            found = [_echo(h) for h in header]
            found_text = f"found {', '.join(found)}" if all(found) and len(found) <= 20 else \
                f"the header has {len(header)} column{'s' * (len(header) != 1)}"
            raise DataError(f"{name}: line 1: missing column '{col}' ({found_text})")
    return header


def _read_rows(reader, lines, header: list[str], name: str) -> list[np.ndarray]:
    """The data rows as float arrays, a chunk of rows each."""
    width = len(header)
    chunk_rows = max(1, CHUNK_CELLS // width)
    chunks: list[np.ndarray] = []
    rows: list[list[str]] = []
    linenos: list[int] = []
    total = 0
    for row in reader:
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != width:
            raise DataError(f"{name}: line {reader.line_num}: {len(row)} cells where the header has {width}")
        if lines.odd_from is not None:  # a line with non-ASCII text or '_': find the cell
            for j, cell in enumerate(row):
                if _cell_problem(cell):
                    _refuse_cell(name, reader.line_num, header, j, cell)
            lines.odd_from = None
        rows.append(row)
        linenos.append(reader.line_num)
        total += 1
        if total > limits.MAX_POINTS:
            raise DataError(f"{name}: too many data points (more than the limit of {limits.MAX_POINTS:,} rows)")
        if len(rows) >= chunk_rows:
            chunks.append(_to_floats(rows, linenos, header, name))
            rows, linenos = [], []
    if rows:
        chunks.append(_to_floats(rows, linenos, header, name))
    return chunks


def _to_floats(rows: list[list[str]], linenos: list[int], header: list[str], name: str) -> np.ndarray:
    try:
        a = np.array(rows, dtype=float)
    except ValueError:
        a = None
    if a is None or not np.isfinite(a).all():
        for lineno, row in zip(linenos, rows, strict=True):
            for j, cell in enumerate(row):
                if _cell_problem(cell):
                    _refuse_cell(name, lineno, header, j, cell)
    return a


def _refuse_cell(name: str, lineno: int, header: list[str], j: int, cell: str):
    text = cell.strip()
    shown = f"'{_echo(text)}'" if _echo(text) else f"a cell of {len(text):,} characters"
    raise DataError(f"{name}: line {lineno}, {_column(header[j], j)}: {shown} {_cell_problem(cell)}")


ECHO_RE = re.compile(r"[A-Za-z0-9 _.+\-]{0,24}")


def _echo(text: str) -> str | None:
    """``text`` from the file when it may be quoted in a message: short and plainly a word or
    a number. A path may name any file (a graph pointing at /etc/shadow), whose text must
    never be echoed."""
    return text if text and ECHO_RE.fullmatch(text) else None


def _column(header_name: str, j: int) -> str:
    return f"column '{header_name}'" if _echo(header_name) else f"column {j + 1}"


def write_csv(ds: Dataset, path: str | os.PathLike | None = None) -> str:
    """The data set as CSV text (features first, then y); written atomically if a path is given."""
    cols = ds.features + (["y"] if "y" in ds.columns else [])
    lines = [",".join(cols)]
    arrays = [ds.columns[c] for c in cols]
    for i in range(ds.n):
        lines.append(",".join(repr(float(a[i])) for a in arrays))
    text = "\n".join(lines) + "\n"
    if path is not None:
        paths.atomic_write(path, text)
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
