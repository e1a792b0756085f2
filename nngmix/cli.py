"""``python -m nngmix``: datasets, downloads, the official NNG_Mix.py experiment, sweeps and tuning."""

from __future__ import annotations

import argparse
import logging
import sys

from nngmix import __version__


class CLIError(Exception):
    """A user error: printed as one line, exit status 2."""


def _add_data_dir(p):
    p.add_argument("--data-dir", action="append", default=[], metavar="DIR",
                   help="a data root holding ADBench group folders (repeatable; also $NNGMIX_DATA)")


def cmd_datasets(args) -> int:
    from nngmix.data import scan

    cards = scan(args.data_dir)
    if args.group:
        cards = [c for c in cards if c.group == args.group]
    print(f"{'group':<16}{'name':<28}{'samples':>8}{'features':>9}{'anomalies':>10}{'%':>7}")
    for c in cards:
        print(f"{c.group:<16}{c.name:<28}{c.n_samples:>8}{c.n_features:>9}{c.n_anomalies:>10}{c.anomaly_pct:>7.2f}")
    return 0


def cmd_download(args) -> int:
    from tqdm import tqdm

    from nngmix.data._download import DownloadError, download

    bars: dict[str, tqdm] = {}

    def progress(name, done, total):
        bar = bars.get(name) or bars.setdefault(name, tqdm(total=total, unit="B", unit_scale=True, desc=name, leave=False))
        bar.update(done - bar.n)

    try:
        results = download(args.names, args.group, args.data_dir[0] if args.data_dir else None, args.base_url,
                           progress=None if args.quiet else progress)
    except DownloadError as exc:
        raise CLIError(str(exc)) from None
    finally:
        for bar in bars.values():
            bar.close()
    for r in results:
        print(f"{r.status:<11}{r.group}/{r.name}  {r.message or r.path}")
    failed = [r for r in results if r.status == "failed"]
    print(f"{len(results) - len(failed)} of {len(results)} file(s) ready; {len(failed)} failed.")
    return 1 if failed else 0


def official_log_name(a) -> str:
    """NNG_Mix.py's log file name for these settings (same fields, same order)."""
    name = f"log_{a.dataset}_{a.alg}_{a.method}_{a.la}_{a.ratio}"
    if a.method in ("mixup", "nng_mix"):
        name += f"_{a.mixup_alpha}_{a.mixup_beta}"
    if a.method in ("cutout", "cutmix"):
        name += f"_{a.cutout_alpha}_{a.cutout_beta}"
    if a.method == "nng_mix" and not a.adjust_nn_k:
        name += f"_k_{a.nn_k}"
    if a.method == "nng_mix" and not a.adjust_nn_k_anomaly:
        name += f"_k_anomaly_{a.nn_k_anomaly}"
    if a.method == "gaussian_noise":
        name += f"_{a.gaussian_var}"
    if a.adjust_nn_k:
        name += f"_adjust_nn_k_{a.adjust_nn_k_n}"
    if a.adjust_nn_k_anomaly:
        name += f"_adjust_nn_k_anomaly_{a.adjust_nn_k_n_anomaly}"
    if a.nn_mix_gaussian:
        name += f"_gaussian_std_{a.nn_mix_gaussian_std}"
    if a.use_uniform:
        name += "_use_uniform"
    if a.use_anomaly_only:
        name += "_use_anomaly_only"
    name += f"_seed_{a.seed}"
    if a.appen:
        name += f"_{a.appen}"
    return name + ".csv"


_WINDOW_FLAGS = {"low": "cutout_alpha", "high": "cutout_beta", "anomaly_only": "use_anomaly_only"}
#: The official flag of each generator parameter, per method: the one table both directions read
#: (flags → generator keyword arguments, and a configuration → its command line).
METHOD_FLAGS = {
    "nng_mix": {"k": "nn_k", "k_anomaly": "nn_k_anomaly", "alpha": "mixup_alpha", "beta": "mixup_beta",
                "std": "nn_mix_gaussian_std", "gaussian": "nn_mix_gaussian", "uniform_lambda": "use_uniform",
                "adaptive_k": "adjust_nn_k", "adaptive_k_factor": "adjust_nn_k_n",
                "adaptive_k_anomaly": "adjust_nn_k_anomaly", "adaptive_k_anomaly_factor": "adjust_nn_k_n_anomaly"},
    "mixup": {"alpha": "mixup_alpha", "beta": "mixup_beta", "anomaly_only": "use_anomaly_only",
              "uniform_lambda": "use_uniform"},
    "cutout": _WINDOW_FLAGS,
    "cutmix": _WINDOW_FLAGS,
    "gaussian_noise": {"std": "gaussian_var"},
}


