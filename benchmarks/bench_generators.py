"""Microseconds per generated NNG-Mix sample, vectorised vs a per-sample loop like the official code.

    python benchmarks/bench_generators.py [--loop-samples 300] [--repeats 5]

Settings are (unlabeled rows, labeled anomalies, features, generated). The per-sample loop (KD-tree
query per sample, one row at a time, as NNG_Mix.py does) is timed on a subset of samples and reported
per sample. Target: ≤ 2 µs per sample at the first setting on a 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nngmix.generators import NNGMix, clear_neighbour_cache  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from official import official_nngmix  # noqa: E402

SETTINGS = [(7000, 500, 100, 5000), (7000, 700, 21, 7000), (7000, 70, 512, 700), (70000, 5000, 100, 50000)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loop-samples", type=int, default=300, help="samples timed for the per-sample loop")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-large", action="store_true", help="skip the 10× setting")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    print("µs per generated sample; cold = neighbour search included, warm = neighbour tables cached")
    print(f"{'setting (U, A, d, n)':<28}{'cold':>9}{'warm':>9}{'loop':>10}{'cold ×':>9}{'warm ×':>9}")
    for n_u, n_a, d, n in SETTINGS[:3] if args.skip_large else SETTINGS:
        X = rng.random((n_u + n_a, d))
        y = np.r_[np.zeros(n_u, int), np.ones(n_a, int)]
        gen = NNGMix(n_samples=n, random_state=0, device="cpu")
        gen.generate(X, y)  # warm-up (imports, allocator)
        cold = min(_timed(lambda: (clear_neighbour_cache(), gen.generate(X, y))) for _ in range(args.repeats)) / n * 1e6
        warm = min(_timed(lambda: gen.generate(X, y)) for _ in range(args.repeats)) / n * 1e6
        loop_n = min(args.loop_samples, n)
        slow = _timed(lambda: official_nngmix(X[n_u:], X[:n_u], loop_n, rs=np.random.RandomState(0))) / loop_n * 1e6
        print(f"{str((n_u, n_a, d, n)):<28}{cold:>9.2f}{warm:>9.2f}{slow:>10.1f}{slow / cold:>8.0f}×{slow / warm:>8.0f}×")


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
