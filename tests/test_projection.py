"""Projections: UMAP quality floor, placing new points, memory and disk caches."""

import numpy as np
import pytest
from sklearn.manifold import trustworthiness

from nngmix import projection
from nngmix.data import load_builtin, protocol_split
from nngmix.generators import NNGMix


@pytest.fixture(scope="module")
def split():
    return protocol_split(*load_builtin("synthetic_cluster"), seed=0)


@pytest.fixture(scope="module")
def umap_map(split, tmp_path_factory):
    return projection.Projection("umap").fit(split.X_train)


def test_umap_keeps_neighbourhoods(split, umap_map):
    score = trustworthiness(split.X_train, umap_map.embedding_, n_neighbors=10)
    assert score >= 0.9, f"UMAP trustworthiness {score:.3f} below 0.9"


def test_new_points_land_among_their_parents(split, umap_map):
    # a fitted row placed again lands on its own embedding
    np.testing.assert_allclose(umap_map.transform(split.X_train[:50]), umap_map.embedding_[:50], atol=1e-4)
    X_new, prov = NNGMix(n_samples=300, std=0.0, gaussian=False, random_state=0).generate(split.X_train, split.y_train)
    Z = umap_map.transform(X_new)
    assert Z.shape == (300, 2) and np.isfinite(Z).all()
    # near-copies of the anchor (λ > 0.95) sit next to the anchor in the map
    close = prov.lam > 0.95
    gap = np.linalg.norm(Z[close] - umap_map.embedding_[prov.anchor[close]], axis=1)
    spread = np.ptp(umap_map.embedding_, axis=0).max()
    assert np.median(gap) < 0.05 * spread, f"median gap {np.median(gap):.3f} vs map size {spread:.1f}"


def test_pca_and_bad_method(split):
    proj = projection.Projection("pca").fit(split.X_train)
    assert proj.transform(split.X_test).shape == (len(split.X_test), 2)
    assert proj.transform(np.empty((0, split.X_train.shape[1]))).shape == (0, 2)
    with pytest.raises(ValueError, match="Unknown projection 'tsne'"):
        projection.Projection("tsne")


def test_fitted_is_cached_in_memory_and_on_disk(split, monkeypatch):
    first = projection.fitted(split.X_train, "pca")
    assert projection.fitted(split.X_train, "pca") is first
    projection._memory.clear()
    monkeypatch.setattr(projection.Projection, "fit", lambda self, X: pytest.fail("refitted instead of loading"))
    again = projection.fitted(split.X_train, "pca")
    np.testing.assert_allclose(again.transform(split.X_test), first.transform(split.X_test))


def test_high_dimensional_data_is_reduced_before_umap():
    rng = np.random.default_rng(0)
    X = rng.random((300, 120))
    proj = projection.Projection("umap").fit(X)
    assert proj.pre_.n_components == projection.PCA_BEFORE_UMAP
    assert proj.transform(X[:5]).shape == (5, 2)
