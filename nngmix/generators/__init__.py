"""Pseudo-anomaly generators with an imbalanced-learn style API and per-row provenance."""

from nngmix.generators._base import BaseGenerator, GeneratorWarning, ParameterError, Provenance, clear_neighbour_cache
from nngmix.generators._backend import nearest_distances
from nngmix.generators._cutout import CutMix, Cutout
from nngmix.generators._gaussian import GaussianNoise
from nngmix.generators._mixup import Mixup
from nngmix.generators._nngmix import NNGMix
from nngmix.generators._smote import SMOTEBaseline

#: Generators by the official ``--method`` name (plus ``smote``).
GENERATORS = {g.method: g for g in (NNGMix, Mixup, Cutout, CutMix, GaussianNoise, SMOTEBaseline)}

__all__ = [
    "GENERATORS",
    "BaseGenerator",
    "CutMix",
    "Cutout",
    "GaussianNoise",
    "GeneratorWarning",
    "Mixup",
    "NNGMix",
    "ParameterError",
    "Provenance",
    "SMOTEBaseline",
    "clear_neighbour_cache",
    "nearest_distances",
]
