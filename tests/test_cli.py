"""`python -m nngmix run` with the official flags, on small files with few epochs."""

import csv
import subprocess
import sys

import pytest

from nngmix.cli import main, official_log_name, build_parser
from nngmix.store import Store


def test_official_log_name():
    args = build_parser().parse_args(["run", "--alg", "MLP", "--nn_mix_gaussian", "--nn_mix_gaussian_std", "0.01"])
    assert official_log_name(args) == "log_Classical_MLP_nng_mix_0.1_1.0_0.2_0.2_k_10_k_anomaly_10_gaussian_std_0.01_seed_42.csv"
    args = build_parser().parse_args(["run", "--method", "cutout", "--use_anomaly_only", "--ratio", "0.5"])
    assert official_log_name(args) == "log_Classical_DeepSAD_cutout_0.1_0.5_0.1_0.3_use_anomaly_only_seed_42.csv"


@pytest.mark.usefixtures("adbench_root")
def test_run_writes_the_official_csv_and_records_runs(tmp_path, capsys):
    out = tmp_path / "logs"
    code = main(["run", "--alg", "DeepSAD", "--datasets", "wbc", "glass", "--multipliers", "0", "1", "5",
                 "--epochs", "2", "--pretrain-epochs", "2", "--nn_mix_gaussian", "--nn_mix_gaussian_std", "0.01",
                 "--out", str(out), "--quiet", "--seed", "1"])
    assert code == 0
    files = list(out.glob("*.csv"))
    assert [f.name for f in files] == ["log_Classical_DeepSAD_nng_mix_0.1_1.0_0.2_0.2_k_10_k_anomaly_10_gaussian_std_0.01_seed_1.csv"]
    rows = list(csv.reader(files[0].open()))
    assert rows[0] == ["dataset", "0", "1", "5"]
    assert [r[0] for r in rows[1:]] == ["14_glass", "42_WBC", "avg"]  # sorted by file name, then the average
    values = [[float(v) for v in r[1:]] for r in rows[1:]]
    assert all(0 <= v <= 1 for row in values for v in row)
    for j in range(3):
        assert values[2][j] == pytest.approx((values[0][j] + values[1][j]) / 2)
    runs = Store().list_runs()
    assert len(runs) == 6 and {r["status"] for r in runs} == {"done"}
    assert sorted(r["config"]["multiplier"] for r in runs) == [0, 0, 1, 1, 5, 5]
    assert "wrote" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--method", "warp"], "Unknown method 'warp'"),
    (["--alg", "XGBoost"], "Unknown detector 'XGBoost'"),
    (["--datasets", "atlantis"], "No dataset named 'atlantis'"),
    (["--multipliers", "0", "-1"], "--multipliers must be ≥ 0"),
    (["--nn_k", "0"], "The 'k' parameter of NNGMix must be an int in [1, inf). Got 0 instead."),
    (["--alg", "MLP"], "MLP has no parameter(s) pretrain_epochs"),
])
def test_run_bad_input_exits_non_zero_and_writes_nothing(argv, message, tmp_path, capsys, adbench_root):
    out = tmp_path / "logs"
    code = main(["run", "--out", str(out), "--quiet", "--epochs", "1", "--pretrain-epochs", "1", *argv])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists() or not list(out.iterdir())


def test_run_with_an_empty_data_root(tmp_path, capsys):
    code = main(["run", "--data-dir", str(tmp_path / "empty"), "--out", str(tmp_path / "logs")])
    assert code == 2
    assert "No Classical files under the data roots" in capsys.readouterr().err


@pytest.mark.parametrize("method, params", [
    ("nng_mix", dict(k=7, k_anomaly=3, alpha=0.5, beta=0.4, std=0.01, gaussian=True, uniform_lambda=False,
                     adaptive_k=False, adaptive_k_factor=2, adaptive_k_anomaly=True, adaptive_k_anomaly_factor=0.5)),
    ("cutmix", dict(low=0.2, high=0.4, anomaly_only=True)),
    ("gaussian_noise", dict(std=0.3)),
])
def test_command_line_round_trips_through_the_official_flags(method, params):
    import shlex

    from nngmix.cli import command_line, detector_params_from_flags, method_params_from_flags
    from nngmix.experiment import Experiment

    exp = Experiment(dataset="6_cardio", group="Classical", seed=3, ratio=0.5, method=method, method_params=params,
                     multiplier=5, detector="MLP", detector_params={"max_iter": 7}, device="cpu")
    args = build_parser().parse_args(shlex.split(command_line(exp))[3:])
    assert method_params_from_flags(args) == params
    assert detector_params_from_flags(args) == {"max_iter": 7}
    assert (args.seed, args.ratio, args.multipliers, args.datasets, args.dataset) == (3, 0.5, [5.0], ["6_cardio"], "Classical")


def test_command_line_fills_in_the_class_defaults():
    import shlex

    from nngmix.cli import command_line, method_params_from_flags
    from nngmix.experiment import Experiment
    from nngmix.generators import NNGMix

    exp = Experiment(method="nng_mix", method_params={"k": 5}, multiplier=1)
    args = build_parser().parse_args(shlex.split(command_line(exp))[3:])
    assert method_params_from_flags(args) == {**NNGMix.defaults(), "k": 5}  # σ 0.01 with noise, not the CLI's 1.0 off


def test_run_accepts_a_builtin_dataset(tmp_path, capsys):
    code = main(["run", "--alg", "MLP", "--datasets", "wine", "--multipliers", "0", "1", "--epochs", "3",
                 "--out", str(tmp_path), "--quiet"])
    assert code == 0
    rows = list(csv.reader(next(tmp_path.glob("*.csv")).open()))
    assert [r[0] for r in rows] == ["dataset", "wine", "avg"]


def test_help_documents_the_official_flags():
    out = subprocess.run([sys.executable, "-m", "nngmix", "run", "--help"], capture_output=True, text=True, check=True).stdout
    for flag in ["--ratio", "--method", "--seed", "--alg", "--dataset", "--la", "--nn_k", "--nn_k_anomaly", "--nn_mix_gaussian",
                 "--nn_mix_gaussian_std", "--mixup_alpha", "--mixup_beta", "--cutout_alpha", "--cutout_beta", "--gaussian_var",
                 "--use_anomaly_only", "--use_uniform", "--adjust_nn_k", "--adjust_nn_k_n", "--adjust_nn_k_anomaly",
                 "--adjust_nn_k_n_anomaly", "--data-dir", "--datasets", "--multipliers", "--device", "--out"]:
        assert flag in out
