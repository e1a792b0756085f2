"""Fidelity: nngmix's `run` path against the official pipeline, file by file, for MLP or DeepSAD.

    NNGMIX_DATA=../shared/adbench python benchmarks/fidelity.py --alg MLP [--datasets ...] [--std 0.01]

"Official" here is NNG_Mix.py's pipeline re-run in this process: ADBench's split on numpy's global
generator, the per-sample NNG-Mix loop continuing that generator, then scikit-learn's
MLPClassifier(random_state=seed) or a DeepSAD trained the way ADBench's trainer does it (DataLoader over rows,
MultiStepLR(milestones=[0]) stepped per batch; benchmarks/bench_detectors.py). "nngmix" is `run_experiment`
(protocol split, vectorised NNG-Mix, the torch detectors). Prints test AUC-ROC averages per multiplier and
their differences (target: within ±0.015).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from nngmix.data import group_cards  # noqa: E402
from nngmix.experiment import Experiment, run_experiment  # noqa: E402
from nngmix.training import auc_scores  # noqa: E402
from official import official_nngmix, official_split  # noqa: E402

MULTIPLIERS = (0, 1, 5, 10)


def official_run(X, y, seed, m, std, alg):
    A, U, X_test, y_test = official_split(X, y, seed)
    generated = official_nngmix(A, U, len(A) * m, std=std)
    X_train = np.vstack([U, A, generated])
    y_train = np.r_[np.zeros(len(U)), np.ones(len(A) + len(generated))]
    if alg == "MLP":
        from sklearn.neural_network import MLPClassifier

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = MLPClassifier(random_state=seed).fit(X_train, y_train)
        return auc_scores(y_test, model.predict_proba(X_test)[:, 1])[0]
    from bench_detectors import dataloader_deepsad

    score = dataloader_deepsad(X_train, y_train.astype(np.int64), 100, 50, seed=seed)
    return auc_scores(y_test, score(X_test))[0]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--datasets", nargs="+")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--std", type=float, default=0.01)
    p.add_argument("--alg", choices=["MLP", "DeepSAD"], default="MLP")
    a = p.parse_args(argv)
    cards = [c for c in group_cards("Classical") if not a.datasets or c.name in a.datasets]
    ours, theirs = np.zeros((len(cards), 4)), np.zeros((len(cards), 4))
    start = time.perf_counter()
    for i, card in enumerate(cards):
        X, y = card.load()
        for j, m in enumerate(MULTIPLIERS):
            theirs[i, j] = official_run(X, y, a.seed, m, a.std, a.alg)
            exp = Experiment(dataset=card.name, group="Classical", seed=a.seed, method="nng_mix", multiplier=m,
                             method_params={"std": a.std}, detector=a.alg, device="cpu")
            ours[i, j] = run_experiment(exp)["auc_roc"]
        print(f"{card.name:<22}" + " ".join(f"{o:.3f}/{t:.3f}" for o, t in zip(ours[i], theirs[i])), flush=True)
    print(f"\n{a.alg}: {len(cards)} files, {time.perf_counter() - start:.0f} s; test AUC-ROC averages (nngmix / official)")
    print("multiplier   " + "".join(f"{m:>10}" for m in MULTIPLIERS))
    print("nngmix       " + "".join(f"{v:>10.4f}" for v in ours.mean(0)))
    print("official     " + "".join(f"{v:>10.4f}" for v in theirs.mean(0)))
    print("difference   " + "".join(f"{v:>+10.4f}" for v in ours.mean(0) - theirs.mean(0)))


if __name__ == "__main__":
    main()
