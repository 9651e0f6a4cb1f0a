"""graphcore train / graphcore dataset: SPEC §6 flags, --json shape, exit codes, files."""
import hashlib
import io
import json
import shutil

import pytest

from graphcore import cli, datasets, fileformat, lessons
from graphcore.builder import mlp
from graphcore.progress import ProgressBar
from tests.cli.cli_runner import run_graphcore


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def logistic(tmp_path):
    path = tmp_path / "lr.graph.json"
    shutil.copy(lessons.path_of("logistic_regression"), path)
    return path


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_train_json_has_the_spec_keys(logistic, capsys):
    code, out, err = run(["train", str(logistic), "--epochs", "7", "--json"], capsys)
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert {"cost", "accuracy", "epochs", "parameters", "history"} <= set(doc)
    assert doc["epochs"] == 7 and len(doc["history"]) == 7
    assert [h["epoch"] for h in doc["history"]] == list(range(1, 8))
    assert set(doc["history"][0]) == {"epoch", "cost", "accuracy"}  # no test points here
    assert set(doc["parameters"]) == {"w1", "w2", "b"}
    assert "test_cost" not in doc
    # the file's block (adam, lr 0.1) was used: one Adam step moves each parameter by about lr
    g = fileformat.load(logistic)
    first = json.loads(run(["train", str(logistic), "--epochs", "1", "--json"], capsys)[1])
    assert first["parameters"]["w1"] == pytest.approx(g.value("w1") - 0.1 * _sign_of_grad(g, "w1"), abs=1e-6)


def _sign_of_grad(g, p):
    from graphcore.engine import evaluate
    ev = evaluate(g, datasets.for_graph(g).train())
    return 1.0 if float(ev.grad(p)) > 0 else -1.0


