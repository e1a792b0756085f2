"""The official data protocol: ADBench's ``DataGenerator.generator`` plus NNG_Mix.py's ``--ratio`` step.

One ``numpy.random.RandomState(seed)`` is threaded through every draw in the order the official code
makes them on numpy's global generator, so the split is row-for-row the official one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

import numpy as np

from nngmix.data._validate import DataError, validate_xy

#: ADBench's bounds: smaller datasets are bootstrapped up, larger ones subsampled down.
N_SAMPLES_LOWER = 1000
N_SAMPLES_UPPER = 10000
TEST_SIZE = 0.3


class MinMaxScaler:
    """scikit-learn's ``MinMaxScaler()`` arithmetic, operation for operation (same floats), without importing
    scikit-learn: that import alone takes about 2 s, and the app's first page needs a split."""

    def fit(self, X: np.ndarray) -> "MinMaxScaler":
        self.data_min_ = np.nanmin(X, axis=0)
        self.data_max_ = np.nanmax(X, axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        scale = self.data_range_.copy()
        scale[scale < 10 * np.finfo(scale.dtype).eps] = 1.0  # constant features are left unscaled
        self.scale_ = 1.0 / scale
        self.min_ = 0.0 - self.data_min_ * self.scale_
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        X = np.array(X, dtype=np.float64)
        X *= self.scale_
        X += self.min_
        return X

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        return (np.asarray(X, dtype=np.float64) - self.min_) / self.scale_


def _approximate_mode(class_counts: np.ndarray, n_draws: int, rs: np.random.RandomState) -> np.ndarray:
    """scikit-learn's most likely class counts of a stratified draw, ties broken with ``rs`` as it does."""
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    if need_to_add > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need_to_add)
            floored[rs.choice(inds, size=add_now, replace=False)] += 1
            need_to_add -= add_now
            if need_to_add == 0:
                break
    return floored.astype(int)


def stratified_split(y: np.ndarray, test_size: float, rs: np.random.RandomState) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) row indices exactly as ``train_test_split(..., shuffle=True, stratify=y,
    random_state=rs)`` draws them (StratifiedShuffleSplit, one split); tests compare the two row for row."""
    n = len(y)
    n_test = ceil(test_size * n)
    n_train = n - n_test
    _, y_indices, class_counts = np.unique(y, return_inverse=True, return_counts=True)
    class_indices = np.split(np.argsort(y_indices, kind="stable"), np.cumsum(class_counts)[:-1])
    n_i = _approximate_mode(class_counts, n_train, rs)
    t_i = _approximate_mode(class_counts - n_i, n_test, rs)
    train, test = [], []
    for i in range(len(class_counts)):
        perm = class_indices[i].take(rs.permutation(class_counts[i]), mode="clip")
        train.extend(perm[: n_i[i]])
        test.extend(perm[n_i[i]: n_i[i] + t_i[i]])
    return rs.permutation(train), rs.permutation(test)


@dataclass(frozen=True)
class Split:
    """A training set (unlabeled rows, then the kept labeled anomalies — the official order) and a test set.

    Attributes
    ----------
    X_train : ndarray of shape (n_train, n_features)
    y_train : ndarray of shape (n_train,)
        1 for a labeled anomaly, 0 for an unlabeled row.
    hidden_anomaly : ndarray of shape (n_train,), bool
        True anomalies among the unlabeled rows (contamination). For display only: no method may use it.
    X_test, y_test : test rows and their true labels.
    scaler : the MinMaxScaler fitted on the training part.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    hidden_anomaly: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    scaler: MinMaxScaler = field(repr=False)
    seed: int = 0
    la: float = 0.1
    ratio: float = 1.0

    @property
    def labeled(self) -> np.ndarray:
        return self.y_train == 1

    @property
    def X_labeled(self) -> np.ndarray:
        return self.X_train[self.labeled]

    @property
    def X_unlabeled(self) -> np.ndarray:
        return self.X_train[~self.labeled]

    @property
    def counts(self) -> dict[str, int]:
        return {
            "unlabeled": int((~self.labeled).sum()),
            "hidden_anomalies": int(self.hidden_anomaly.sum()),
            "labeled_anomalies": int(self.labeled.sum()),
            "test": len(self.y_test),
            "test_anomalies": int(self.y_test.sum()),
        }


