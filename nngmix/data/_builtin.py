"""Built-in datasets made offline: real ones from data shipped inside scikit-learn, and ADBench-style
synthetic ones (local, global, cluster and dependency anomalies, Han et al. 2022, §3.3)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

# Fixed seed: a built-in dataset is the same file on every machine, like an ADBench .npz.
_SEED = 20231120


def _downsample_anomalies(X, y, n_anomalies, rng):
    keep = np.flatnonzero(y == 0)
    anomalies = rng.choice(np.flatnonzero(y == 1), n_anomalies, replace=False)
    idx = np.sort(np.concatenate([keep, anomalies]))
    return X[idx], y[idx]


def _breast_cancer():
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    y = (data.target == 0).astype(np.int64)  # scikit-learn codes malignant as 0
    return _downsample_anomalies(data.data, y, 19, np.random.default_rng(_SEED))  # 357 benign + 5 %


def _wine():
    from sklearn.datasets import load_wine

    data = load_wine()
    y = (data.target == 0).astype(np.int64)  # cultivar 0 is the rare class, as in ADBench's wine
    return _downsample_anomalies(data.data, y, 10, np.random.default_rng(_SEED))


def _digits():
    from sklearn.datasets import load_digits

    data = load_digits()
    y = (data.target == 0).astype(np.int64)  # digit 0 is the anomaly class among 1–9
    return _downsample_anomalies(data.data, y, 50, np.random.default_rng(_SEED))


def _gaussian_mixture(rng, n, n_features, n_components=3, mean_scale=1.0, cov_scale=1.0):
    means = rng.normal(0, 3, size=(n_components, n_features))
    scales = rng.uniform(0.5, 1.0, size=(n_components, n_features))
    def sample(m, mean_factor=1.0, cov_factor=1.0):
        comp = rng.integers(n_components, size=m)
        return means[comp] * mean_factor + rng.normal(size=(m, n_features)) * scales[comp] * np.sqrt(cov_factor)
    return sample(n, mean_scale, cov_scale), sample


def _synthetic(kind: str, n_features: int = 8, n_normal: int = 1900, n_anomalies: int = 100, alpha: float = 5.0):
    rng = np.random.default_rng([_SEED, ("local", "global", "cluster", "dependency").index(kind)])
    if kind == "dependency":
        # Normals: features tied by non-linear dependencies; anomalies: the same marginals, independent.
        latent = rng.normal(size=(n_normal + n_anomalies, 2))
        cols = []
        for j in range(n_features):
            w = rng.normal(size=2)
            cols.append(np.tanh(latent @ w) + 0.3 * np.sin(3 * latent[:, j % 2]) + 0.05 * rng.normal(size=len(latent)))
        full = np.column_stack(cols)
        normal = full[:n_normal]
        anomalies = np.column_stack([rng.choice(full[:, j], n_anomalies) for j in range(n_features)])
    else:
        normal, sample = _gaussian_mixture(rng, n_normal, n_features)
        if kind == "local":  # same components, covariance inflated by alpha
            anomalies = sample(n_anomalies, cov_factor=alpha)
        elif kind == "cluster":  # components moved away by alpha
            anomalies = sample(n_anomalies, mean_factor=alpha)
        elif kind == "global":  # uniform over a box 10 % wider than the normals
            low, high = normal.min(axis=0) * 1.1, normal.max(axis=0) * 1.1
            anomalies = rng.uniform(low, high, size=(n_anomalies, n_features))
        else:  # pragma: no cover - names come from BUILTINS
            raise ValueError(kind)
    X = np.vstack([normal, anomalies])
    y = np.r_[np.zeros(n_normal, np.int64), np.ones(n_anomalies, np.int64)]
    order = rng.permutation(len(y))
    return X[order], y[order]


def _toy_2d():
    """Two Gaussian blobs of normals with a sparse ring of anomalies: the Learn page's playground."""
    rng = np.random.default_rng(_SEED)
    normal = np.vstack([rng.normal([-2, 0], 0.6, size=(300, 2)), rng.normal([2, 0.5], 0.8, size=(300, 2))])
    angle = rng.uniform(0, 2 * np.pi, 30)
    anomalies = np.column_stack([4.5 * np.cos(angle), 3.5 * np.sin(angle)]) + rng.normal(0, 0.3, size=(30, 2))
    return np.vstack([normal, anomalies]), np.r_[np.zeros(600, np.int64), np.ones(30, np.int64)]


@dataclass(frozen=True)
class BuiltinDataset:
    name: str
    description: str
    make: Callable[[], tuple[np.ndarray, np.ndarray]]


BUILTINS: dict[str, BuiltinDataset] = {
    d.name: d
    for d in [
        BuiltinDataset("breast_cancer", "Wisconsin breast cancer (scikit-learn): malignant cases down-sampled to 5 %.", _breast_cancer),
        BuiltinDataset("wine", "Wine (scikit-learn): 10 bottles of cultivar 0 among cultivars 1 and 2.", _wine),
        BuiltinDataset("digits", "8×8 digits (scikit-learn): 50 zeros among the digits 1–9.", _digits),
        BuiltinDataset("synthetic_local", "Gaussian mixture; anomalies from the same mixture with 5× covariance.", lambda: _synthetic("local")),
        BuiltinDataset("synthetic_global", "Gaussian mixture; anomalies uniform over a 10 % wider box.", lambda: _synthetic("global")),
        BuiltinDataset("synthetic_cluster", "Gaussian mixture; anomalies from components moved 5× away.", lambda: _synthetic("cluster")),
        BuiltinDataset("synthetic_dependency", "Dependent features; anomalies with the same marginals, independent.", lambda: _synthetic("dependency")),
        BuiltinDataset("toy_2d", "Two 2-D blobs with a ring of anomalies, for teaching.", _toy_2d),
    ]
}

#: The app's default dataset: needs no file and no network.
DEFAULT_DATASET = "breast_cancer"


@lru_cache(maxsize=None)
def _cached(name: str) -> tuple[np.ndarray, np.ndarray]:
    # Made once per machine and kept as an .npz: the scikit-learn ones would otherwise import scikit-learn
    # (about 2 s) on every start of the app.
    from nngmix import __version__, _config

    path = _config.cache_dir("builtin") / f"{name}-{__version__}.npz"
    try:
        with np.load(path, allow_pickle=False) as data:
            X, y = data["X"], data["y"]
    except (OSError, KeyError, ValueError):
        import io

        X, y = BUILTINS[name].make()
        buf = io.BytesIO()
        np.savez(buf, X=X, y=y)
        _config.atomic_write(path, buf.getvalue())
    X = np.ascontiguousarray(X, dtype=np.float64)
    X.setflags(write=False)
    y = np.asarray(y, dtype=np.int64)
    y.setflags(write=False)
    return X, y


def load_builtin(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of a built-in dataset; arrays are read-only and shared (copy before changing them)."""
    if name not in BUILTINS:
        raise KeyError(f"Unknown built-in dataset {name!r}; choose one of {', '.join(BUILTINS)}.")
    return _cached(name)