def method_params_from_flags(a) -> dict:
    """The generator's keyword arguments for the official flags."""
    return {param: getattr(a, flag) for param, flag in METHOD_FLAGS.get(a.method, {}).items()}


def detector_params_from_flags(a) -> dict:
    """--epochs / --pretrain-epochs as detector parameters; Experiment.validate names any that do not apply."""
    from nngmix.detectors import DETECTORS

    out = {}
    if a.epochs is not None:
        out[getattr(DETECTORS.get(a.alg), "epochs_param", "epochs")] = a.epochs
    if a.pretrain_epochs is not None:
        out["pretrain_epochs"] = a.pretrain_epochs
    return out


def command_line(experiment) -> str:
    """``python -m nngmix run …`` reproducing one experiment (the app's "copy as command line")."""
    from nngmix.data import GROUP_ALIASES
    from nngmix.detectors import DETECTORS
    from nngmix.experiment import BASELINE

    e = experiment
    parts = ["python -m nngmix run", f"--alg {e.detector}", f"--seed {e.seed}", f"--la {e.la}", f"--ratio {e.ratio}"]
    aliases = {full: short for short, full in GROUP_ALIASES.items()}
    if e.group in aliases:
        parts.append(f"--dataset {aliases[e.group]}")
    parts += [f"--datasets {e.dataset}", f"--multipliers {e.multiplier:g}", f"--device {e.device}"]
    if e.method != BASELINE:
        parts.append(f"--method {e.method}")
        from nngmix.generators import GENERATORS

        # the class defaults fill what the configuration left out: they differ from the CLI's (σ, noise on)
        for param, value in {**GENERATORS[e.method].defaults(), **e.method_params}.items():
            flag = METHOD_FLAGS.get(e.method, {}).get(param)
            if flag and isinstance(value, bool):
                parts += [f"--{flag}"] if value else []
            elif flag:
                parts.append(f"--{flag} {value}")
    params = dict(e.detector_params)
    epochs_param = DETECTORS[e.detector].epochs_param
    if epochs_param in params:
        parts.append(f"--epochs {params.pop(epochs_param)}")
    if "pretrain_epochs" in params:
        parts.append(f"--pretrain-epochs {params.pop('pretrain_epochs')}")
    return " ".join(parts)


