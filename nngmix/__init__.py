"""nngmix: NNG-Mix pseudo-anomaly generation for semi-supervised anomaly detection.

The library stands on its own (no Streamlit import anywhere in it):

- :mod:`nngmix.data` — dataset catalog, ADBench loader, the official protocol split, built-in datasets;
- :mod:`nngmix.generators` — NNG-Mix and the baselines with an imbalanced-learn style ``fit_resample``;
- :mod:`nngmix.detectors`, :mod:`nngmix.training`, :mod:`nngmix.store`, :mod:`nngmix.jobs` — training runs;
- ``python -m nngmix`` — the command line with the official ``NNG_Mix.py`` flags.
"""

from nngmix.generators import (
    GENERATORS,
    CutMix,
    Cutout,
    GaussianNoise,
    Mixup,
    NNGMix,
    Provenance,
    SMOTEBaseline,
)

__version__ = "0.1.0"

__all__ = [
    "GENERATORS",
    "CutMix",
    "Cutout",
    "GaussianNoise",
    "Mixup",
    "NNGMix",
    "Provenance",
    "SMOTEBaseline",
    "__version__",
]
