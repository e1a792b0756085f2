"""Sweeps (local and Ray), resuming, failures, the statistics, and tuning."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from nngmix.cli import main
from nngmix.stats import BASELINE_COLUMN, paper_table, results_frame, write_tables
from nngmix.store import Store
from nngmix.sweep import SweepSpec, run_sweep

TINY = dict(datasets=["wine"], methods=["nng_mix"], multipliers=[0, 1], seeds=[0, 1], detectors=["MLP"],
            detector_params={"MLP": {"max_iter": 10}})


def test_local_sweep_runs_then_resumes(tmp_path):
    store = Store(tmp_path / "runs.sqlite")
    seen = []
    result = run_sweep(SweepSpec(**TINY, tag="t"), store=store, workers=2, progress=lambda d, t, info: seen.append((d, t)))
    assert (result.total, result.skipped, result.done, result.failed) == (4, 0, 4, 0)
    assert seen[-1] == (4, 4)
    runs = store.list_runs(tag="t")
    assert len(runs) == 4 and {r["status"] for r in runs} == {"done"}
    again = run_sweep(SweepSpec(**TINY, tag="t"), store=store, workers=2)
    assert (again.skipped, again.done) == (4, 0) and len(store.list_runs()) == 4
    bigger = run_sweep(SweepSpec(**{**TINY, "seeds": [0, 1, 2]}, tag="t"), store=store, workers=2)
    assert (bigger.total, bigger.skipped, bigger.done) == (6, 4, 2)


def test_a_failing_experiment_is_recorded_and_the_sweep_goes_on(tmp_path):
    store = Store(tmp_path / "runs.sqlite")
    # SMOTE needs 2 labeled anomalies; wine at ratio 0.1 keeps 1: those runs fail, the baselines do not
    spec = SweepSpec(datasets=["wine"], methods=["smote"], multipliers=[0, 1], seeds=[0], ratios=[0.1],
                     detectors=["MLP"], detector_params={"MLP": {"max_iter": 5}})
    result = run_sweep(spec, store=store, workers=1)
    assert (result.done, result.failed) == (1, 1)
    failed = store.list_runs(status="failed")
    assert "needs at least 2" in failed[0]["error"]


def test_ray_local_sweep_reaches_the_store_through_the_driver(tmp_path):
    ray = pytest.importorskip("ray")
    store = Store(tmp_path / "runs.sqlite")
    try:
        result = run_sweep(SweepSpec(**{**TINY, "seeds": [0]}, tag="r"), store=store, workers=2, ray="local")
    finally:
        ray.shutdown()
    assert (result.done, result.failed) == (2, 0)
    runs = store.list_runs(tag="r")
    assert {r["status"] for r in runs} == {"done"} and all(r["device"].startswith("ray:") for r in runs)
    assert all(len(store.epochs(r["id"])) == r["metrics"]["epochs"] > 0 for r in runs)


def _frame(values):
    """runs for a known table: values[dataset][method] = list over seeds."""
    runs = []
    for dataset, per_method in values.items():
        for method, seeds in per_method.items():
            for seed, v in enumerate(seeds):
                runs.append({"status": "done", "metrics": {"auc_roc": v}, "config": {
                    "dataset": dataset, "detector": "MLP", "ratio": 1.0, "seed": seed,
                    "multiplier": 0 if method == BASELINE_COLUMN else 5, "method": "none" if method == BASELINE_COLUMN else method}})
    return results_frame(runs)


def test_statistics_on_known_inputs():
    values = {f"d{i}": {BASELINE_COLUMN: [0.5, 0.7], "good": [0.8, 0.8 + 0.01 * i], "same": [0.6, 0.6]} for i in range(6)}
    table = paper_table(_frame(values), detector="MLP", ratio=1.0, multiplier=5)
    assert table.mean.loc["d0", BASELINE_COLUMN] == pytest.approx(0.6)
    assert table.std.loc["d0", BASELINE_COLUMN] == pytest.approx(0.1)  # population std over the two seeds
    assert table.rank["good"] == 1.0 and table.rank[BASELINE_COLUMN] == pytest.approx(2.5)
    assert table.wins_ties_losses["good"] == (6, 0, 0) and table.wins_ties_losses["same"] == (0, 6, 0)
    assert table.p_value["good"] == pytest.approx(1 / 64)  # 6 positive differences: exact one-sided p = 2^-6
    assert math.isnan(table.p_value["same"])  # no non-zero difference to test
    cells = table.formatted()
    assert cells.loc["d0", BASELINE_COLUMN] == "0.6000 ± 0.1000" and cells.loc["W/T/L vs baseline", "good"] == "6/0/0"


def test_tables_are_written_as_csv_and_markdown(tmp_path):
    values = {f"d{i}": {BASELINE_COLUMN: [0.5], "nng_mix": [0.6]} for i in range(3)}
    paths = write_tables(_frame(values), tmp_path, stem="s")
    assert [p.name for p in paths] == ["s_MLP_ratio1_x5.csv", "s.md"]
    assert "| avg | 0.5000 | 0.6000 |" in paths[1].read_text()
    assert pd.read_csv(paths[0], index_col=0, dtype=str).loc["rank", "nng_mix"] == "1.00"


def test_missing_baseline_is_explained():
    values = {"d0": {"nng_mix": [0.6]}}
    with pytest.raises(ValueError, match="No baseline \\(multiplier 0\\) runs"):
        paper_table(_frame(values), detector="MLP", ratio=1.0, multiplier=5)


def test_sweep_cli_with_a_config_file(tmp_path, capsys):
    config = tmp_path / "grid.yaml"
    config.write_text("datasets: [wine]\nmethods: [nng_mix, mixup]\nmultipliers: [0, 1]\nseeds: [0]\n"
                      "detectors: [MLP]\ndetector_params: {MLP: {max_iter: 10}}\n")
    code = main(["sweep", "--config", str(config), "--workers", "2", "--out", str(tmp_path / "out"), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0 and "3 experiments: 0 already done, 3 run, 0 failed" in out
    assert "| dataset | baseline | mixup | nng_mix |" in out
    assert (tmp_path / "out" / "grid.md").exists()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"datasets": ["wine"], "colour": "red"}))
    assert main(["sweep", "--config", str(bad)]) == 2
    assert "unknown key(s) colour" in capsys.readouterr().err


def test_tuning_uses_training_data_only(monkeypatch):
    pytest.importorskip("optuna")
    import nngmix.tuning as tuning
    from nngmix.data import load_builtin

    X, y = load_builtin("synthetic_local")
    seen = []
    real = tuning._fit_score

    def spy(X_fit, y_fit, X_eval, y_eval, *args):
        seen.append(len(X_eval))
        return real(X_fit, y_fit, X_eval, y_eval, *args)

    monkeypatch.setattr(tuning, "_fit_score", spy)
    result = tuning.tune_nngmix(X, y, seed=0, n_trials=3, detector_params={"max_iter": 20})
    n_test = 600  # 2000 rows: 30 % test
    assert seen[:3] == [seen[0]] * 3 and seen[0] < n_test  # the search scores held-out training rows, never the test set
    assert seen[3:] == [n_test, n_test]  # only default and tuned are scored on the test set
    assert set(result.best_params) == {"k", "k_anomaly", "std", "alpha", "beta"}
    assert 0 <= result.default_test_auc <= 1 and 0 <= result.tuned_test_auc <= 1
    assert np.isfinite(result.validation_auc)
