"""Projection timings behind the Generate page: UMAP fit (cold), reload from the disk cache, and placing
new pseudo-anomalies with ``transform`` (targets: a dataset seen before ≤ 2 s; 5000 new points ≤ 0.5 s).

    NNGMIX_DATA=../shared/adbench python benchmarks/bench_projection.py [--datasets 6_cardio ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--datasets", nargs="+", default=["breast_cancer", "6_cardio", "CIFAR10_0"])
    p.add_argument("--n-new", type=int, default=5000)
    a = p.parse_args(argv)
    import os

    os.environ.setdefault("NNGMIX_HOME", tempfile.mkdtemp())
    from nngmix import projection
    from nngmix.data import find, protocol_split
    from nngmix.generators import NNGMix

    t = time.perf_counter()
    projection.warm_up().join()
    print(f"UMAP warm-up (numba compilation): {time.perf_counter() - t:.1f} s")
    print(f"{'dataset':<16}{'rows':>6}{'feat':>6}{'fit s':>8}{'reload s':>10}{'transform s':>13}{'exact s (est.)':>16}{'PCA transform s':>17}")
    for name in a.datasets:
        split = protocol_split(*find(name).load(), seed=42)
        X = split.X_train
        n_labeled = int(split.y_train.sum())
        X_new, _ = NNGMix(n_samples=a.n_new, random_state=0).generate(X, split.y_train)
        t = time.perf_counter()
        proj = projection.fitted(X, "umap")
        fit = time.perf_counter() - t
        projection._memory.clear()  # a restarted server: the projection comes from disk
        t = time.perf_counter()
        proj = projection.fitted(X, "umap")
        reload = time.perf_counter() - t
        t = time.perf_counter()
        proj.transform(X_new)
        transform = time.perf_counter() - t
        t = time.perf_counter()
        proj.transform(X_new[:500], exact=True)
        exact = (time.perf_counter() - t) * len(X_new) / 500
        pca = projection.fitted(X, "pca")
        t = time.perf_counter()
        pca.transform(X_new)
        pca_t = time.perf_counter() - t
        print(f"{name:<16}{len(X):>6}{X.shape[1]:>6}{fit:>8.2f}{reload:>10.2f}{transform:>13.3f}{exact:>16.1f}{pca_t:>17.3f}"
              f"   ({a.n_new} new points from {n_labeled} labeled anomalies)")


if __name__ == "__main__":
    main()
