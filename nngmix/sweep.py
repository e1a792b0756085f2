"""Grids of experiments: datasets × methods × multipliers × seeds × detectors."""

from __future__ import annotations

import itertools

from nngmix.experiment import BASELINE, Experiment


def expand_grid(base: Experiment, *, datasets, methods, multipliers, seeds, detectors,
                method_params: dict[str, dict] | None = None) -> list[Experiment]:
    """Every combination, each a copy of ``base`` with those fields set.

    ``datasets`` holds (group, name) pairs; ``method_params`` maps a method to its generator parameters.
    Multiplier 0 is the baseline: it runs once per (dataset, seed, detector), not once per method.
    """
    method_params = method_params or {}
    out, seen = [], set()
    for (group, name), seed, detector, m, method in itertools.product(datasets, seeds, detectors, multipliers, methods):
        method = BASELINE if m == 0 else method
        key = (group, name, seed, detector, m, method)
        if key in seen:
            continue
        seen.add(key)
        out.append(Experiment(**{**base.to_dict(), "dataset": name, "group": group, "seed": int(seed),
                                 "detector": detector, "multiplier": m, "method": method,
                                 "method_params": dict(method_params.get(method, {}))}))
    return out
