"""Detectors with one contract: ``fit(X, y, callbacks=..., eval_set=...)`` and ``decision_function(X)``."""

from nngmix.detectors._base import BaseDetector, device_label, resolve_device
from nngmix.detectors._deepsad import DeepSAD
from nngmix.detectors._devnet import DevNet
from nngmix.detectors._mlp import MLP

#: Detectors by the official ``--alg`` name.
DETECTORS = {d.name: d for d in (DeepSAD, MLP, DevNet)}

__all__ = ["DETECTORS", "BaseDetector", "DeepSAD", "DevNet", "MLP", "device_label", "resolve_device"]
