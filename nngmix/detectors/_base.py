"""One contract for every detector: ``fit(X, y, callbacks=..., eval_set=...)`` returns self,
``decision_function(X)`` returns scores where higher means more anomalous.

The epoch loop lives here: each model writes its epoch step and its scorer. The whole training set sits
on the device as one tensor and batches are index slices of it — no per-row Dataset, no DataLoader.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import ClassVar, Iterable

import numpy as np
import torch

from nngmix.data._validate import validate_xy
from nngmix.training import Callback, CallbackList, History, StopTraining, auc_scores, clean


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """'auto' → CUDA, then Apple MPS, then CPU; anything else is taken as a torch device string."""
    if isinstance(device, torch.device):
        return device
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    dev = torch.device(device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"device={device!r} was asked for, but torch sees no CUDA device; use device='auto' or 'cpu'.")
    return dev


def device_label(device: torch.device) -> str:
    """'cuda:0 (NVIDIA H200)' or 'cpu'."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return f"cuda:{index} ({torch.cuda.get_device_name(index)})"
    return str(device)


class BaseDetector:
    """Base class: validation, seeding, device placement, the epoch loop and its callbacks."""

    name: ClassVar[str] = ""
    #: The parameter that sets the number of training epochs (the CLI's --epochs, the app's field).
    epochs_param: ClassVar[str] = "epochs"

    def __init__(self, *, seed: int = 0, device: str = "auto"):
        self.seed = seed
        self.device = device

    def get_params(self) -> dict:
        import inspect

        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {n: getattr(self, n) for n in names}

    # -- public contract ----------------------------------------------------------------------------
    def fit(self, X, y, *, callbacks: Iterable[Callback] = (), eval_set=None) -> "BaseDetector":
        """Train on ``X`` with ``y`` = 1 for (pseudo-)labeled anomalies and 0 for unlabeled rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        callbacks : Callback objects; one ``on_epoch_end`` call per epoch of each phase.
        eval_set : (X_test, y_test), optional
            Scored after every epoch: the records then carry test AUC-ROC and AUC-PR.
        """
        X, y = validate_xy(X, y, source=type(self).__name__)
        self.device_ = resolve_device(self.device)
        self.n_features_in_ = X.shape[1]
        self.history_ = History()
        self.stopped_ = None
        self._callbacks = CallbackList(callbacks)
        self._eval = None
        if eval_set is not None:
            X_eval, y_eval = eval_set
            self._eval = (self._tensor(np.asarray(X_eval, dtype=np.float32)), np.asarray(y_eval))
        self._generator = torch.Generator(device=self.device_)
        self._generator.manual_seed(self.seed)
        self._callbacks.on_train_begin(self)
        try:
            with self._seeded():
                self._fit(self._tensor(X), torch.as_tensor(y, device=self.device_))
        except StopTraining as stop:
            self.stopped_ = str(stop) or "stopped"
        finally:
            self._eval = None
        self._callbacks.on_train_end(self.history_)
        return self

    def decision_function(self, X) -> np.ndarray:
        """Anomaly scores, higher = more anomalous. ndarray of shape (n_samples,)."""
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != getattr(self, "n_features_in_", X.shape[1]):
            raise ValueError(f"{type(self).__name__}: X must have {self.n_features_in_} features; got shape {X.shape}.")
        with torch.no_grad():
            return self._score(self._tensor(X)).double().cpu().numpy()

    def planned_epochs(self) -> int:
        """Epochs a fit runs at most, all phases together (progress bars and ETAs)."""
        return int(getattr(self, self.epochs_param)) + int(getattr(self, "pretrain_epochs", 0))

    # -- for subclasses ---------------------------------------------------------------------------
    def _fit(self, X: torch.Tensor, y: torch.Tensor) -> None:
        raise NotImplementedError

    def _score(self, X: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @contextmanager
    def _seeded(self):
        # Layer initialisation draws from torch's global generator: seed it inside fit only, and give
        # the caller's global state back afterwards.
        devices = [self.device_] if self.device_.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(self.seed)
            yield

    def _tensor(self, X: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(np.asarray(X, dtype=np.float32), device=self.device_)

    def _compiled(self) -> bool:
        """Whether epochs run numba-compiled (``nngmix.detectors._compiled``): ``backend`` "compiled", or
        "auto" on the CPU; "torch" runs them as torch kernels, on any device."""
        name, backend = type(self).__name__, self.backend
        if backend not in ("auto", "compiled", "torch"):
            raise ValueError(f"{name}: backend must be 'auto', 'compiled' or 'torch'; got {backend!r}.")
        if backend == "compiled" and self.device_.type != "cpu":
            raise ValueError(f"{name}: backend='compiled' runs on the CPU only; got device {self.device_}. "
                             "Use backend='auto' or 'torch'.")
        return backend == "compiled" or (backend == "auto" and self.device_.type == "cpu")

    def _shuffled(self, n: int, batch_size: int, drop_last: bool) -> torch.Tensor:
        """A random order of the n rows; with ``drop_last``, cut to whole batches (all rows when n < one batch)."""
        perm = torch.randperm(n, generator=self._generator, device=self.device_)
        return perm[:n - n % batch_size] if drop_last and n >= batch_size else perm

    def _batches(self, n: int, batch_size: int, drop_last: bool):
        return list(torch.split(self._shuffled(n, batch_size, drop_last), batch_size))

    def _optimise(self, optimizer, batches, loss_fn) -> float:
        """One pass of ``optimizer`` steps, one per batch; the mean loss (one host sync per epoch)."""
        total = torch.zeros((), device=self.device_)
        for batch in batches:
            loss = loss_fn(batch)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.detach()
        return (total / max(1, len(batches))).item()

    def _run_epochs(self, phase: str, n_epochs: int, train_epoch, scorer=None, converged=None) -> None:
        """The loop: one ``train_epoch()`` (returns the mean loss), test metrics, callbacks; ends early
        when ``converged()`` says so (a model's own stopping rule) or a callback raises StopTraining."""
        for epoch in range(1, n_epochs + 1):
            start = time.perf_counter()
            loss = train_epoch()
            auc_roc = auc_pr = None
            if self._eval is not None:
                with torch.no_grad():
                    scores = (scorer or self._score)(self._eval[0]).double().cpu().numpy()
                auc_roc, auc_pr = auc_scores(self._eval[1], scores)
            record = {"phase": phase, "epoch": epoch, "loss": clean(loss), "auc_roc": auc_roc, "auc_pr": auc_pr,
                      "seconds": round(time.perf_counter() - start, 6), "device": str(self.device_)}
            self.history_.append(record)
            self._callbacks.on_epoch_end(record)
            if converged is not None and converged():
                break
