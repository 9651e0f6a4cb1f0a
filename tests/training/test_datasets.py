"""Data sets (SPEC §4): every generator's labels follow its rule on every point, seeding,
noise, the train/test split, CSV load/save with refusals that name line and column."""
import math

import numpy as np
import pytest

from graphcore import datasets
from graphcore.errors import DataError

# The rules of SPEC §4, written out again here (not imported) so a wrong rule in the code fails.
SPEC_RULES = {
    "simple": lambda a, b: a < 0.5,
    "diag": lambda a, b: a + b < 0.5,
    "split": lambda a, b: a < 0.2 or a > 0.8,
    "xor": lambda a, b: (a < 0.5 and b > 0.5) or (a > 0.5 and b < 0.5),
    "circle": lambda a, b: (a - 0.5) ** 2 + (b - 0.5) ** 2 > 0.1,
}


@pytest.mark.parametrize("name", sorted(SPEC_RULES))
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_ruled_labels_follow_the_rule_on_every_point(name, seed):
    ds = datasets.generate(name, 300, seed)
    x1, x2, y = ds.columns["x1"], ds.columns["x2"], ds.columns["y"]
    assert len(y) == 300
    assert np.all((x1 >= 0) & (x1 < 1) & (x2 >= 0) & (x2 < 1))
    for a, b, label in zip(x1, x2, y, strict=True):
        assert label == (1.0 if SPEC_RULES[name](a, b) else 0.0)
    assert 0 < y.sum() < 300  # both classes present


def test_spiral_is_minitorchs_on_every_point():
    n = 40
    ds = datasets.generate("spiral", n, 0)
    half = n // 2
    pts = []
    for i in range(5, 5 + half):  # MiniTorch: x(t) = t cos t / 20, y(t) = t sin t / 20
        t = 10.0 * i / half
        pts.append((t * math.cos(t) / 20 + 0.5, t * math.sin(t) / 20 + 0.5, 0.0))
    for i in range(5, 5 + half):  # the second arm is (y(−t), x(−t))
        t = -10.0 * i / half
        pts.append((t * math.sin(t) / 20 + 0.5, t * math.cos(t) / 20 + 0.5, 1.0))
    got = np.stack([ds.columns["x1"], ds.columns["x2"], ds.columns["y"]], 1)
    np.testing.assert_allclose(got, np.array(pts), rtol=0, atol=1e-12)


def test_spiral3_points_lie_on_their_own_arm():
    ds = datasets.generate("spiral3", 150, 0)
    x1, x2, y = ds.columns["x1"], ds.columns["x2"], ds.columns["y"]
    assert sorted(set(y)) == [0.0, 1.0, 2.0] and ds.n_classes == 3
    assert [int((y == c).sum()) for c in range(3)] == [50, 50, 50]
    # arm c: radius r ∈ [0.05, 1] (scaled by 0.45), angle t ∈ [4c, 4c + 4] with t growing with r
    for c in range(3):
        dx, dy = x1[y == c] - 0.5, x2[y == c] - 0.5
        r = np.hypot(dx, dy) / 0.45
        t = c * 4.0 + (r - 0.05) / 0.95 * 4.0
        np.testing.assert_allclose(dx, 0.45 * r * np.sin(t), atol=1e-12)
        np.testing.assert_allclose(dy, 0.45 * r * np.cos(t), atol=1e-12)


def test_gauss_blobs_sit_around_their_centres():
    ds = datasets.generate("gauss", 400, 3)
    x = np.stack([ds.columns["x1"], ds.columns["x2"]], 1)
    y = ds.columns["y"]
    np.testing.assert_allclose(x[y == 0].mean(0), [0.3, 0.3], atol=0.03)
    np.testing.assert_allclose(x[y == 1].mean(0), [0.7, 0.7], atol=0.03)


@pytest.mark.parametrize("name", list(datasets.GENERATORS))
def test_seeded_and_reproducible(name):
    a, b, c = (datasets.generate(name, 60, s) for s in (4, 4, 5))
    for col in a.columns:
        np.testing.assert_array_equal(a.columns[col], b.columns[col])
    if name not in ("spiral", "spiral3"):  # spirals without noise do not depend on the seed
        assert not np.array_equal(a.columns["x1"], c.columns["x1"])


def test_noise_moves_labels_not_points_and_only_near_the_boundary():
    clean = datasets.generate("simple", 500, 2)
    noisy = datasets.generate("simple", 500, 2, noise=0.05)
    np.testing.assert_array_equal(clean.columns["x1"], noisy.columns["x1"])
    flipped = clean.columns["y"] != noisy.columns["y"]
    assert flipped.any()
    assert np.abs(clean.columns["x1"][flipped] - 0.5).max() < 0.3  # 6σ


def test_test_fraction_holds_out_points():
    ds = datasets.generate("xor", 100, 0, test_fraction=0.25)
    assert ds.test_mask.sum() == 25
    assert len(ds.train()["y"]) == 75 and len(ds.test()["y"]) == 25
    assert datasets.generate("xor", 100, 0).test() is None


@pytest.mark.parametrize("kwargs,msg", [
    ({"name": "moons"}, "unknown data set 'moons'"),
    ({"name": "xor", "n": 0}, "whole number ≥ 1"),
    ({"name": "xor", "n": 2.5}, "whole number ≥ 1"),
    ({"name": "xor", "noise": -1.0}, "noise"),
    ({"name": "xor", "test_fraction": 1.0}, "test_fraction"),
    ({"name": "spiral3", "n": 2}, "at least 3"),
])
def test_generate_refuses_bad_arguments(kwargs, msg):
    with pytest.raises(DataError, match=msg):
        datasets.generate(**kwargs)


def test_csv_round_trip(tmp_path):
    ds = datasets.generate("circle", 30, 1)
    path = tmp_path / "c.csv"
    datasets.write_csv(ds, path)
    back = datasets.read_csv(path)
    assert list(back.columns) == ["x1", "x2", "y"]
    for col in ds.columns:
        np.testing.assert_array_equal(back.columns[col], ds.columns[col])


@pytest.mark.parametrize("text,msg", [
    ("x1,x2,y\n0.1,0.2,1\n0.3,abc,0\n", "line 3, column 'x2': 'abc' is not a number"),
    ("x1,x2,y\n0.1,0.2\n", "line 2: 2 cells where the header has 3"),
    ("x1,x2,y\n0.1,nan,1\n", "line 2, column 'x2'"),
    ("x1,,y\n1,2,3\n", "line 1, column 2: empty column name"),
    ("x1,x1,y\n1,2,3\n", "column 'x1' appears twice"),
    ("", "header row is missing"),
    ("x1,x2,y\n", "no data rows"),
])
def test_csv_refusals_name_line_and_column(text, msg):
    with pytest.raises(DataError, match=msg.replace("(", r"\(")):
        datasets.parse_csv(text, "d.csv")


def test_csv_missing_column_is_named(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x1,y\n0.5,1\n")
    with pytest.raises(DataError, match="missing column 'x2'"):
        datasets.read_csv(path, ["x1", "x2"])


def test_inline_points_feed_input_boxes_by_column():
    from graphcore.builder import mlp
    g = mlp(["x1"], [], dataset={"points": {"x1": [0.1, 0.9], "y": [1.0, 0.0]}})
    ds = datasets.for_graph(g)
    assert ds.n == 2 and ds.features == ["x1"]
    g.set_meta("dataset", {"points": {"x2": [0.1], "y": [1.0]}})
    with pytest.raises(DataError, match="no column 'x1'"):
        datasets.for_graph(g)
