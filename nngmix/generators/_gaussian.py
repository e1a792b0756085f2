"""Gaussian-noise baseline: a labeled anomaly plus N(0, std²I) (the official ``--gaussian_var`` is a std)."""

from __future__ import annotations

from numbers import Real

import numpy as np

from nngmix._params import Interval
from nngmix.generators._base import MixingGenerator, Provenance


class GaussianNoise(MixingGenerator):
    method = "gaussian_noise"
    title = "Gaussian noise"
    _parameter_constraints = {"std": Interval(Real, 0, None, "left", "noise standard deviation")}

    def __init__(self, *, n_samples: int = 0, std: float = 1.0, device: str = "auto", random_state=None):
        super().__init__(n_samples=n_samples, device=device, random_state=random_state)
        self.std = std

    def _generate(self, X, labeled, unlabeled, rng):
        n = self.n_samples
        anchor = labeled[rng.integers(len(labeled), size=n)]
        noise_std = np.full(n, float(self.std))
        X_new = self._backend(X, rng).mix(anchor, None, None, noise_std)
        prov = Provenance(self.method, anchor, np.full(n, -1), np.full(n, "noise"), np.full(n, np.nan), noise_std)
        prov.identical = np.full(n, self.std == 0)
        return X_new, prov
