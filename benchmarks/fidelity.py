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
from math import ceil
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from nngmix.data import group_cards  # noqa: E402
from nngmix.experiment import Experiment, run_experiment  # noqa: E402
from nngmix.training import auc_scores  # noqa: E402

MULTIPLIERS = (0, 1, 5, 10)


def official_nngmix(A, U, n, k=10, k_a=10, alpha=0.2, beta=0.2, std=0.01):
    """NNG_Mix.py's loop on numpy's global generator (KD-trees, one sample at a time)."""
    from scipy import spatial

    d = A.shape[1]
    tree, tree2 = spatial.KDTree(U), spatial.KDTree(A)
    rows = []
    for _ in range(n):
        if np.random.uniform(0, 1) > 0.5:
            i = np.random.choice(A.shape[0], 1)
            _, ind = tree.query(A[i], k=k)
            j = np.random.choice(ind[0])
            lam = np.random.beta(alpha, beta)
            rows.append(lam * (np.random.normal(0, std, d) + A[i]) + (1 - lam) * (np.random.normal(0, std, d) + U[j]))
        else:
            i = np.random.choice(A.shape[0], 1)
            qk = min(max(k_a, 1), A.shape[0])
            _, ind = tree2.query(A[i], k=qk)
            ind = ind.reshape(1, -1)
            j = np.random.choice(ind[0]) if ind.shape[1] > 1 else ind[0]
            if ind.shape[1] > 1:
                while j == i:
                    j = np.random.choice(ind[0])
            lam = np.random.beta(alpha, beta)
            rows.append(lam * (np.random.normal(0, std, d) + A[i]) + (1 - lam) * (np.random.normal(0, std, d) + A[j]))
    return np.vstack(rows) if rows else np.empty((0, A.shape[1]))


def official_split(X, y, seed, la=0.1):
    """ADBench's DataGenerator.generator on numpy's global generator, leaving it where NNG_Mix.py goes on."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import MinMaxScaler

    np.random.seed(seed)
    if len(y) < 1000:
        idx = np.random.choice(np.arange(len(y)), 1000, replace=True)
        X, y = X[idx], y[idx]
    if len(y) > 10000:
        np.random.seed(seed)
        idx = np.random.choice(np.arange(len(y)), 10000, replace=False)
        X, y = X[idx], y[idx]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, shuffle=True, stratify=y)
    scaler = MinMaxScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    idx_anomaly = np.where(y_train == 1)[0]
    labeled = np.zeros(len(y_train), bool)
    labeled[np.random.choice(idx_anomaly, ceil(la * len(idx_anomaly)), replace=False)] = True
    return X_train[labeled], X_train[~labeled], X_test, y_test


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
