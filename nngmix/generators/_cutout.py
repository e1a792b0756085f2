"""Cutout and CutMix baselines: a random window of features is zeroed (Cutout) or pasted from a
partner (CutMix), with the official window rule — including its empty windows (see PROTOCOL.md)."""

from __future__ import annotations

from numbers import Real

import numpy as np

from nngmix._params import BOOL, Interval
from nngmix.generators._base import BaseGenerator, Provenance

_CONSTRAINTS = {
    "low": Interval(Real, 0, 1, "both", "smallest window, as a share of the features"),
    "high": Interval(Real, 0, 1, "both", "largest window, as a share of the features"),
    "anomaly_only": BOOL,
}


def official_windows(rng, n: int, n_features: int, low: float, high: float) -> np.ndarray:
    """The official windows [x1, x2): L = max(1, int(r·d)), r ~ U(low, high), centre c uniform in [0, d),
    x1 = clip(c − L//2), x2 = clip(c + L//2). When L//2 = 0 the window is empty."""
    ratio = rng.uniform(low, high, size=n)
    length = np.maximum(1, (ratio * n_features).astype(np.int64))
    centre = rng.integers(n_features, size=n)
    return np.column_stack([np.clip(centre - length // 2, 0, n_features), np.clip(centre + length // 2, 0, n_features)])


class _WindowGenerator(BaseGenerator):
    _parameter_constraints = _CONSTRAINTS

    def __init__(self, *, n_samples: int = 0, low: float = 0.1, high: float = 0.3, anomaly_only: bool = False,
                 random_state=None):
        super().__init__(n_samples=n_samples, random_state=random_state)
        self.low = low
        self.high = high
        self.anomaly_only = anomaly_only

    def _check_range(self):
        if self.low > self.high:
            from nngmix._params import ParameterError

            raise ParameterError(f"The 'low' parameter of {type(self).__name__} must not exceed 'high'. "
                                 f"Got low={self.low}, high={self.high}.")


class Cutout(_WindowGenerator):
    """Zero a random window of features of a row drawn from all training rows (or from the labeled anomalies
    with ``anomaly_only``): an unlabeled source row becomes a labeled pseudo-anomaly."""

    method = "cutout"
    title = "Cutout"

    def _generate(self, X, labeled, unlabeled, rng):
        self._check_range()
        n, d = self.n_samples, X.shape[1]
        pool = labeled if self.anomaly_only else np.r_[labeled, unlabeled]
        windows = official_windows(rng, n, d, self.low, self.high)
        source = pool[rng.integers(len(pool), size=n)]
        cols = np.arange(d)
        inside = (cols >= windows[:, :1]) & (cols < windows[:, 1:])
        X_new = np.where(inside, 0.0, X[source])
        branch = np.where(np.isin(source, labeled), "anomaly", "unlabeled")
        prov = Provenance(self.method, source, np.full(n, -1), branch, np.full(n, np.nan), np.zeros(n), windows)
        prov.identical = (X_new == X[source]).all(axis=1)
        return X_new, prov


class CutMix(_WindowGenerator):
    """Paste a random window of a partner's features (from all training rows, or the other labeled
    anomalies with ``anomaly_only``) into a labeled anomaly, at a random offset."""

    method = "cutmix"
    title = "CutMix"

    def _generate(self, X, labeled, unlabeled, rng):
        self._check_range()
        n, d, n_a = self.n_samples, X.shape[1], len(labeled)
        windows = official_windows(rng, n, d, self.low, self.high)
        anchor_pos = rng.integers(n_a, size=n)
        pool = labeled if self.anomaly_only else np.r_[labeled, unlabeled]
        partner = pool[self._draw_other(rng, len(pool), anchor_pos)] if n_a > 1 else pool[rng.integers(len(pool), size=n)]
        width = windows[:, 1] - windows[:, 0]
        offset = (rng.random(n) * (d - width)).astype(np.int64)  # official: choice(d − width)
        cols = np.arange(d)
        inside = (cols >= offset[:, None]) & (cols < (offset + width)[:, None])
        src_col = np.clip(cols - offset[:, None] + windows[:, :1], 0, d - 1)
        anchor = labeled[anchor_pos]
        X_new = np.where(inside, X[partner[:, None], src_col], X[anchor])
        branch = np.where(np.isin(partner, labeled), "anomaly", "unlabeled")
        prov = Provenance(self.method, anchor, partner, branch, np.full(n, np.nan), np.zeros(n), windows)
        prov.identical = (X_new == X[anchor]).all(axis=1)
        return X_new, prov
