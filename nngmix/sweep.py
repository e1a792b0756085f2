"""Sweeps: grids of experiments run locally (a spawned process pool sized to the cores) or on Ray.

How results reach the run store: local workers share this machine's SQLite file and write their own runs
(WAL mode: one writer per run, any readers). Ray workers may sit on other machines that cannot see the file,
so each Ray task returns its metrics and per-epoch history and the *driver* writes them into the store.
Either way a finished experiment is in the store under the sweep's tag, and running the same sweep again
skips every configuration that already has a finished run (resume after an interruption).
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from typing import Callable

from nngmix.experiment import BASELINE, Experiment, run_experiment
from nngmix.jobs import limit_threads
from nngmix.store import Store

log = logging.getLogger(__name__)


def expand_grid(base: Experiment, *, datasets, methods, multipliers, seeds, detectors, ratios=None,
                method_params: dict[str, dict] | None = None,
                detector_params: dict[str, dict] | None = None) -> list[Experiment]:
    """Every combination, each a copy of ``base`` with those fields set.

    ``datasets`` holds (group, name) pairs; ``method_params`` / ``detector_params`` map a method or a
    detector to its parameters. Multiplier 0 is the baseline: it runs once per (dataset, ratio, seed,
    detector), not once per method.
    """
    method_params, detector_params = method_params or {}, detector_params or {}
    out, seen = [], set()
    for (group, name), ratio, seed, detector, m, method in itertools.product(
            datasets, ratios or [base.ratio], seeds, detectors, multipliers, methods):
        method = BASELINE if m == 0 else method
        key = (group, name, ratio, seed, detector, m, method)
        if key in seen:
            continue
        seen.add(key)
        out.append(Experiment(**{**base.to_dict(), "dataset": name, "group": group, "ratio": float(ratio),
                                 "seed": int(seed), "detector": detector, "multiplier": m, "method": method,
                                 "method_params": dict(method_params.get(method, {})),
                                 "detector_params": dict(detector_params.get(detector, {}))}))
    return out


@dataclass
class SweepSpec:
    """A sweep as a file holds it (YAML or JSON); every list is one axis of the grid."""

    datasets: list = field(default_factory=list)  # names, "Group/name", or {"group": ...} for a whole group
    methods: list = field(default_factory=lambda: ["nng_mix"])
    multipliers: list = field(default_factory=lambda: [0, 1, 5, 10])
    ratios: list = field(default_factory=lambda: [1.0])
    seeds: list = field(default_factory=lambda: [0])
    detectors: list = field(default_factory=lambda: ["MLP"])
    method_params: dict = field(default_factory=dict)
    detector_params: dict = field(default_factory=dict)
    la: float = 0.1
    device: str = "cpu"
    data_dirs: list = field(default_factory=list)
    tag: str = ""

    @classmethod
    def from_file(cls, path) -> "SweepSpec":
        import json
        from pathlib import Path

        text = Path(path).read_text()
        if str(path).endswith((".yaml", ".yml")):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError(f"{path}: a sweep file holds a mapping (datasets:, methods:, …); got {type(data).__name__}.")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(cls.__dataclass_fields__)}.")
        return cls(**data)

    def resolve_datasets(self) -> list[tuple[str, str]]:
        from nngmix.data import GROUP_ALIASES, find, group_cards

        pairs = []
        for entry in self.datasets:
            if isinstance(entry, dict):
                pairs += [(c.group, c.name) for c in group_cards(GROUP_ALIASES.get(entry["group"], entry["group"]),
                                                                  self.data_dirs or None)]
            else:
                card = find(entry, None, self.data_dirs or None)
                pairs.append((card.group, card.name))
        if not pairs:
            raise ValueError("The sweep names no dataset: list names under 'datasets', or {group: Classical}.")
        return pairs

    def experiments(self) -> list[Experiment]:
        base = Experiment(la=self.la, device=self.device, data_dirs=list(self.data_dirs))
        grid = expand_grid(base, datasets=self.resolve_datasets(), methods=self.methods, multipliers=self.multipliers,
                           seeds=self.seeds, detectors=self.detectors, ratios=self.ratios,
                           method_params=self.method_params, detector_params=self.detector_params)
        for exp in grid:
            exp.validate()
        return grid

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SweepResult:
    total: int
    skipped: int
    done: int
    failed: int
    seconds: float
    run_ids: list


# -- executors ------------------------------------------------------------------------------------
def _local_task(config: dict, store_path: str, tag: str) -> tuple[int | None, str | None]:
    store = Store(store_path)
    run_id = store.create_run(config, status="queued", tag=tag)
    try:
        run_experiment(Experiment.from_dict(config), store=store, run_id=run_id)
        return run_id, None
    except Exception as exc:  # recorded in the store as failed; the sweep goes on
        return run_id, f"{type(exc).__name__}: {exc}"


def _remote_task(config: dict) -> dict:
    """What a Ray worker runs: no store there; metrics and history go back to the driver."""
    from nngmix.training import Callback

    limit_threads(1)  # Ray gives each task one CPU
    history = []

    class Keep(Callback):
        def on_epoch_end(self, record):
            history.append(record)

    try:
        metrics = run_experiment(Experiment.from_dict(config), callbacks=[Keep()])
        return {"metrics": metrics, "history": history, "error": None}
    except Exception as exc:
        return {"metrics": None, "history": history, "error": f"{type(exc).__name__}: {exc}"}


def _record_remote(store: Store, config: dict, tag: str, outcome: dict, device: str) -> int:
    run_id = store.create_run(config, status="running", tag=tag)
    store.start_run(run_id, device)
    for record in outcome["history"]:
        store.log_epoch(run_id, record)
    if outcome["error"]:
        store.finish_run(run_id, "failed", error=outcome["error"])
    else:
        metrics = {k: v for k, v in outcome["metrics"].items() if k != "run_id"}
        store.finish_run(run_id, "done", metrics=metrics)
    return run_id


def run_sweep(spec: SweepSpec, *, store: Store | None = None, workers: int | None = None, ray: str | None = None,
              progress: Callable[[int, int, dict], None] | None = None) -> SweepResult:
    """Run every experiment of ``spec`` not already finished in the store.

    Parameters
    ----------
    workers : processes for the local executor (default: the machine's cores).
    ray : None for the local executor; "auto", "local" or an address such as "ray://host:10001" for Ray.
    progress : called as progress(finished, total, info) after each experiment.
    """
    store = store or Store()
    tag = spec.tag or f"sweep-{int(time.time())}"
    grid = spec.experiments()
    todo = [e for e in grid if store.find_done(e.to_dict()) is None]
    skipped = len(grid) - len(todo)
    start = time.perf_counter()
    finished = failed = 0
    run_ids = []

    def report(info):
        nonlocal finished
        finished += 1
        if progress:
            progress(finished, len(todo), info)

    if ray is None:
        workers = workers or os.cpu_count() or 1
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=limit_threads, initargs=(1,)) as pool:  # one thread per worker
            futures = {pool.submit(_local_task, e.to_dict(), str(store.path), tag): e for e in todo}
            for future in as_completed(futures):
                run_id, error = future.result()
                run_ids.append(run_id)
                failed += error is not None
                report({"label": futures[future].label, "error": error})
    else:
        import ray as ray_lib

        if not ray_lib.is_initialized():
            if ray == "local":
                ray_lib.init(num_cpus=workers or os.cpu_count(), include_dashboard=False, log_to_driver=False)
            else:
                ray_lib.init(address=ray, log_to_driver=False)
        task = ray_lib.remote(num_cpus=1)(_remote_task)
        pending = {task.remote(e.to_dict()): e for e in todo}
        while pending:
            ready, _ = ray_lib.wait(list(pending), num_returns=1)
            exp = pending.pop(ready[0])
            outcome = ray_lib.get(ready[0])
            run_ids.append(_record_remote(store, exp.to_dict(), tag, outcome, f"ray:{exp.device}"))
            failed += outcome["error"] is not None
            report({"label": exp.label, "error": outcome["error"]})
    return SweepResult(len(grid), skipped, len(todo) - failed, failed, round(time.perf_counter() - start, 2), run_ids)


def sweep_runs(store: Store, grid: list[Experiment]) -> list[dict]:
    """The latest finished run of each configuration of the grid (whichever sweep or command made it)."""
    from nngmix.store import config_key

    keys = {config_key(e.to_dict()) for e in grid}
    latest = {}
    for run in store.list_runs(status="done"):  # newest first
        if run["config_key"] in keys:
            latest.setdefault(run["config_key"], run)
    return list(latest.values())