def test_flags_override_the_file_and_test_points_are_reported(logistic, capsys):
    g = fileformat.load(logistic)
    g.set_meta("dataset", {"generator": "simple", "n": 60, "seed": 1, "noise": 0.0, "test_fraction": 0.5})
    fileformat.save(g, logistic)
    code, out, _ = run(["train", str(logistic), "--epochs", "3", "--optimizer", "sgd", "--lr", "0.5",
                        "--batch-size", "8", "--seed", "2", "--json"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["epochs"] == 3
    assert {"test_cost", "test_accuracy"} <= set(doc) and "test_cost" in doc["history"][-1]
    from graphcore.training import Trainer
    ref = Trainer(fileformat.load(logistic), optimizer="sgd", lr=0.5, epochs=3, batch_size=8, seed=2).train()
    assert doc["parameters"] == ref["parameters"] and doc["cost"] == ref["cost"]


def test_output_gets_trained_values_and_the_input_stays_untouched(logistic, tmp_path, capsys):
    before = digest(logistic)
    out_path = tmp_path / "trained.graph.json"
    code, out, _ = run(["train", str(logistic), "--epochs", "20", "-o", str(out_path), "--json"], capsys)
    assert code == 0 and digest(logistic) == before
    trained = fileformat.load(out_path)
    params = json.loads(out)["parameters"]
    assert {p: trained.value(p) for p in params} == params
    assert fileformat.load(logistic).nodes() == trained.nodes()


def test_text_output(logistic, capsys):
    code, out, err = run(["train", str(logistic), "--epochs", "200"], capsys)
    assert code == 0 and err == ""  # no progress bar when stderr is not a terminal
    assert "trained 200 epochs with Adam (lr 0.1, full batch)" in out
    assert "accuracy 100.0% on 100 training points" in out


def test_a_diverging_run_names_the_box_and_writes_nothing(tmp_path):
    """The xor network with a squared-error loss at lr 1e3 overflows. (With its bce loss it
    no longer diverges: bce clamps its logs as torch does, so saturated outputs stay finite.)"""
    src = tmp_path / "xor.graph.json"
    fileformat.save(mlp(["x1", "x2"], [10], "relu", "squared_error", seed=0,
                        dataset={"generator": "xor", "n": 100, "seed": 0}), src)
    before = digest(src)
    out_path = tmp_path / "out.graph.json"
    proc = run_graphcore("train", str(src), "--lr", "1e3", "-o", str(out_path), timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "training failed in epoch" in proc.stderr and "box '" in proc.stderr
    assert "was not written" in proc.stderr
    assert digest(src) == before and not out_path.exists()


def test_overflow_at_the_starting_values_does_not_blame_the_learning_rate(tmp_path, capsys):
    """J = 3(a + bc) with parameters b = c = 1e200: bc is inf before any step, so no learning rate helps."""
    from graphcore.expr import from_expr
    g = from_expr("3*(a + b*c)")
    g.set_meta("loss", g.nodes()[-1])
    for n in ("b", "c"):
        g.set_value(n, 1e200)
    path = tmp_path / "huge.graph.json"
    fileformat.save(g, path)
    code, out, err = run(["train", str(path), "--epochs", "3"], capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "produced inf" in err and "smaller learning rate" not in err
    assert "check the parameter values" in err


def test_a_graph_without_parameters_is_refused_with_one_line(tmp_path, capsys):
    """The lecture's J = 3(a + bc) has inputs and a constant only: nothing would change in 100
    epochs, so train says so instead of reporting a run."""
    code, out, err = run(["train", str(lessons.path_of("ng_computation_graph"))], capsys)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("graphcore: error: nothing to train") and "parameter" in err


@pytest.mark.parametrize("flags,msg", [
    (["--epochs", "-1"], "--epochs must be ≥ 0"),
    (["--lr", "0"], "--lr must be a number > 0"),
    (["--lr", "nan"], "--lr must be a number > 0"),
    (["--optimizer", "nadam"], "--optimizer must be one of"),
    (["--batch-size", "0"], "--batch-size must be ≥ 1"),
    (["--seed", "-3"], "--seed must be ≥ 0"),
    (["--epochs", "many"], "invalid int value"),
])
def test_bad_flags_exit_2_with_one_line(logistic, capsys, flags, msg):
    code, out, err = run(["train", str(logistic), *flags], capsys)
    assert code == 2 and out == "" and msg in err and len(err.strip().splitlines()) == 1


def test_a_graph_without_loss_is_refused(tmp_path, capsys):
    g = fileformat.load(lessons.path_of("logistic_regression"))
    g.set_meta("loss", None)
    path = tmp_path / "noloss.graph.json"
    fileformat.save(g, path)
    code, _, err = run(["train", str(path)], capsys)
    assert code == 2 and "names no loss" in err


def test_dataset_command_writes_csv(tmp_path, capsys):
    path = tmp_path / "xor.csv"
    code, _, _ = run(["dataset", "xor", "--n", "50", "--seed", "3", "-o", str(path)], capsys)
    assert code == 0
    ds = datasets.read_csv(path)
    ref = datasets.generate("xor", 50, 3)
    for col in ("x1", "x2", "y"):
        assert list(ds.columns[col]) == list(ref.columns[col])
    code, out, _ = run(["dataset", "circle", "--n", "5", "--noise", "0.1"], capsys)
    assert code == 0 and out.splitlines()[0] == "x1,x2,y" and len(out.splitlines()) == 6


@pytest.mark.parametrize("argv,msg", [
    (["dataset", "moons"], "unknown data set 'moons'"),
    (["dataset", "xor", "--n", "0"], "whole number ≥ 1"),
    (["dataset", "xor", "--noise", "-1"], "noise must be"),
    (["dataset", "xor", "--seed", "-1"], "--seed must be ≥ 0"),
])
def test_dataset_command_refuses_bad_input(capsys, argv, msg):
    code, out, err = run(argv, capsys)
    assert code == 2 and msg in err and len(err.strip().splitlines()) == 1


def test_progress_bar_draws_only_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    quiet = io.StringIO()
    ProgressBar(10, stream=quiet).update(5, force=True)
    assert quiet.getvalue() == ""
    tty = Tty()
    bar = ProgressBar(10, "epochs", stream=tty)
    bar.update(5, "cost 0.5", force=True)
    bar.close()
    text = tty.getvalue()
    assert "5/10 epochs" in text and "cost 0.5" in text and text.endswith("\n")
    assert "█" * 14 + "·" * 14 in text  # half of the 28 cells
