"""The generator contract: one public verb, ``fit_resample``, validated once here; each method writes
``_generate``. Every generator also returns the provenance of each row it made."""

from __future__ import annotations

import hashlib
import inspect
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from numbers import Integral
from typing import ClassVar

import numpy as np

from nngmix._params import Interval, ParameterError, validate_params
from nngmix.data._validate import DataError, validate_xy
from nngmix.generators._backend import TorchBackend, knn_numpy, mix_numpy, resolve_backend


class GeneratorWarning(UserWarning):
    """A setting was adjusted as the official code adjusts it (k capped to its pool, one labeled anomaly…)."""


@dataclass
class Provenance:
    """Where each generated row came from; indices refer to rows of the ``X`` passed to ``fit_resample``.

    Attributes
    ----------
    method : str
    anchor : ndarray of shape (n_generated,), int
        The labeled anomaly (or, for Cutout, the source row) a row was made from; -1 if none.
    partner : ndarray of shape (n_generated,), int
        The second parent, -1 if none.
    branch : ndarray of shape (n_generated,), str
        Which rule made the row, e.g. NNG-Mix's ``"unlabeled"`` or ``"anomaly"`` neighbour branch.
    lam : ndarray of shape (n_generated,), float
        Weight of the anchor in the mix (NaN where nothing was mixed).
    noise_std : ndarray of shape (n_generated,), float
        Standard deviation of the Gaussian noise the row carries (0 where none).
    window : ndarray of shape (n_generated, 2), int
        Cutout/CutMix feature window [start, stop) taken from the source; (-1, -1) elsewhere.
    identical : ndarray of shape (n_generated,), bool
        The row equals its anchor exactly (an empty Cutout window, say).
    """

    method: str
    anchor: np.ndarray
    partner: np.ndarray
    branch: np.ndarray
    lam: np.ndarray
    noise_std: np.ndarray
    window: np.ndarray = None
    identical: np.ndarray = None
    notes: list[str] = field(default_factory=list)

    def __post_init__(self):
        n = len(self.anchor)
        if self.window is None:
            self.window = np.full((n, 2), -1, np.int64)
        if self.identical is None:
            self.identical = np.zeros(n, bool)

    def __len__(self) -> int:
        return len(self.anchor)

    @property
    def identical_share(self) -> float:
        """Share of generated rows identical to their source (Cutout/CutMix with an empty window)."""
        return float(self.identical.mean()) if len(self) else 0.0

    def branch_shares(self) -> dict[str, float]:
        names, counts = np.unique(self.branch, return_counts=True)
        return {str(n): float(c) / len(self) for n, c in zip(names, counts)}

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame({
            "anchor": self.anchor, "partner": self.partner, "branch": self.branch, "lam": self.lam,
            "noise_std": self.noise_std, "window_start": self.window[:, 0], "window_stop": self.window[:, 1],
            "identical": self.identical,
        })

    @classmethod
    def empty(cls, method: str) -> "Provenance":
        i = np.empty(0, np.int64)
        f = np.empty(0, np.float64)
        return cls(method, i, i.copy(), np.empty(0, "<U1"), f, f.copy())


