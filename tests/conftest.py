import os
import sys
from pathlib import Path

import numpy as np
import pytest

# benchmarks/official.py holds the official code's algorithms; tests compare against them too
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

#: ADBench files laid beside the checkout (never committed); tests that need them skip without them.
SHARED_ADBENCH = Path(os.environ.get("NNGMIX_TEST_ADBENCH", Path(__file__).resolve().parents[2] / "shared" / "adbench"))
needs_adbench = pytest.mark.skipif(not (SHARED_ADBENCH / "Classical").is_dir(), reason="../shared/adbench not present")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own nngmix home: no run store or cache outside tmp."""
    monkeypatch.setenv("NNGMIX_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NNGMIX_DATA", raising=False)


@pytest.fixture
def adbench_root(monkeypatch):
    if not (SHARED_ADBENCH / "Classical").is_dir():
        pytest.skip("../shared/adbench not present")
    monkeypatch.setenv("NNGMIX_DATA", str(SHARED_ADBENCH))
    return SHARED_ADBENCH


@pytest.fixture
def small_split():
    """A seeded training set: 400 unlabeled rows, 20 labeled anomalies, 6 features."""
    rng = np.random.default_rng(0)
    X = np.vstack([rng.random((400, 6)), 0.8 + 0.2 * rng.random((20, 6))])
    y = np.r_[np.zeros(400, np.int64), np.ones(20, np.int64)]
    return X, y
