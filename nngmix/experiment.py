"""An experiment: dataset + protocol settings + generator + multiplier + detector + device.

``run_experiment`` runs one, records every epoch in the store when given one, and returns its final
metrics. Jobs, the command line, sweeps and the app all run experiments through it.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields

from nngmix._params import validate_params
from nngmix.training import Callback, StopTraining, auc_scores

BASELINE = "none"


@dataclass
class Experiment:
    """Everything that defines one training run (JSON-able via :meth:`to_dict`)."""

    dataset: str = "breast_cancer"
    group: str | None = None
    seed: int = 42
    la: float = 0.1
    ratio: float = 1.0
    duplicate: bool = True
    subsample: bool = True
    method: str = "nng_mix"
    method_params: dict = field(default_factory=dict)
    multiplier: float = 0
    detector: str = "DeepSAD"
    detector_params: dict = field(default_factory=dict)
    device: str = "auto"
    data_dirs: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Experiment":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"Unknown experiment field(s): {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}.")
        return cls(**data)

    def validate(self) -> "Experiment":
        from nngmix.detectors import DETECTORS
        from nngmix.generators import GENERATORS

        if self.method not in GENERATORS and self.method != BASELINE:
            raise ValueError(f"Unknown method {self.method!r}; choose one of {', '.join(GENERATORS)}.")
        if self.detector not in DETECTORS:
            raise ValueError(f"Unknown detector {self.detector!r}; choose one of {', '.join(DETECTORS)}.")
        if not (isinstance(self.multiplier, (int, float)) and self.multiplier >= 0):
            raise ValueError(f"The multiplier must be a number ≥ 0 (pseudo-anomalies per labeled anomaly). Got {self.multiplier!r}.")
        if self.method in GENERATORS:
            allowed = set(GENERATORS[self.method].defaults()) | {"device"}
            bad = set(self.method_params) - allowed
            if bad:
                raise ValueError(f"{self.method} has no parameter(s) {', '.join(sorted(bad))}; it takes {', '.join(sorted(allowed))}.")
            gen = GENERATORS[self.method](**self.method_params)
            validate_params(type(gen).__name__, gen.constraints(), gen.get_params())
        det_allowed = set(DETECTORS[self.detector]().get_params()) - {"seed", "device"}
        bad = set(self.detector_params) - det_allowed
        if bad:
            raise ValueError(f"{self.detector} has no parameter(s) {', '.join(sorted(bad))}; it takes {', '.join(sorted(det_allowed))}.")
        return self

    @property
    def label(self) -> str:
        method = "baseline" if self.multiplier == 0 or self.method == BASELINE else f"{self.method} ×{self.multiplier:g}"
        return f"{self.dataset} · {self.detector} · {method} · seed {self.seed}"

    def split(self):
        from nngmix.data import find, protocol_split

        card = find(self.dataset, self.group, self.data_dirs or None)
        X, y = card.load()
        return protocol_split(X, y, seed=self.seed, la=self.la, ratio=self.ratio, duplicate=self.duplicate,
                              subsample=self.subsample, source=card.name)

    def generator(self, n_labeled: int):
        from nngmix.generators import GENERATORS

        n = int(round(self.multiplier * n_labeled))
        if self.method == BASELINE or n == 0:
            return None
        return GENERATORS[self.method](n_samples=n, random_state=self.seed, **self.method_params)

    def make_detector(self):
        from nngmix.detectors import DETECTORS

        return DETECTORS[self.detector](seed=self.seed, device=self.device, **self.detector_params)


class StoreCallback(Callback):
    """Writes each epoch to the store and turns a stop request into StopTraining."""

    def __init__(self, store, run_id: int):
        self.store, self.run_id = store, run_id

    def on_epoch_end(self, record):
        if self.store.log_epoch(self.run_id, record):
            raise StopTraining("stop requested")


def run_experiment(experiment: Experiment, *, callbacks=(), store=None, run_id: int | None = None, split=None,
                   tag: str | None = None) -> dict:
    """Run one experiment; return its final metrics.

    With a ``store``, the run is created (or, given ``run_id``, taken over), marked running, every epoch
    logged, and the run ends ``done``, ``stopped`` or ``failed`` with its error message. Exceptions are
    re-raised after they are recorded.
    """
    from nngmix.detectors import device_label, resolve_device

    experiment.validate()
    if store is not None and run_id is None:
        run_id = store.create_run(experiment.to_dict(), status="queued", tag=tag)
    callbacks = list(callbacks)
    try:
        device = resolve_device(experiment.device)
        if store is not None:
            store.start_run(run_id, device_label(device))
            if store.stop_requested(run_id):
                store.finish_run(run_id, "stopped", error="stopped before it started")
                return {}
            callbacks.append(StoreCallback(store, run_id))
        start = time.perf_counter()
        split = split if split is not None else experiment.split()
        X_train, y_train = split.X_train, split.y_train
        gen = experiment.generator(int(y_train.sum()))
        identical_share = None
        if gen is not None:
            X_train, y_train = gen.fit_resample(X_train, y_train)
            identical_share = gen.provenance_.identical_share
        detector = experiment.make_detector()
        detector.fit(X_train, y_train, callbacks=callbacks, eval_set=(split.X_test, split.y_test))
        auc_roc, auc_pr = auc_scores(split.y_test, detector.decision_function(split.X_test))
        metrics = {
            "auc_roc": auc_roc, "auc_pr": auc_pr, "n_train": int(len(X_train)),
            "n_generated": int(len(X_train) - len(split.X_train)), "n_labeled": int(split.y_train.sum()),
            "identical_share": identical_share, "seconds": round(time.perf_counter() - start, 3),
            "epochs": len(detector.history_), "stopped": detector.stopped_,
        }
    except Exception as exc:
        if store is not None:
            store.finish_run(run_id, "failed", error=f"{type(exc).__name__}: {exc}")
        raise
    if store is not None:
        status = "stopped" if detector.stopped_ == "stop requested" else "done"
        store.finish_run(run_id, status, metrics=metrics)
    metrics["run_id"] = run_id
    return metrics


