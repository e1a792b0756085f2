"""Wall time of the paper's MLP sweep: every Classical file × multipliers {0, 1, 5, 10}, seed 0, on all cores.

    NNGMIX_DATA=../shared/adbench python benchmarks/bench_sweep.py [--workers 2] [--reference]

--reference also times the official pipeline (per-sample NNG-Mix loop + scikit-learn's MLPClassifier, one
experiment after the other, benchmarks/fidelity.py) on the same files, and prints the ratio and both averages.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

MULTIPLIERS = [0, 1, 5, 10]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workers", type=int, default=os.cpu_count())
    p.add_argument("--reference", action="store_true")
    p.add_argument("--std", type=float, default=0.01)
    a = p.parse_args(argv)
    os.environ["NNGMIX_HOME"] = tempfile.mkdtemp()  # a fresh store: nothing to skip
    from nngmix.stats import results_frame
    from nngmix.store import Store
    from nngmix.sweep import SweepSpec, run_sweep, sweep_runs

    spec = SweepSpec(datasets=[{"group": "Classical"}], methods=["nng_mix"], multipliers=MULTIPLIERS, seeds=[0],
                     detectors=["MLP"], method_params={"nng_mix": {"std": a.std}}, tag="bench")
    store = Store()
    result = run_sweep(spec, store=store, workers=a.workers)
    frame = results_frame(sweep_runs(store, spec.experiments()))
    ours = frame.groupby("multiplier")["value"].mean().reindex(MULTIPLIERS).to_numpy()
    n_files = frame["dataset"].nunique()
    print(f"nngmix sweep: {n_files} files × {len(MULTIPLIERS)} multipliers, {a.workers} workers: {result.seconds:.0f} s "
          f"({result.failed} failed)")
    print("averages     " + " ".join(f"×{m}: {v:.4f}" for m, v in zip(MULTIPLIERS, ours)))
    if a.reference:
        from fidelity import official_run

        from nngmix.data import group_cards

        start = time.perf_counter()
        theirs = np.array([[official_run(*c.load(), 0, m, a.std, "MLP") for m in MULTIPLIERS]
                           for c in group_cards("Classical")])
        ref = time.perf_counter() - start
        print(f"official pipeline, sequential: {ref:.0f} s → nngmix is {ref / result.seconds:.1f}× faster")
        print("averages     " + " ".join(f"×{m}: {v:.4f}" for m, v in zip(MULTIPLIERS, theirs.mean(0))))


if __name__ == "__main__":
    main()