class BaseGenerator:
    """Base class of every pseudo-anomaly generator.

    ``fit_resample(X, y)`` takes the training set — ``y = 1`` marks labeled anomalies, ``0`` unlabeled
    rows — and returns it with ``n_samples`` pseudo-anomalies appended (labeled 1). ``provenance_``
    then describes each appended row. Constructors only store their keyword arguments.
    """

    #: Short name, as the official ``--method`` flag spells it.
    method: ClassVar[str] = ""
    #: Human name for tables and the app.
    title: ClassVar[str] = ""
    _parameter_constraints: ClassVar[dict] = {
        "n_samples": Interval(Integral, 0, None, "left", "pseudo-anomalies to generate"),
    }

    def __init__(self, *, n_samples: int = 0, random_state=None):
        self.n_samples = n_samples
        self.random_state = random_state

    # -- parameters -------------------------------------------------------------------------
    @classmethod
    def _param_names(cls) -> list[str]:
        names = []
        for klass in cls.__mro__:
            if issubclass(klass, BaseGenerator) and "__init__" in vars(klass):
                params = inspect.signature(klass.__init__).parameters.values()
                names += [p.name for p in params if p.kind is p.KEYWORD_ONLY and p.name not in names]
        return names

    def get_params(self) -> dict:
        return {name: getattr(self, name) for name in self._param_names()}

    @classmethod
    def defaults(cls) -> dict:
        """Default values of the method's own parameters: the one source the CLI and the app read."""
        sig = inspect.signature(cls.__init__)
        skip = ("n_samples", "random_state", "device")
        return {n: p.default for n, p in sig.parameters.items() if p.kind is p.KEYWORD_ONLY and n not in skip}

    @classmethod
    def constraints(cls) -> dict:
        merged = {}
        for klass in reversed(cls.__mro__):
            merged.update(vars(klass).get("_parameter_constraints", {}))
        return merged

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    # -- the public verbs ---------------------------------------------------------------------
    def _run(self, X, y):
        validate_params(type(self).__name__, self.constraints(), self.get_params())
        X, y = self._validate_data(X, y)
        if self.n_samples == 0:
            X_new, prov = np.empty((0, X.shape[1])), Provenance.empty(self.method)
        else:
            rng = np.random.default_rng(self.random_state)
            X_new, prov = self._generate(X, np.flatnonzero(y == 1), np.flatnonzero(y == 0), rng)
        self.provenance_ = prov
        self.n_features_in_ = X.shape[1]
        return X, y, X_new, prov

    def generate(self, X, y) -> tuple[np.ndarray, Provenance]:
        """Only the pseudo-anomalies and their provenance (also kept as ``provenance_``).

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
        provenance : Provenance
        """
        _, _, X_new, prov = self._run(X, y)
        return X_new, prov

    def fit_resample(self, X, y) -> tuple[np.ndarray, np.ndarray]:
        """The input rows first, then ``n_samples`` pseudo-anomalies labeled 1.

        Parameters
        ----------
        X : array-like of shape (n_rows, n_features)
        y : array-like of shape (n_rows,)
            1 for a labeled anomaly, 0 for an unlabeled row. At least one labeled anomaly.

        Returns
        -------
        X_res : ndarray of shape (n_rows + n_samples, n_features)
        y_res : ndarray of shape (n_rows + n_samples,)
        """
        X, y, X_new, _ = self._run(X, y)
        return np.vstack([X, X_new]), np.r_[y, np.ones(len(X_new), dtype=y.dtype)]

    # -- helpers for subclasses -----------------------------------------------------------------
    def _validate_data(self, X, y):
        name = type(self).__name__
        X_arr, y_arr = np.asarray(X), np.asarray(y)
        if X_arr.ndim == 2 and y_arr.ndim == 1 and len(X_arr) != len(y_arr):
            raise DataError(f"{name}: X has {len(X_arr)} rows but y has {len(y_arr)} labels; they must match.")
        if y_arr.size and not np.isin(y_arr, [0, 1]).all():
            raise DataError(f"{name}: y must be 1 (labeled anomaly) or 0 (unlabeled).")
        if y_arr.size == 0 or not (y_arr == 1).any():
            raise DataError(
                f"{name}: y marks no labeled anomaly (no 1); pseudo-anomalies are made from labeled "
                "anomalies, so at least one is needed."
            )
        return validate_xy(X_arr, y_arr, source=name)

    @staticmethod
    def _draw_other(rng, n_pool: int, exclude: np.ndarray) -> np.ndarray:
        """Uniform draws from range(n_pool) other than ``exclude`` (the official redraw-until-different)."""
        if n_pool <= 1:
            return np.zeros(len(exclude), np.int64)
        j = rng.integers(n_pool - 1, size=len(exclude))
        return j + (j >= exclude)


_NEIGHBOUR_CACHE: OrderedDict = OrderedDict()
_NEIGHBOUR_CACHE_SIZE = 16
_cache_lock = threading.Lock()


def _fingerprint(X: np.ndarray, *index_arrays: np.ndarray) -> tuple:
    """Identifies a training set cheaply (one pass): shape, sum, sum of squares, and the index sets."""
    return (X.shape, float(X.sum()), float(np.einsum("ij,ij->", X, X)),
            *(hashlib.blake2b(a.tobytes(), digest_size=16).hexdigest() for a in index_arrays))


class MixingGenerator(BaseGenerator):
    """A generator whose heavy work is neighbour search and convex mixing: runs on numpy or CUDA.

    Neighbour tables depend on the training set alone, not on n_samples, λ or σ: they are kept in a
    small process-wide cache, so re-generating on the same split (another multiplier, a moved slider)
    skips the search.
    """

    def neighbour_table(self, backend, X, anchors: np.ndarray, pool: np.ndarray, k: int) -> np.ndarray:
        """(len(anchors), k) indices into ``pool`` of each anchor's k nearest pool rows, nearest first."""
        key = (_fingerprint(X, anchors, pool), k, type(backend).__name__)
        with _cache_lock:
            table = _NEIGHBOUR_CACHE.get(key)
            if table is not None:
                _NEIGHBOUR_CACHE.move_to_end(key)
                return table
        table = backend.knn(anchors, pool, k)
        with _cache_lock:
            _NEIGHBOUR_CACHE[key] = table
            while len(_NEIGHBOUR_CACHE) > _NEIGHBOUR_CACHE_SIZE:
                _NEIGHBOUR_CACHE.popitem(last=False)
        return table

    def __init__(self, *, n_samples: int = 0, device: str = "auto", random_state=None):
        super().__init__(n_samples=n_samples, random_state=random_state)
        self.device = device

    def _backend(self, X, rng):
        backend = resolve_backend(self.device)
        if backend == "numpy":
            return _NumpyBackend(X, rng)
        return TorchBackend(X, backend, self.random_state)


class _NumpyBackend:
    def __init__(self, X, rng):
        self.X, self.rng = X, rng

    def knn(self, query_idx, pool_idx, k):
        return knn_numpy(self.X[query_idx], self.X[pool_idx], k)

    def mix(self, anchor, partner, weight, noise_std):
        return mix_numpy(self.X, anchor, partner, weight, noise_std, self.rng)


def warn(message: str) -> None:
    warnings.warn(message, GeneratorWarning, stacklevel=5)  # warn → _generate → _run → fit_resample → caller


__all__ = ["BaseGenerator", "GeneratorWarning", "MixingGenerator", "ParameterError", "Provenance", "warn"]


def clear_neighbour_cache() -> None:
    """Forget cached neighbour tables (benchmarks use it to time cold searches)."""
    with _cache_lock:
        _NEIGHBOUR_CACHE.clear()
