"""The official code's algorithms, as NNG_Mix.py and ADBench run them, for the benchmarks to compare with."""

from __future__ import annotations

from math import ceil

import numpy as np


def official_nngmix(A, U, n, k=10, k_a=10, alpha=0.2, beta=0.2, std=0.01, rs=np.random):
    """NNG_Mix.py's loop (KD-trees, one sample at a time) on ``rs``: numpy's global generator by default, as
    the official script runs it, or a RandomState."""
    from scipy import spatial

    d = A.shape[1]
    tree, tree2 = spatial.KDTree(U), spatial.KDTree(A)
    rows = []
    for _ in range(n):
        if rs.uniform(0, 1) > 0.5:
            i = rs.choice(A.shape[0], 1)
            _, ind = tree.query(A[i], k=k)
            j = rs.choice(ind[0])
            lam = rs.beta(alpha, beta)
            rows.append(lam * (rs.normal(0, std, d) + A[i]) + (1 - lam) * (rs.normal(0, std, d) + U[j]))
        else:
            i = rs.choice(A.shape[0], 1)
            qk = min(max(k_a, 1), A.shape[0])
            _, ind = tree2.query(A[i], k=qk)
            ind = ind.reshape(1, -1)
            j = rs.choice(ind[0]) if ind.shape[1] > 1 else ind[0]
            if ind.shape[1] > 1:
                while j == i:
                    j = rs.choice(ind[0])
            lam = rs.beta(alpha, beta)
            rows.append(lam * (rs.normal(0, std, d) + A[i]) + (1 - lam) * (rs.normal(0, std, d) + A[j]))
    return np.vstack(rows) if rows else np.empty((0, A.shape[1]))


def official_split(X, y, seed, la=0.1, ratio=1.0):
    """ADBench's DataGenerator.generator and NNG_Mix.py's --ratio draw, on numpy's global generator (left where
    NNG_Mix.py goes on). Returns (labeled anomalies, unlabeled rows, X_test, y_test)."""
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
    anomalies = X_train[labeled]
    if ratio != 1.0:
        anomalies = anomalies[np.random.choice(len(anomalies), ceil(ratio * len(anomalies)), replace=False)]
    return anomalies, X_train[~labeled], X_test, y_test