def _check_fraction(name, value, allow_int=False):
    rule = "a fraction in (0, 1] or a count ≥ 1" if allow_int else "a float in (0, 1]"
    if allow_int and isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        ok = value >= 1
    else:
        ok = isinstance(value, (float, np.floating)) and 0 < value <= 1
    if not ok:
        raise DataError(f"The '{name}' setting must be {rule}. Got {value!r} instead.")


def protocol_split(X, y, *, seed: int = 42, la: float | int = 0.1, ratio: float = 1.0,
                   duplicate: bool = True, subsample: bool = True, source: str = "data") -> Split:
    """Split a dataset as the official NNG-Mix code does (see PROTOCOL.md).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,), 1 = anomaly
    seed : int
        The official ``--seed`` (42 by default there).
    la : float in (0, 1] or int ≥ 1
        Share of the training anomalies that are labeled, "at least one labeled" (ceil); an int is a count.
    ratio : float in (0, 1]
        The official ``--ratio``: keep ``ceil(ratio × n_labeled)`` labeled anomalies; the rest leave
        the training set altogether.
    duplicate, subsample : bool
        ADBench's bootstrap up to 1000 rows and subsampling down to 10000 rows; turn off to split as is.
    """
    X, y = validate_xy(X, y, source)
    _check_fraction("la", la, allow_int=True)
    _check_fraction("ratio", ratio)
    rs = np.random.RandomState(seed)
    # ADBench re-seeds before each of these draws; a fresh RandomState(seed) is the same state.
    if duplicate and len(y) < N_SAMPLES_LOWER:
        idx = rs.choice(np.arange(len(y)), N_SAMPLES_LOWER, replace=True)
        X, y = X[idx], y[idx]
    if subsample and len(y) > N_SAMPLES_UPPER:
        idx = rs.choice(np.arange(len(y)), N_SAMPLES_UPPER, replace=False)
        X, y = X[idx], y[idx]
    if y.sum() < 2 or (len(y) - y.sum()) < 2:
        raise DataError(f"{source}: a stratified split needs at least 2 anomalies and 2 normals; "
                        f"this one has {int(y.sum())} anomalies and {int(len(y) - y.sum())} normals.")
    # ADBench's train_test_split takes numpy's global generator; ours is the same RandomState, passed on.
    train, test = stratified_split(y, TEST_SIZE, rs)
    X_tr, X_te, y_tr, y_te = X[train], X[test], y[train], y[test]
    scaler = MinMaxScaler().fit(X_tr)
    X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)

    idx_anomaly = np.flatnonzero(y_tr == 1)
    if isinstance(la, (int, np.integer)):
        if la > len(idx_anomaly):
            raise DataError(f"{source}: la={la} labeled anomalies asked for, but the training part has only "
                            f"{len(idx_anomaly)} anomalies.")
        n_labeled = int(la)
    else:
        n_labeled = ceil(la * len(idx_anomaly))
    idx_labeled = rs.choice(idx_anomaly, n_labeled, replace=False)
    labeled = np.zeros(len(y_tr), bool)
    labeled[idx_labeled] = True

    # NNG_Mix.py: unlabeled rows in training order, then the labeled ones in training order,
    # then (ratio < 1) a random subset of them, in the order drawn.
    X_unlabeled, X_labeled = X_tr[~labeled], X_tr[labeled]
    hidden = y_tr[~labeled] == 1
    if ratio != 1.0:
        keep = rs.choice(len(X_labeled), ceil(ratio * len(X_labeled)), replace=False)
        X_labeled = X_labeled[keep]
    X_train = np.vstack([X_unlabeled, X_labeled])
    y_train = np.r_[np.zeros(len(X_unlabeled), np.int64), np.ones(len(X_labeled), np.int64)]
    hidden_anomaly = np.r_[hidden, np.zeros(len(X_labeled), bool)]
    return Split(X_train, y_train, hidden_anomaly, X_te, y_te.astype(np.int64), scaler, seed, la, ratio)
