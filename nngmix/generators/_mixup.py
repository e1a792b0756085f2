"""Mixup baseline (Zhang et al. 2018) as NNG_Mix.py's ``--method mixup`` runs it."""

from __future__ import annotations

from numbers import Real

import numpy as np

from nngmix._params import BOOL, Interval
from nngmix.generators._base import MixingGenerator, Provenance


class Mixup(MixingGenerator):
    """Mix a labeled anomaly with a row drawn uniformly from all training rows (or, with ``anomaly_only``,
    from the other labeled anomalies); λ ~ Beta(alpha, beta) or U(0, 1)."""

    method = "mixup"
    title = "Mixup"
    _parameter_constraints = {
        "alpha": Interval(Real, 0, None, "neither"),
        "beta": Interval(Real, 0, None, "neither"),
        "anomaly_only": BOOL,
        "uniform_lambda": BOOL,
    }

    def __init__(self, *, n_samples: int = 0, alpha: float = 0.2, beta: float = 0.2, anomaly_only: bool = False,
                 uniform_lambda: bool = False, device: str = "auto", random_state=None):
        super().__init__(n_samples=n_samples, device=device, random_state=random_state)
        self.alpha = alpha
        self.beta = beta
        self.anomaly_only = anomaly_only
        self.uniform_lambda = uniform_lambda

    def _generate(self, X, labeled, unlabeled, rng):
        n, n_a = self.n_samples, len(labeled)
        anchor_pos = rng.integers(n_a, size=n)
        lam = rng.random(n) if self.uniform_lambda else rng.beta(self.alpha, self.beta, size=n)
        if self.anomaly_only:
            partner = labeled[self._draw_other(rng, n_a, anchor_pos)]
            weight = 1.0 - lam  # quirk kept: the official anomaly-only mixup weights the partner by λ
            branch = "anomaly"
        else:
            # The official pool is [A; U] with the anchor at its own position: skip exactly that row.
            pool = np.r_[labeled, unlabeled]
            partner = pool[self._draw_other(rng, len(pool), anchor_pos)] if n_a > 1 else pool[rng.integers(len(pool), size=n)]
            weight = lam
            branch = "all"
        anchor = labeled[anchor_pos]
        X_new = self._backend(X, rng).mix(anchor, partner, weight, None)
        prov = Provenance(self.method, anchor, partner, np.full(n, branch), weight, np.zeros(n))
        prov.identical = partner == anchor
        return X_new, prov
