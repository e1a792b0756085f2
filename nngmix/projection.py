"""2-D projections for the views: PCA (instant) or UMAP, fitted once per dataset and split, cached in
memory and on disk; new points (pseudo-anomalies, test rows) are placed with ``transform``.

UMAP runs numba code that is not safe under concurrent use: one process-wide lock guards it.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import threading
from collections import OrderedDict

import numpy as np

from nngmix import _config

log = logging.getLogger(__name__)

METHODS = ("umap", "pca")
#: Above this many features, PCA reduces the data before UMAP (CV and NLP embeddings: 512, 768, 1000).
PCA_BEFORE_UMAP = 50
#: Fitted neighbours that place a new point in a UMAP map (UMAP's default n_neighbors).
N_NEIGHBOURS = 15

UMAP_LOCK = threading.Lock()
_memory: OrderedDict = OrderedDict()
_MEMORY_SIZE = 8


class Projection:
    """A fitted 2-D map: ``transform(X) -> (n, 2)``."""

    def __init__(self, method: str, seed: int = 0):
        if method not in METHODS:
            raise ValueError(f"Unknown projection {method!r}; choose one of {', '.join(METHODS)}.")
        self.method, self.seed = method, seed

    def fit(self, X: np.ndarray) -> "Projection":
        from sklearn.decomposition import PCA

        d = X.shape[1]
        if self.method == "pca":
            self.pre_ = None
            self.map_ = PCA(n_components=min(2, d), random_state=self.seed).fit(X)
        else:
            import umap

            self.pre_ = PCA(n_components=PCA_BEFORE_UMAP, random_state=self.seed).fit(X) if d > PCA_BEFORE_UMAP else None
            Z = self.pre_.transform(X) if self.pre_ is not None else X
            with UMAP_LOCK:
                self.map_ = umap.UMAP(n_components=2, n_neighbors=15, min_dist=0.1, random_state=self.seed).fit(Z)
            self.embedding_ = self.map_.embedding_
        return self

    def transform(self, X: np.ndarray, exact: bool = False) -> np.ndarray:
        """Place new rows in the map.

        For UMAP, ``exact=False`` (the default) puts each row at the inverse-distance weighted mean of the
        embeddings of its ``N_NEIGHBOURS`` nearest fitted rows — UMAP's own starting point for new points,
        without its optimisation epochs: milliseconds for thousands of pseudo-anomalies instead of tens of
        seconds. ``exact=True`` runs ``umap.UMAP.transform``.
        """
        if len(X) == 0:
            return np.empty((0, 2))
        Z = self.pre_.transform(X) if getattr(self, "pre_", None) is not None else X
        if self.method == "pca":
            out = self.map_.transform(Z)
            return out if out.shape[1] == 2 else np.column_stack([out, np.zeros(len(out))])
        if exact:
            with UMAP_LOCK:
                return self.map_.transform(Z)
        return self._neighbour_transform(Z)

    def _neighbour_transform(self, Z: np.ndarray) -> np.ndarray:
        from nngmix.generators._backend import knn_numpy

        fitted_rows = self.map_._raw_data
        k = min(N_NEIGHBOURS, len(fitted_rows))
        idx = knn_numpy(Z, fitted_rows, k)
        dist = np.sqrt(((Z[:, None, :] - fitted_rows[idx]) ** 2).sum(-1))
        weight = 1.0 / (dist + 1e-9)
        weight /= weight.sum(axis=1, keepdims=True)
        return (weight[:, :, None] * self.embedding_[idx]).sum(axis=1)


def data_key(X: np.ndarray) -> str:
    return hashlib.blake2b(np.ascontiguousarray(X).tobytes(), digest_size=16).hexdigest()


def fitted(X: np.ndarray, method: str = "umap", seed: int = 0) -> Projection:
    """The projection of ``X``, from memory, then disk, else fitted now (and stored in both)."""
    key = f"{method}-{seed}-{data_key(X)}"
    if key in _memory:
        _memory.move_to_end(key)
        return _memory[key]
    path = _config.cache_dir("projection") / f"{key}.pkl"
    proj = None
    if path.exists():
        try:
            proj = pickle.loads(path.read_bytes())
        except Exception as exc:  # a cache from another library version: refit
            log.info("ignoring projection cache %s: %s", path, exc)
    if proj is None:
        proj = Projection(method, seed).fit(X)
        _config.atomic_write(path, pickle.dumps(proj))
    _memory[key] = proj
    while len(_memory) > _MEMORY_SIZE:
        _memory.popitem(last=False)
    return proj


def warm_up() -> threading.Thread:
    """Compile UMAP's numba code in the background (the first real fit then takes seconds, not tens)."""
    def run():
        try:
            rng = np.random.default_rng(0)
            Projection("umap").fit(rng.random((120, 5))).transform(rng.random((5, 5)))
        except Exception as exc:  # warm-up is an optimisation only
            log.warning("UMAP warm-up failed: %s", exc)

    thread = threading.Thread(target=run, name="umap-warm-up", daemon=True)
    thread.start()
    return thread
