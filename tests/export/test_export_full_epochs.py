"""SPEC §7 at the lessons' own length: the numpy export, run for each lesson's full epoch
count (spiral: 1,200 Adam epochs), reproduces the final cost `graphcore train` reports to
1e-9, and its accuracy exactly.

The engine runs dense layers as BLAS matmuls (#18), which add in another order than the
export's box-by-box lines, so the two runs differ by rounding every step. Measured
(2026-12-02, the export against the Trainer as `graphcore train` makes it): every lesson
but spiral agrees to ≤ 1e-14 in everything; spiral (2 → 16 → 3 softmax, Adam) amplifies
the rounding in its middle epochs and ends with the final cost 1.4e-10 apart — what SPEC
promises holds — while its final parameters are 1.4e-8 apart and one epoch's cost (557)
4.5e-8, so this test compares only the final cost and the accuracy, as SPEC does. At 100
epochs (tests/export/test_numpy_export.py) everything, parameters and each epoch's cost
included, still agrees to ≤ 1e-14, and that test keeps its 1e-9 on all of them."""
from __future__ import annotations

import contextlib
import io
import json
import runpy

import pytest

from graphcore.export import to_numpy
from graphcore.training import Trainer
from tests.export.graphs import EXAMPLES, examples

TOL = 1e-9
LESSONS = [(p.name.split(".")[0], g) for p, g in zip(EXAMPLES, examples(), strict=True) if g.meta.get("training")]


@pytest.mark.slow
@pytest.mark.parametrize("graph", [g for _, g in LESSONS], ids=[n for n, _ in LESSONS])
def test_the_export_reproduces_graphcore_trains_final_cost_at_full_length(graph, tmp_path):
    epochs = graph.meta["training"]["epochs"]
    ref = Trainer(graph, track=("accuracy", "test")).train()  # as `graphcore train` runs it
    assert ref["status"] == "done" and ref["epochs"] == epochs, ref["error"]
    path = tmp_path / "exported.py"
    path.write_text(to_numpy(graph), encoding="utf-8")
    ns = runpy.run_path(str(path), run_name="exported")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ns["main"](["--json"])
    mine = json.loads(out.getvalue())
    assert mine["epochs"] == epochs
    assert abs(mine["cost"] - ref["cost"]) <= TOL * max(1.0, abs(ref["cost"]))
    assert mine["accuracy"] == ref["accuracy"]
