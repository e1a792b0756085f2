"""NNG-Mix (Dong et al. 2023): mix a labeled anomaly with one of its nearest unlabeled rows or nearest
labeled anomalies, with Gaussian noise on both parents.

Vectorised, with the official per-sample algorithm's distribution:

- anchors, branches (unlabeled with probability ½) and λ are drawn for all samples at once;
- neighbours are searched once per distinct anchor, not once per sample;
- λ(a + ε₁) + (1 − λ)(b + ε₂) with ε ~ N(0, σ²I) equals λa + (1 − λ)b + ε with
  ε ~ N(0, (λ² + (1 − λ)²)σ²I) in distribution, so one noise draw per row is enough.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

from nngmix._params import BOOL, Interval
from nngmix.generators._base import MixingGenerator, Provenance, warn


class NNGMix(MixingGenerator):
    """Nearest Neighbor Gaussian Mixup.

    Parameters
    ----------
    n_samples : int
        Pseudo-anomalies to generate.
    k : int
        Neighbours among the unlabeled rows (official ``--nn_k``).
    k_anomaly : int
        Neighbours among the labeled anomalies, the anchor included (``--nn_k_anomaly``).
    alpha, beta : float
        λ ~ Beta(alpha, beta) (``--mixup_alpha``, ``--mixup_beta``).
    std : float
        Standard deviation of the Gaussian noise on both parents (``--nn_mix_gaussian_std``).
    gaussian : bool
        Add the noise (``--nn_mix_gaussian``).
    uniform_lambda : bool
        λ ~ U(0, 1) instead (``--use_uniform``).
    adaptive_k, adaptive_k_factor : bool, int
        k = |A| × factor (``--adjust_nn_k``, ``--adjust_nn_k_n``).
    adaptive_k_anomaly, adaptive_k_anomaly_factor : bool, float
        k_anomaly = int(|A| × factor) (``--adjust_nn_k_anomaly``, ``--adjust_nn_k_n_anomaly``).
    device : {"auto", "cpu", "cuda", "cuda:N"}
        Where neighbour search and mixing run; "auto" takes CUDA when present.
    random_state : int, numpy.random.Generator or None
    """

    method = "nng_mix"
    title = "NNG-Mix"
    _parameter_constraints = {
        "k": Interval(Integral, 1, None, "left", "unlabeled neighbours"),
        "k_anomaly": Interval(Integral, 1, None, "left", "labeled-anomaly neighbours"),
        "alpha": Interval(Real, 0, None, "neither", "Beta α"),
        "beta": Interval(Real, 0, None, "neither", "Beta β"),
        "std": Interval(Real, 0, None, "left", "noise standard deviation"),
        "gaussian": BOOL,
        "uniform_lambda": BOOL,
        "adaptive_k": BOOL,
        "adaptive_k_factor": Interval(Integral, 1, None, "left"),
        "adaptive_k_anomaly": BOOL,
        "adaptive_k_anomaly_factor": Interval(Real, 0, None, "neither"),
    }

    def __init__(self, *, n_samples: int = 0, k: int = 10, k_anomaly: int = 10, alpha: float = 0.2,
                 beta: float = 0.2, std: float = 0.01, gaussian: bool = True, uniform_lambda: bool = False,
                 adaptive_k: bool = False, adaptive_k_factor: int = 2, adaptive_k_anomaly: bool = False,
                 adaptive_k_anomaly_factor: float = 0.3, device: str = "auto", random_state=None):
        super().__init__(n_samples=n_samples, device=device, random_state=random_state)
        self.k = k
        self.k_anomaly = k_anomaly
        self.alpha = alpha
        self.beta = beta
        self.std = std
        self.gaussian = gaussian
        self.uniform_lambda = uniform_lambda
        self.adaptive_k = adaptive_k
        self.adaptive_k_factor = adaptive_k_factor
        self.adaptive_k_anomaly = adaptive_k_anomaly
        self.adaptive_k_anomaly_factor = adaptive_k_anomaly_factor

    def effective_k(self, n_labeled: int, n_unlabeled: int) -> tuple[int, int]:
        """(k, k_anomaly) as used for a training set of this size, with the official adjustments."""
        k = n_labeled * self.adaptive_k_factor if self.adaptive_k else self.k
        k = min(k, n_unlabeled)
        k_a = int(n_labeled * self.adaptive_k_anomaly_factor) if self.adaptive_k_anomaly else self.k_anomaly
        return k, min(max(k_a, 1), n_labeled)

    def _generate(self, X, labeled, unlabeled, rng):
        n, n_a = self.n_samples, len(labeled)
        if len(unlabeled) == 0:
            raise ValueError("NNGMix: y marks no unlabeled row (no 0); the unlabeled branch needs neighbours.")
        k, k_a = self.effective_k(n_a, len(unlabeled))
        asked_k = n_a * self.adaptive_k_factor if self.adaptive_k else self.k
        if asked_k > k:
            warn(f"NNGMix: k={asked_k} is larger than the {len(unlabeled)} unlabeled rows; using k={k}.")
        if n_a == 1:
            warn("NNGMix: only 1 labeled anomaly; the anomaly–anomaly branch will mix it with itself.")
        backend = self._backend(X, rng)

        anchor_pos = rng.integers(n_a, size=n)
        to_unlabeled = rng.random(n) > 0.5  # the official test: uniform(0, 1) > 0.5
        lam = rng.random(n) if self.uniform_lambda else rng.beta(self.alpha, self.beta, size=n)
        partner = np.empty(n, np.int64)

        # Neighbour tables cover every labeled anomaly: one search per anchor, reused across calls.
        rows = np.flatnonzero(to_unlabeled)
        if len(rows):
            table = self.neighbour_table(backend, X, labeled, unlabeled, k)
            partner[rows] = unlabeled[table[anchor_pos[rows], rng.integers(k, size=len(rows))]]

        rows = np.flatnonzero(~to_unlabeled)
        if len(rows):
            table = self.neighbour_table(backend, X, labeled, labeled, k_a)
            if k_a > 1:
                # Redraw until the partner is not the anchor = uniform over the list without the anchor.
                # The anchor goes to the end of its list (if there: exact duplicates can push it out).
                is_self = table == np.arange(n_a)[:, None]
                table = np.take_along_axis(table, np.argsort(is_self, axis=1, kind="stable"), axis=1)
                n_choices = k_a - is_self.any(axis=1)
                pick = (rng.random(len(rows)) * n_choices[anchor_pos[rows]]).astype(np.int64)
            else:
                pick = np.zeros(len(rows), np.int64)
            partner[rows] = labeled[table[anchor_pos[rows], pick]]

        # Quirk kept: without noise the official anomaly branch weights the *partner* by λ.
        weight = np.where(~to_unlabeled & (not self.gaussian), 1.0 - lam, lam)
        noise_std = self.std * np.sqrt(weight ** 2 + (1 - weight) ** 2) if self.gaussian else None
        anchor = labeled[anchor_pos]
        X_new = backend.mix(anchor, partner, weight, noise_std)
        prov = Provenance(
            self.method, anchor, partner, np.where(to_unlabeled, "unlabeled", "anomaly"), weight,
            noise_std if noise_std is not None else np.zeros(n),
        )
        prov.identical = (partner == anchor) & (noise_std is None)
        prov.notes.append(f"k={k}, k_anomaly={k_a}")
        return X_new, prov
