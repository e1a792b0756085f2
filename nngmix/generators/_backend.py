"""The two heavy steps every mixing generator shares — nearest neighbours and the mixing itself — on numpy
(CPU) or torch (CUDA). Index draws stay in numpy: they cost O(n) scalars, not O(n × d)."""

from __future__ import annotations

import functools
import importlib.util
import logging

import numpy as np

log = logging.getLogger(__name__)

# Bound on the distance block held at once (elements): 16 M ≈ 64 MB.
_BLOCK = 1 << 24
# Pools up to this size get float64 distances; larger ones float32 on centred data (see knn_numpy).
_EXACT_POOL = 2048


@functools.lru_cache(maxsize=1)
def cuda_available() -> bool:
    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    return torch.cuda.is_available()


def resolve_backend(device: str) -> str:
    """'numpy' for CPU work, or a torch CUDA device string. 'auto' picks CUDA when present."""
    if device == "auto":
        return "cuda" if cuda_available() else "numpy"
    if device in ("cpu", "numpy"):
        return "numpy"
    if device.startswith("cuda"):
        if not cuda_available():
            raise RuntimeError(f"device={device!r} was asked for, but no CUDA device is available; use device='auto'.")
        return device
    raise ValueError(f"Unknown device {device!r}; use 'auto', 'cpu' or 'cuda[:N]'.")


def _smallest_k(dist: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k smallest entries of each row, nearest first."""
    if importlib.util.find_spec("torch") is not None and dist.shape[1] > 4 * k:
        import torch  # its top-k is several times faster than numpy's argpartition

        idx = torch.topk(torch.from_numpy(dist), k, dim=1, largest=False, sorted=True).indices.numpy()
        return idx.astype(np.int64, copy=False)
    part = np.argpartition(dist, k - 1, axis=1)[:, :k] if k < dist.shape[1] else np.tile(np.arange(k), (len(dist), 1))
    order = np.argsort(np.take_along_axis(dist, part, axis=1), axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def knn_numpy(queries: np.ndarray, pool: np.ndarray, k: int) -> np.ndarray:
    """Indices into ``pool`` of the ``k`` nearest rows to each query (Euclidean), nearest first.

    Small pools use float64 distances. Large pools use one float32 matrix product on data centred on
    the pool's mean (centring shrinks the norms, and with them the rounding error of
    |q|² + |p|² − 2q·p, to about 1e-6 in squared distance on [0, 1]-scaled data): only points closer
    together than that can swap places, and exact duplicates still tie exactly.

    Parameters
    ----------
    queries : ndarray of shape (n_queries, n_features)
    pool : ndarray of shape (n_pool, n_features)
    k : int, at most n_pool

    Returns
    -------
    ndarray of shape (n_queries, k), int64
    """
    dtype = np.float64 if len(pool) <= _EXACT_POOL else np.float32
    centre = pool.mean(axis=0)
    # One product gives |p|² − 2q·p directly: [q, 1] · [−2p, |p|²]ᵀ (|q|² is constant per row).
    right = np.empty((len(pool), pool.shape[1] + 1), dtype)
    np.subtract(pool, centre, out=right[:, :-1], casting="same_kind")
    right[:, -1] = np.einsum("ij,ij->i", right[:, :-1], right[:, :-1])
    right[:, :-1] *= -2.0
    out = np.empty((len(queries), k), np.int64)
    step = max(1, _BLOCK // max(1, len(pool)))
    for s in range(0, len(queries), step):
        q = np.empty((min(step, len(queries) - s), pool.shape[1] + 1), dtype)
        np.subtract(queries[s:s + step], centre, out=q[:, :-1], casting="same_kind")
        q[:, -1] = 1.0
        out[s:s + step] = _smallest_k(q @ right.T, k)
    return out


def nearest_distances(queries: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Euclidean distance of each query row to its nearest pool row. ndarray of shape (n_queries,)."""
    if len(queries) == 0:
        return np.empty(0)
    nearest = knn_numpy(queries, pool, 1)[:, 0]
    return np.linalg.norm(queries - pool[nearest], axis=1)


def mix_numpy(X, anchor, partner, weight, noise_std, rng: np.random.Generator) -> np.ndarray:
    """Rows ``weight·X[anchor] + (1 − weight)·X[partner] + noise_std·z``, z ~ N(0, I).

    ``partner`` may be None (no mixing, weight taken as 1) and ``noise_std`` None (no noise).
    The noise is drawn in float32 (by torch on all cores where it is installed): it is scaled by σ
    before it meets the float64 rows, so its rounding (~1e-8 σ) is far below anything σ can express.
    """
    out = X[anchor]
    if partner is not None:
        b = X[partner]
        out -= b
        out *= weight[:, None]
        out += b
    if noise_std is not None:
        noise = _standard_normal32(out.shape, rng)
        noise *= noise_std[:, None].astype(np.float32)
        out += noise
    return out


def _standard_normal32(shape, rng: np.random.Generator) -> np.ndarray:
    if importlib.util.find_spec("torch") is None:
        return rng.standard_normal(shape, dtype=np.float32)
    import torch

    gen = torch.Generator().manual_seed(int(rng.integers(2**63 - 1)))
    return torch.randn(shape, generator=gen).numpy()


class TorchBackend:
    """The same two steps with torch on a CUDA device; results come back as numpy float64."""

    def __init__(self, X: np.ndarray, device: str, seed):
        import torch

        self.torch = torch
        self.device = torch.device(device)
        self.X = torch.as_tensor(X, dtype=torch.float64, device=self.device)
        self.gen = torch.Generator(device=self.device)
        self.gen.manual_seed(int(np.random.SeedSequence(seed).generate_state(1)[0]))

    def knn(self, query_idx: np.ndarray, pool_idx: np.ndarray, k: int) -> np.ndarray:
        torch = self.torch
        q = self.X[torch.as_tensor(query_idx, device=self.device)]
        p = self.X[torch.as_tensor(pool_idx, device=self.device)]
        out = []
        step = max(1, _BLOCK // max(1, len(pool_idx)))
        for s in range(0, len(q), step):
            d = torch.cdist(q[s:s + step], p, compute_mode="donot_use_mm_for_euclid_dist")
            out.append(torch.topk(d, k, dim=1, largest=False, sorted=True).indices)
        return torch.cat(out).cpu().numpy()

    def mix(self, anchor, partner, weight, noise_std) -> np.ndarray:
        torch = self.torch
        out = self.X[torch.as_tensor(anchor, device=self.device)]
        if partner is not None:
            b = self.X[torch.as_tensor(partner, device=self.device)]
            w = torch.as_tensor(weight, device=self.device)[:, None]
            out = torch.lerp(b, out, w)
        if noise_std is not None:
            noise = torch.randn(out.shape, generator=self.gen, device=self.device, dtype=out.dtype)
            out = out + noise * torch.as_tensor(noise_std, device=self.device)[:, None]
        return out.cpu().numpy()
