"""SMOTE baseline through imbalanced-learn (optional dependency): interpolation between labeled anomalies."""

from __future__ import annotations

from numbers import Integral

import numpy as np

from nngmix._params import Interval
from nngmix.generators._base import BaseGenerator, Provenance, warn


class SMOTEBaseline(BaseGenerator):
    """SMOTE (Chawla et al. 2002) on the labeled anomalies, the unlabeled rows as the majority class.

    imbalanced-learn does not report the parents of its rows; the provenance records the nearest labeled
    anomaly as the anchor and leaves the partner unknown (-1).
    """

    method = "smote"
    title = "SMOTE"
    _parameter_constraints = {"k": Interval(Integral, 1, None, "left", "neighbours among labeled anomalies")}

    def __init__(self, *, n_samples: int = 0, k: int = 5, random_state=None):
        super().__init__(n_samples=n_samples, random_state=random_state)
        self.k = k

    def _generate(self, X, labeled, unlabeled, rng):
        try:
            from imblearn.over_sampling import SMOTE
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("The SMOTE baseline needs imbalanced-learn: pip install imbalanced-learn") from None
        from nngmix.generators._backend import knn_numpy

        n_a = len(labeled)
        if n_a < 2:
            raise ValueError("SMOTEBaseline: SMOTE interpolates between labeled anomalies and needs at least 2; got 1.")
        k = min(self.k, n_a - 1)
        if k < self.k:
            warn(f"SMOTEBaseline: k={self.k} is larger than the {n_a - 1} other labeled anomalies; using k={k}.")
        y = np.zeros(len(X), np.int64)
        y[labeled] = 1
        seed = int(rng.integers(2**31 - 1))
        smote = SMOTE(sampling_strategy={1: n_a + self.n_samples}, k_neighbors=k, random_state=seed)
        X_res, _ = smote.fit_resample(X, y)
        X_new = X_res[len(X):]
        anchor = labeled[knn_numpy(X_new, X[labeled], 1)[:, 0]]
        n = len(X_new)
        prov = Provenance(self.method, anchor, np.full(n, -1), np.full(n, "anomaly"), np.full(n, np.nan), np.zeros(n))
        return X_new, prov
