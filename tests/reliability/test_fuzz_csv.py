"""Fuzzing the CSV reader: every text either gives a clean table (finite floats, equal
columns, the required columns present) or is refused with a one-line DataError."""
from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.reliability.reliability_docs import assert_one_line

from graphcore import datasets
from graphcore.errors import DataError

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REQUIRED = ["x1", "x2"]
BAD_CELLS = ["", " ", "nan", "NaN", "inf", "-Infinity", "1e999", "-1e400", "abc", "0x10", "1_000", " 3 ", "١٢",
             '"1,2"', '"', '""', "\x00", "1e-400", "TRUE", "None", "∞", "1,5", "\u2028", "=1+1", "@SUM(A1)",
             "__import__('os')", "x" * 200_000]


def clean_table_or_refusal(text: str, required=REQUIRED):
    try:
        ds = datasets.parse_csv(text, "data.csv", required)
    except DataError as exc:
        assert_one_line(str(exc))
        assert "data.csv" in str(exc)
        return None
    lengths = {len(col) for col in ds.columns.values()}
    assert len(lengths) == 1 and lengths.pop() >= 1
    for name, col in ds.columns.items():
        assert col.dtype == np.float64 and np.all(np.isfinite(col)), name
    assert set(required) <= set(ds.columns)
    return ds


def good_csv() -> str:
    return datasets.write_csv(datasets.generate("xor", 12, seed=2))


@FUZZ
@given(st.data())
def test_mutated_csv_gives_a_clean_table_or_a_refusal(data):
    lines = good_csv().splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        row = data.draw(st.integers(0, len(lines) - 1))
        cells = lines[row].split(",")
        kind = data.draw(st.sampled_from(["cell", "drop", "extra", "header", "blank", "line", "delete"]))
        if kind == "cell":
            junk = data.draw(st.sampled_from(BAD_CELLS) | st.text(max_size=6))
            cells[data.draw(st.integers(0, len(cells) - 1))] = junk
        elif kind == "drop" and len(cells) > 1:
            cells.pop()
        elif kind == "extra":
            cells.append(data.draw(st.sampled_from(BAD_CELLS)))
        elif kind == "header":
            lines[0] = data.draw(st.sampled_from(["x1,x1,y", "x1,,y", "", "x1;x2;y", "\ufeffx1,x2,y", "x2,y",
                                                  '"x1\nx2",y', "x1,x2,y,z", "y,x2,x1"]))
            continue
        elif kind == "blank":
            lines.insert(row, data.draw(st.sampled_from(["", " ", ",,", "\t"])))
            continue
        elif kind == "line":
            lines.insert(row, data.draw(st.text(max_size=30)))
            continue
        elif kind == "delete" and len(lines) > 1:
            del lines[row]
            continue
        lines[row] = ",".join(cells)
    sep = data.draw(st.sampled_from(["\n", "\r\n", "\r"]))
    clean_table_or_refusal(sep.join(lines) + data.draw(st.sampled_from(["", sep, sep * 3])))


@FUZZ
@given(st.text(max_size=300))
def test_random_text_gives_a_clean_table_or_a_refusal(text):
    clean_table_or_refusal(text, required=[])


@FUZZ
@given(st.lists(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=3, max_size=3), min_size=1,
                max_size=20))
def test_any_finite_numbers_read_back_exactly(rows):
    text = "x1,x2,y\n" + "\n".join(",".join(repr(v) for v in row) for row in rows) + "\n"
    ds = clean_table_or_refusal(text)
    assert np.array_equal(ds.columns["x1"], [r[0] for r in rows])
    assert np.array_equal(ds.columns["y"], [r[2] for r in rows])


@pytest.mark.parametrize("text, where", [
    ("x1,x2,y\n1,2,3\n4,nan,6\n", "line 3, column 'x2'"),
    ("x1,x2,y\n1,2,3\n4,1e999,6\n", "line 3, column 'x2'"),
    ("x1,x2,y\n1,2,3\n4,5\n", "line 3"),
    ("x1,x2,y\n1,two,3\n", "line 2, column 'x2'"),
    ("x1,y\n1,2\n", "missing column 'x2'"),
    ("x1,x1,x2\n1,2,3\n", "appears twice"),
    ("x1,x2,y\n", "no data rows"),
    ("", "header row is missing"),
])
def test_refusals_name_the_line_and_column(text, where):
    with pytest.raises(DataError) as info:
        datasets.parse_csv(text, "data.csv", REQUIRED)
    assert where in str(info.value)
    assert_one_line(str(info.value))


def test_binary_devices_and_huge_files_are_refused(tmp_path):
    png = tmp_path / "picture.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"x1,x2\n1,\x002\n")
    for path in (png, nul, tmp_path, tmp_path / "missing.csv", "/dev/zero"):
        with pytest.raises(DataError) as info:
            datasets.read_csv(path, REQUIRED)
        assert_one_line(str(info.value))


def test_a_graph_file_cannot_make_the_reader_hang_on_a_device():
    """A lesson's dataset block may name any path; /dev/zero would never end."""
    from graphcore import fileformat
    g = fileformat.loads('{"format": "backprop-studio.graph", "version": 1, "nodes": [{"id": "x1", "op": "input",'
                         ' "column": "x1"}], "edges": [], "dataset": {"csv": "/dev/zero"}}')
    with pytest.raises(DataError, match="not a regular file"):
        datasets.for_graph(g)


def test_a_file_that_reports_size_0_is_still_read_only_up_to_the_limit(monkeypatch):
    """/proc files report size 0 whatever they hold: the limit must bound the read itself,
    not only the size the file reports."""
    status = "/proc/self/status"
    if not os.path.isfile(status) or os.stat(status).st_size != 0:
        pytest.skip("needs Linux's /proc, whose files report size 0")
    monkeypatch.setattr(datasets, "MAX_CSV_BYTES", 16)
    with pytest.raises(DataError, match="too large") as info:
        datasets.read_csv(status)
    assert_one_line(str(info.value))