def cmd_run(a) -> int:
    """The official experiment: every file of a group × multipliers, one CSV in the official layout."""
    import os
    from pathlib import Path

    import numpy as np
    from tqdm import tqdm

    from nngmix.data import DataError, GROUP_ALIASES, find, group_cards
    from nngmix.detectors import device_label, resolve_device
    from nngmix.experiment import Experiment, run_experiment
    from nngmix.store import Store

    # Everything is checked before any work starts: a bad flag leaves nothing behind.
    if any(m < 0 for m in a.multipliers):
        raise CLIError(f"--multipliers must be ≥ 0 (pseudo-anomalies per labeled anomaly); got {a.multipliers}.")
    if not 0 < a.ratio <= 1 or not 0 < a.la <= 1:
        raise CLIError(f"--ratio and --la must be in (0, 1]; got --ratio {a.ratio} --la {a.la}.")
    try:
        device = resolve_device(a.device)
    except (RuntimeError, ValueError) as exc:
        raise CLIError(str(exc)) from None
    group = GROUP_ALIASES[a.dataset]
    try:
        if a.datasets:
            cards = sorted((_find_for_run(name, group, a.data_dir) for name in a.datasets), key=lambda c: c.name)
        else:
            cards = group_cards(group, a.data_dir)
    except DataError as exc:
        raise CLIError(str(exc)) from None
    if not cards:
        from nngmix import _config

        roots = ", ".join(str(r) for r in _config.data_roots(a.data_dir))
        raise CLIError(f"No {group} files under the data roots ({roots}). Pass --data-dir DIR (a folder holding "
                       f"{group}/), set $NNGMIX_DATA, or fetch files with `python -m nngmix download --group {a.dataset}`.")
    base = Experiment(seed=a.seed, la=a.la, ratio=a.ratio, method=a.method, method_params=method_params_from_flags(a),
                      detector=a.alg, detector_params=detector_params_from_flags(a), device=a.device,
                      data_dirs=list(a.data_dir), group=group)
    try:
        base.validate()
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    out_dir = Path(a.out)
    out_path = out_dir / official_log_name(a)
    store = Store()
    results = np.full((len(cards), len(a.multipliers)), np.nan)
    print(f"{len(cards)} dataset(s) × multipliers {a.multipliers} · {a.alg} · {a.method} · seed {a.seed} · {device_label(device)}")
    bar = tqdm(total=len(cards) * len(a.multipliers), unit="run", disable=a.quiet)
    try:
        for i, card in enumerate(cards):
            split = None
            for j, m in enumerate(a.multipliers):
                bar.set_description(f"{card.name} ×{m:g}")
                exp = Experiment(**{**base.to_dict(), "dataset": card.name, "group": card.group, "multiplier": m})
                if split is None:
                    split = exp.split()  # one split per dataset, as the official code re-creates the same one
                metrics = run_experiment(exp, store=store, split=split, tag=out_path.name)
                results[i, j] = metrics["auc_roc"] if metrics["auc_roc"] is not None else np.nan
                bar.update()
    except Exception as exc:
        bar.close()
        raise CLIError(f"{card.name} ×{m:g} failed: {type(exc).__name__}: {exc} (no CSV written; finished runs are in the store)") from None
    bar.close()
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_suffix(".csv.part")
    with open(tmp, "w") as f:
        f.write(",".join(["dataset", *(f"{m:g}" for m in a.multipliers)]) + "\n")
        for card, row in zip(cards, results):
            f.write(",".join([card.name, *(str(v) for v in row)]) + "\n")
        f.write(",".join(["avg", *(str(v) for v in results.mean(axis=0))]) + "\n")
    os.replace(tmp, out_path)
    width = max(len(c.name) for c in cards) + 2
    print(f"{'dataset':<{width}}" + "".join(f"{f'×{m:g}':>9}" for m in a.multipliers))
    for card, row in zip(cards, results):
        print(f"{card.name:<{width}}" + "".join(f"{v:>9.4f}" for v in row))
    print(f"{'avg':<{width}}" + "".join(f"{v:>9.4f}" for v in results.mean(axis=0)))
    print(f"wrote {out_path}")
    return 0


def _find_for_run(name, group, roots):
    """A --datasets name: a file of the group first, else a built-in or custom dataset of that name."""
    from nngmix.data import DataError, find

    try:
        return find(name, group, roots)
    except DataError:
        try:
            return find(name, None, roots)
        except DataError:
            pass
        raise


