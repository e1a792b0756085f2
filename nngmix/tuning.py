"""Automatic tuning of NNG-Mix's k, k_anomaly, σ and α for one dataset, on the training data only.

Validation: a share of the labeled anomalies and of the unlabeled rows is held out of the training split
(labels as the training data gives them: held-out labeled anomalies 1, held-out unlabeled rows 0). The test
set is never looked at during the search; it only scores the default and the tuned settings at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nngmix.data import protocol_split
from nngmix.detectors import DETECTORS
from nngmix.generators import NNGMix
from nngmix.training import auc_scores

#: The search space: (low, high, log scale).
SPACE = {"k": (1, 50, True), "k_anomaly": (1, 50, True), "std": (1e-3, 1.0, True), "alpha": (0.05, 5.0, True)}


@dataclass
class TuningResult:
    best_params: dict
    validation_auc: float
    default_test_auc: float
    tuned_test_auc: float
    n_trials: int

    def summary(self) -> str:
        params = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in self.best_params.items())
        return (f"tuned ({params}): validation AUC-ROC {self.validation_auc:.4f}\n"
                f"test AUC-ROC  default {self.default_test_auc:.4f}  tuned {self.tuned_test_auc:.4f}  "
                f"({self.tuned_test_auc - self.default_test_auc:+.4f})")


def _fit_score(X, y, X_eval, y_eval, params, multiplier, detector, seed, detector_params):
    n = int(multiplier * y.sum())
    X_res, y_res = NNGMix(n_samples=n, random_state=seed, **params).fit_resample(X, y) if n else (X, y)
    model = DETECTORS[detector](seed=seed, device="cpu", **detector_params).fit(X_res, y_res)
    return auc_scores(y_eval, model.decision_function(X_eval))[0]


def validation_split(split, share: float, seed: int):
    """(X_fit, y_fit, X_val, y_val) from the training split alone."""
    rng = np.random.default_rng(seed)
    labeled, unlabeled = np.flatnonzero(split.y_train == 1), np.flatnonzero(split.y_train == 0)
    if len(labeled) < 2:
        raise ValueError(f"Tuning holds out labeled anomalies for validation and needs at least 2; this split has "
                         f"{len(labeled)}. Use a larger labeled ratio (--ratio 1.0) or another dataset.")
    hold = np.r_[rng.choice(labeled, max(1, round(share * len(labeled))), replace=False),
                 rng.choice(unlabeled, max(1, round(share * len(unlabeled))), replace=False)]
    keep = np.setdiff1d(np.arange(len(split.y_train)), hold)
    return split.X_train[keep], split.y_train[keep], split.X_train[hold], split.y_train[hold]


def tune_nngmix(X, y, *, seed: int = 0, ratio: float = 1.0, detector: str = "MLP", n_trials: int = 20,
                multiplier: float = 5, val_share: float = 0.3, detector_params: dict | None = None,
                callback=None) -> TuningResult:
    """Search NNG-Mix's settings with Optuna's TPE sampler; compare default and tuned on the test set."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    detector_params = detector_params or {}
    split = protocol_split(X, y, seed=seed, ratio=ratio)
    X_fit, y_fit, X_val, y_val = validation_split(split, val_share, seed)

    def objective(trial):
        params = {name: (trial.suggest_float if isinstance(lo, float) else trial.suggest_int)(name, lo, hi, log=log)
                  for name, (lo, hi, log) in SPACE.items()}
        params["beta"] = params["alpha"]
        return _fit_score(X_fit, y_fit, X_val, y_val, params, multiplier, detector, seed, detector_params)

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=n_trials, callbacks=[callback] if callback else None)
    best = {**study.best_params, "beta": study.best_params["alpha"]}
    default = {k: v for k, v in NNGMix.defaults().items() if k in ("k", "k_anomaly", "std", "alpha", "beta")}
    score = lambda p: _fit_score(split.X_train, split.y_train, split.X_test, split.y_test, p, multiplier,  # noqa: E731
                                 detector, seed, detector_params)
    return TuningResult(best, float(study.best_value), score(default), score(best), n_trials)
