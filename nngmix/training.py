"""The epoch loop's vocabulary: callbacks with no-op hooks, a History of one dict per epoch, and
StopTraining — the exception that ends training cleanly (early stopping, a Stop button)."""

from __future__ import annotations

import json
import math
from typing import Iterable

import numpy as np


class StopTraining(Exception):
    """Raised by a callback to end training after the current epoch; the model stays usable."""


class Callback:
    """Hooks called by every detector's loop; override what you need."""

    def on_train_begin(self, detector) -> None:
        pass

    def on_epoch_end(self, record: dict) -> None:
        """``record``: phase, epoch, loss, auc_roc, auc_pr, seconds, device (JSON-able)."""

    def on_train_end(self, history: "History") -> None:
        pass


class History(list):
    """One JSON-able dict per epoch, in order."""

    def last(self, phase: str | None = None) -> dict | None:
        rows = [r for r in self if phase is None or r["phase"] == phase]
        return rows[-1] if rows else None

    def to_json(self) -> str:
        return json.dumps(list(self))


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs of a phase."""

    def __init__(self, monitor: str = "loss", patience: int = 10, min_delta: float = 0.0, phase: str = "train"):
        self.monitor, self.patience, self.min_delta, self.phase = monitor, patience, min_delta, phase
        self.best, self.wait = None, 0

    def on_epoch_end(self, record):
        if record["phase"] != self.phase or record.get(self.monitor) is None:
            return
        value = record[self.monitor] * (1 if self.monitor == "loss" else -1)
        if self.best is None or value < self.best - self.min_delta:
            self.best, self.wait = value, 0
        else:
            self.wait += 1
            if self.wait >= self.patience:
                raise StopTraining(f"{self.monitor} did not improve for {self.patience} epochs")


class CallbackList(Callback):
    def __init__(self, callbacks: Iterable[Callback] = ()):
        self.callbacks = list(callbacks)

    def on_train_begin(self, detector):
        for cb in self.callbacks:
            cb.on_train_begin(detector)

    def on_epoch_end(self, record):
        for cb in self.callbacks:
            cb.on_epoch_end(record)

    def on_train_end(self, history):
        for cb in self.callbacks:
            cb.on_train_end(history)


def auc_scores(y_true: np.ndarray, scores: np.ndarray) -> tuple[float | None, float | None]:
    """(AUC-ROC, AUC-PR) as the official utils compute them — scikit-learn's ``roc_auc_score`` and
    ``average_precision_score`` — in plain numpy: they run after every epoch, and scikit-learn's input checks
    cost ~20 ms a call here, more than an epoch. None when undefined (one class, NaN scores).

    Tested against scikit-learn on inputs with ties.
    """
    y_true = np.asarray(y_true).astype(bool)
    scores = np.asarray(scores, dtype=np.float64)
    n_pos = int(y_true.sum())
    n_neg = len(y_true) - n_pos
    if n_pos == 0 or n_neg == 0 or not np.isfinite(scores).all():
        return None, None
    order = np.argsort(-scores, kind="mergesort")
    s, y = scores[order], y_true[order]
    # one point per distinct score (ties move together), as scikit-learn's curves do
    last_of_group = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tp = np.cumsum(y)[last_of_group]
    fp = (last_of_group + 1) - tp
    tpr = np.r_[0, tp] / n_pos
    fpr = np.r_[0, fp] / n_neg
    auc_roc = float(np.trapezoid(tpr, fpr))
    precision = tp / (tp + fp)
    recall = tp / n_pos
    auc_pr = float(np.sum(np.diff(np.r_[0, recall]) * precision))
    return auc_roc, auc_pr


def clean(value):
    """JSON-safe float (NaN/inf → None)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None