def add_run_parser(sub) -> None:
    p = sub.add_parser(
        "run", help="the official NNG_Mix.py experiment (same flags)",
        description="Run NNG_Mix.py's experiment: every file of a group (or --datasets) × multipliers, one "
                    "detector, one augmentation method; writes the official CSV (dataset,0,1,5,10 … avg) to "
                    "--out under the official file name, and records every run in the run store.")
    o = p.add_argument_group("official NNG_Mix.py flags (same defaults)")
    o.add_argument("--la", type=float, default=0.1, help="share of training anomalies that are labeled (0.1)")
    o.add_argument("--ratio", type=float, default=1.0, help="keep this share of the labeled anomalies: 1.0 | 0.5 | 0.1 → 10 | 5 | 1 %%")
    o.add_argument("--mixup_alpha", type=float, default=0.2, help="Beta α of λ (mixup, nng_mix)")
    o.add_argument("--mixup_beta", type=float, default=0.2, help="Beta β of λ (mixup, nng_mix)")
    o.add_argument("--cutout_alpha", type=float, default=0.1, help="smallest window share (cutout, cutmix)")
    o.add_argument("--cutout_beta", type=float, default=0.3, help="largest window share (cutout, cutmix)")
    o.add_argument("--seed", type=int, default=42)
    o.add_argument("--method", default="nng_mix", help=f"one of {', '.join(METHOD_FLAGS)} (or smote)")
    o.add_argument("--alg", default="DeepSAD", help="DeepSAD, MLP or DevNet")
    o.add_argument("--dataset", default="Classical", choices=["Classical", "CV", "NLP"],
                   help="group: Classical, CV (CV_by_ResNet18) or NLP (NLP_by_BERT)")
    o.add_argument("--use_anomaly_only", action="store_true", help="partners from labeled anomalies only (mixup, cutout, cutmix)")
    o.add_argument("--use_uniform", action="store_true", help="λ ~ U(0, 1) instead of Beta")
    o.add_argument("--nn_k", type=int, default=10, help="NNG-Mix: unlabeled neighbours")
    o.add_argument("--nn_mix_gaussian", action="store_true", help="NNG-Mix: add Gaussian noise to both parents")
    o.add_argument("--nn_mix_gaussian_std", type=float, default=1.0, help="NNG-Mix: noise std (official default 1.0; paper recommends 0.01)")
    o.add_argument("--adjust_nn_k", action="store_true", help="NNG-Mix: k = labeled anomalies × adjust_nn_k_n")
    o.add_argument("--adjust_nn_k_n", type=int, default=2)
    o.add_argument("--appen", default="", help="suffix for the log file name")
    o.add_argument("--gaussian_var", type=float, default=1.0, help="gaussian_noise: noise std")
    o.add_argument("--adjust_nn_k_anomaly", action="store_true", help="NNG-Mix: k_anomaly = int(labeled × adjust_nn_k_n_anomaly)")
    o.add_argument("--adjust_nn_k_n_anomaly", type=float, default=0.3)
    o.add_argument("--nn_k_anomaly", type=int, default=10, help="NNG-Mix: labeled-anomaly neighbours")
    n = p.add_argument_group("nngmix additions")
    _add_data_dir(n)
    n.add_argument("--datasets", nargs="+", metavar="NAME", help="only these files of the group (6_cardio or cardio)")
    n.add_argument("--multipliers", nargs="+", type=float, default=[0, 1, 5, 10], help="pseudo-anomalies per labeled anomaly (0 1 5 10)")
    n.add_argument("--device", default="auto", help="auto (CUDA, then MPS, then CPU), cpu, cuda, cuda:N")
    n.add_argument("--out", default="logs", help="folder for the CSV (logs/)")
    n.add_argument("--epochs", type=int, help="override training epochs (DeepSAD epochs, MLP max_iter, DevNet epochs)")
    n.add_argument("--pretrain-epochs", type=int, help="override DeepSAD's autoencoder epochs (100)")
    n.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_run)


def cmd_sweep(a) -> int:
    """A grid of experiments, locally or on Ray; resumable; paper-style tables."""
    from pathlib import Path

    from tqdm import tqdm

    from nngmix.data import DataError
    from nngmix.stats import results_frame, write_tables
    from nngmix.store import Store
    from nngmix.sweep import SweepSpec, run_sweep, sweep_runs

    try:
        spec = SweepSpec.from_file(a.config) if a.config else SweepSpec()
        for name in ("methods", "multipliers", "ratios", "seeds", "detectors"):
            if getattr(a, name) is not None:
                setattr(spec, name, getattr(a, name))
        if a.datasets:
            spec.datasets = list(a.datasets)
        if a.group:
            spec.datasets = list(spec.datasets) + [{"group": a.group}]
        if a.data_dir:
            spec.data_dirs = list(a.data_dir)
        if a.epochs is not None:
            from nngmix.detectors import DETECTORS

            spec.detector_params = {d: {**spec.detector_params.get(d, {}), DETECTORS[d].epochs_param: a.epochs}
                                    for d in spec.detectors if d in DETECTORS}
        spec.tag = a.tag or spec.tag or (Path(a.config).stem if a.config else "")
        if any(m < 0 for m in spec.multipliers):
            raise CLIError(f"multipliers must be ≥ 0; got {spec.multipliers}.")
        grid = spec.experiments()  # validates every configuration before anything runs
    except (DataError, ValueError, OSError) as exc:
        raise CLIError(str(exc)) from None
    store = Store()
    bar = tqdm(total=len(grid), unit="run", disable=a.quiet, desc=spec.tag or "sweep")
    bar.update(sum(store.find_done(e.to_dict()) is not None for e in grid))

    def progress(done, total, info):
        bar.update()
        if info["error"]:
            bar.write(f"failed: {info['label']}: {info['error']}")

    result = run_sweep(spec, store=store, workers=a.workers, ray=a.ray, progress=progress)
    bar.close()
    print(f"{result.total} experiments: {result.skipped} already done, {result.done} run, {result.failed} failed "
          f"({result.seconds:.0f} s)")
    frame = results_frame(sweep_runs(store, grid))
    if len(frame) and (frame["multiplier"] == 0).any() and (frame["multiplier"] > 0).any():
        for path in write_tables(frame, a.out, stem=spec.tag or "sweep"):
            print(f"wrote {path}")
        print((Path(a.out) / f"{spec.tag or 'sweep'}.md").read_text())
    return 1 if result.failed else 0


def cmd_tune(a) -> int:
    from nngmix.data import DataError, find
    from nngmix.tuning import tune_nngmix

    try:
        X, y = find(a.dataset, None, a.data_dir).load()
        from tqdm import tqdm

        bar = tqdm(total=a.trials, unit="trial", disable=a.quiet)
        result = tune_nngmix(X, y, seed=a.seed, ratio=a.ratio, detector=a.alg, n_trials=a.trials,
                             multiplier=a.multiplier, callback=lambda study, trial: bar.update())
        bar.close()
    except (DataError, ValueError) as exc:
        raise CLIError(str(exc)) from None
    print(result.summary())
    return 0


def add_sweep_parsers(sub) -> None:
    p = sub.add_parser("sweep", help="a grid of experiments, locally or on Ray; resumable; paper-style tables",
                       description="Run datasets × methods × multipliers × ratios × seeds × detectors. Finished "
                                   "configurations in the run store are skipped, so an interrupted sweep resumes.")
    p.add_argument("--config", help="a YAML or JSON sweep file (keys: datasets, methods, multipliers, ratios, seeds, "
                                    "detectors, method_params, detector_params, la, device, tag)")
    p.add_argument("--datasets", nargs="+", metavar="NAME")
    p.add_argument("--group", help="every file of a group: Classical, CV, NLP, …")
    p.add_argument("--methods", nargs="+")
    p.add_argument("--multipliers", nargs="+", type=float)
    p.add_argument("--ratios", nargs="+", type=float)
    p.add_argument("--seeds", nargs="+", type=int)
    p.add_argument("--detectors", "--algs", nargs="+", dest="detectors")
    p.add_argument("--epochs", type=int, help="override every detector's epoch count")
    p.add_argument("--workers", type=int, help="local processes (default: the cores)")
    p.add_argument("--ray", nargs="?", const="auto", help="run on Ray: auto, local, or an address (ray://host:10001)")
    p.add_argument("--tag", help="name of the sweep in the store and of the tables")
    p.add_argument("--out", default="logs", help="folder for the tables (CSV and Markdown)")
    p.add_argument("--quiet", action="store_true")
    _add_data_dir(p)
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("tune", help="tune NNG-Mix's k, k_anomaly, σ, α on the training data (Optuna)")
    p.add_argument("dataset")
    p.add_argument("--trials", type=int, default=20)
    p.add_argument("--alg", default="MLP")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--ratio", type=float, default=1.0)
    p.add_argument("--multiplier", type=float, default=5)
    p.add_argument("--quiet", action="store_true")
    _add_data_dir(p)
    p.set_defaults(func=cmd_tune)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nngmix", description=__doc__)
    parser.add_argument("--version", action="version", version=f"nngmix {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("datasets", help="list the datasets the catalog finds")
    _add_data_dir(p)
    p.add_argument("--group", help="only this group (Classical, CV_by_ResNet18, Built-in, …)")
    p.set_defaults(func=cmd_datasets)

    p = sub.add_parser("download", help="fetch ADBench files into a data root",
                       description="Fetch ADBench .npz files. Files already present are skipped; partial files "
                                   "resume; a file is kept only after it loads as a valid ADBench npz.")
    p.add_argument("names", nargs="*", help="dataset names (6_cardio or cardio); none = the whole --group")
    p.add_argument("--group", help="Classical, CV_by_ResNet18, CV_by_ViT, NLP_by_BERT, NLP_by_RoBERTa (or CV, NLP)")
    _add_data_dir(p)
    p.add_argument("--base-url", help="where the group folders live (default: ADBench's GitHub repository)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_download)

    add_run_parser(sub)
    add_sweep_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        return args.func(args)
    except CLIError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
