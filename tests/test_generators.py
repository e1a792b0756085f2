"""Generators: the shared contract, the official algorithm's distribution, and every bad input."""

import warnings

import numpy as np
import pytest
from scipy import stats

from nngmix.data import DataError
from nngmix.generators import GENERATORS, CutMix, Cutout, GaussianNoise, GeneratorWarning, Mixup, NNGMix, ParameterError


def make(name, **kw):
    kw.setdefault("n_samples", 300)
    kw.setdefault("random_state", 0)
    return GENERATORS[name](**kw)


# -- contract: every generator ---------------------------------------------------------------
@pytest.mark.parametrize("name", list(GENERATORS))
def test_contract_shapes_order_labels(name, small_split):
    X, y = small_split
    gen = make(name)
    X_res, y_res = gen.fit_resample(X, y)
    assert X_res.shape == (len(X) + 300, X.shape[1])
    np.testing.assert_array_equal(X_res[: len(X)], X)  # input rows first, unchanged
    np.testing.assert_array_equal(y_res, np.r_[y, np.ones(300)])
    prov = gen.provenance_
    assert len(prov) == 300 and prov.method == name
    assert ((prov.anchor >= 0) & (prov.anchor < len(X))).all()
    assert ((prov.partner >= -1) & (prov.partner < len(X))).all()
    assert np.isfinite(X_res).all()
    assert len(prov.to_frame()) == 300


@pytest.mark.parametrize("name", list(GENERATORS))
def test_contract_seeds(name, small_split):
    X, y = small_split
    a, _ = make(name).fit_resample(X, y)
    b, _ = make(name).fit_resample(X, y)
    c, _ = make(name, random_state=1).fit_resample(X, y)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("name", list(GENERATORS))
def test_contract_zero_samples_and_bad_inputs(name, small_split):
    X, y = small_split
    X_res, y_res = make(name, n_samples=0).fit_resample(X, y)
    assert X_res.shape == X.shape and y_res.sum() == 20
    with pytest.raises(ParameterError, match=f"The 'n_samples' parameter of {GENERATORS[name].__name__} must be an int in \\[0, inf\\). Got -1 instead."):
        make(name, n_samples=-1).fit_resample(X, y)
    with pytest.raises(DataError, match="no labeled anomaly"):
        make(name).fit_resample(X, np.zeros_like(y))
    with pytest.raises(DataError, match="420 rows but y has 419"):
        make(name).fit_resample(X, y[:-1])


@pytest.mark.parametrize("kwargs, message", [
    ({"k": 0}, "The 'k' parameter of NNGMix must be an int in [1, inf). Got 0 instead."),
    ({"k_anomaly": 0}, "The 'k_anomaly' parameter of NNGMix must be an int in [1, inf). Got 0 instead."),
    ({"alpha": 0.0}, "The 'alpha' parameter of NNGMix must be a float in (0, inf). Got 0.0 instead."),
    ({"beta": -1}, "The 'beta' parameter of NNGMix must be a float in (0, inf). Got -1 instead."),
    ({"std": -0.1}, "The 'std' parameter of NNGMix must be a float in [0, inf). Got -0.1 instead."),
    ({"k": 2.5}, "The 'k' parameter of NNGMix must be an int in [1, inf). Got 2.5 instead."),
])
def test_nngmix_rejects_bad_parameters(kwargs, message, small_split):
    with pytest.raises(ParameterError) as err:
        NNGMix(n_samples=5, **kwargs).fit_resample(*small_split)
    assert str(err.value) == message


def test_k_larger_than_pool_is_capped_with_a_warning(small_split):
    X, y = small_split
    with pytest.warns(GeneratorWarning, match="k=1000 is larger than the 400 unlabeled rows; using k=400"):
        NNGMix(n_samples=50, k=1000, random_state=0).fit_resample(X, y)
    gen = NNGMix(n_samples=50, k_anomaly=1000, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # k_anomaly is capped silently, as the official code does
        gen.fit_resample(X, y)
    assert gen.effective_k(20, 400) == (10, 20)


def test_single_labeled_anomaly_mixes_with_itself():
    rng = np.random.default_rng(0)
    X = rng.random((101, 3))
    y = np.r_[np.zeros(100, int), 1]
    with pytest.warns(GeneratorWarning, match="only 1 labeled anomaly"):
        gen = NNGMix(n_samples=200, random_state=0, gaussian=False)
        gen.fit_resample(X, y)
    prov = gen.provenance_
    anomaly_rows = prov.branch == "anomaly"
    assert (prov.partner[anomaly_rows] == 100).all() and prov.identical[anomaly_rows].all()


# -- fidelity: the official per-sample algorithm ------------------------------------------------
def reference_nngmix(A, U, n, k, k_a, alpha, beta, std, rs):
    """NNG_Mix.py's loop, one sample at a time, returning (rows, branch, anchor, partner, λ)."""
    rows, info = [], []
    d = A.shape[1]
    dist_u = ((A[:, None] - U[None]) ** 2).sum(-1)
    dist_a = ((A[:, None] - A[None]) ** 2).sum(-1)
    for _ in range(n):
        i = rs.choice(len(A))
        if rs.uniform(0, 1) > 0.5:
            j = rs.choice(np.argsort(dist_u[i], kind="stable")[:k])
            lam = rs.beta(alpha, beta)
            x = lam * (A[i] + rs.normal(0, std, d)) + (1 - lam) * (U[j] + rs.normal(0, std, d))
            info.append(("unlabeled", i, j, lam))
        else:
            ind = np.argsort(dist_a[i], kind="stable")[:min(max(k_a, 1), len(A))]
            j = rs.choice(ind)
            while j == i and len(ind) > 1:
                j = rs.choice(ind)
            lam = rs.beta(alpha, beta)
            x = lam * (A[i] + rs.normal(0, std, d)) + (1 - lam) * (A[j] + rs.normal(0, std, d))
            info.append(("anomaly", i, j, lam))
        rows.append(x)
    return np.array(rows), info


@pytest.fixture(scope="module")
def fidelity_data():
    rng = np.random.default_rng(42)
    U = rng.random((600, 5))
    A = 0.7 + 0.3 * rng.random((25, 5))
    X = np.vstack([U, A])
    y = np.r_[np.zeros(600, int), np.ones(25, int)]
    n, k, k_a, alpha, beta, std = 6000, 7, 4, 0.3, 0.6, 0.05
    gen = NNGMix(n_samples=n, k=k, k_anomaly=k_a, alpha=alpha, beta=beta, std=std, random_state=5, device="cpu")
    X_new, prov = gen.generate(X, y)
    ref, info = reference_nngmix(A, U, 3000, k, k_a, alpha, beta, std, np.random.RandomState(5))
    return dict(X=X, U=U, A=A, X_new=X_new, prov=prov, ref=ref, info=info, k=k, k_a=k_a, alpha=alpha, beta=beta, std=std)


def test_branch_share_is_one_half(fidelity_data):
    prov = fidelity_data["prov"]
    n_unlabeled = int((prov.branch == "unlabeled").sum())
    p = stats.binomtest(n_unlabeled, len(prov), 0.5).pvalue
    assert p > 0.001, f"unlabeled-branch share {n_unlabeled / len(prov):.3f} (p={p:.2g})"


def test_lambda_follows_beta(fidelity_data):
    prov, alpha, beta = fidelity_data["prov"], fidelity_data["alpha"], fidelity_data["beta"]
    p = stats.kstest(prov.lam, stats.beta(alpha, beta).cdf).pvalue
    assert p > 0.001, f"λ is not Beta({alpha}, {beta}): KS p={p:.2g}"
    ref_lam = np.array([i[3] for i in fidelity_data["info"]])
    assert stats.ks_2samp(prov.lam, ref_lam).pvalue > 0.001


def test_partners_are_among_the_k_nearest_and_uniform(fidelity_data):
    d = fidelity_data
    X, prov, k, k_a = d["X"], d["prov"], d["k"], d["k_a"]
    n_u = len(d["U"])
    ranks = []
    for row in np.flatnonzero(prov.branch == "unlabeled"):
        a, b = prov.anchor[row], prov.partner[row]
        assert b < n_u, "unlabeled branch took a labeled partner"
        order = np.argsort(((X[:n_u] - X[a]) ** 2).sum(1), kind="stable")
        assert b in order[:k], f"partner {b} is not among anchor {a}'s {k} nearest unlabeled rows"
        ranks.append(int(np.flatnonzero(order == b)[0]))
    counts = np.bincount(ranks, minlength=k)
    assert stats.chisquare(counts).pvalue > 0.001, f"partner ranks not uniform: {counts}"
    for row in np.flatnonzero(prov.branch == "anomaly"):
        a, b = prov.anchor[row], prov.partner[row]
        assert b >= n_u and b != a
        order = n_u + np.argsort(((X[n_u:] - X[a]) ** 2).sum(1), kind="stable")
        assert b in order[:k_a]


def test_noise_scale_and_mixture_match_the_reference(fidelity_data):
    d = fidelity_data
    X, prov, X_new, std = d["X"], d["prov"], d["X_new"], d["std"]
    w = prov.lam[:, None]
    residual = X_new - (w * X[prov.anchor] + (1 - w) * X[prov.partner])
    z = residual / prov.noise_std[:, None]
    assert stats.kstest(z.ravel(), "norm").pvalue > 0.001
    assert np.allclose(prov.noise_std, std * np.sqrt(prov.lam**2 + (1 - prov.lam) ** 2))
    # The generated rows as a whole: distance to the nearest labeled anomaly, ours vs the official loop.
    def nearest_anomaly_distance(rows):
        return np.sqrt(((rows[:, None] - d["A"][None]) ** 2).sum(-1)).min(1)
    p = stats.ks_2samp(nearest_anomaly_distance(X_new), nearest_anomaly_distance(d["ref"])).pvalue
    assert p > 0.001, f"distribution differs from the per-sample reference (KS p={p:.2g})"


def test_without_noise_the_anomaly_branch_weights_the_partner_as_officially():
    rng = np.random.default_rng(1)
    X = rng.random((60, 3))
    y = np.r_[np.zeros(50, int), np.ones(10, int)]
    gen = NNGMix(n_samples=400, gaussian=False, alpha=0.5, beta=3.0, random_state=0)
    X_new, prov = gen.generate(X, y)
    w = prov.lam[:, None]
    np.testing.assert_allclose(X_new, w * X[prov.anchor] + (1 - w) * X[prov.partner])
    anomaly = prov.branch == "anomaly"
    # official: λ·a[index2] + (1 − λ)·a[index1], so the anchor's weight is 1 − λ with λ ~ Beta(0.5, 3)
    assert stats.kstest(1 - prov.lam[anomaly], stats.beta(0.5, 3.0).cdf).pvalue > 0.001
    assert stats.kstest(prov.lam[~anomaly], stats.beta(0.5, 3.0).cdf).pvalue > 0.001


def test_adaptive_k():
    gen = NNGMix(adaptive_k=True, adaptive_k_factor=3, adaptive_k_anomaly=True, adaptive_k_anomaly_factor=0.5)
    assert gen.effective_k(n_labeled=10, n_unlabeled=1000) == (30, 5)
    assert gen.effective_k(n_labeled=1, n_unlabeled=1000) == (3, 1)


def test_uniform_lambda(small_split):
    gen = NNGMix(n_samples=3000, uniform_lambda=True, random_state=0)
    gen.fit_resample(*small_split)
    assert stats.kstest(gen.provenance_.lam, "uniform").pvalue > 0.001


# -- baselines ---------------------------------------------------------------------------------
def test_mixup_partners(small_split):
    X, y = small_split
    gen = Mixup(n_samples=2000, random_state=0)
    X_new, prov = gen.generate(X, y)
    assert (prov.anchor >= 400).all() and (prov.partner != prov.anchor).all()
    assert 0.8 < (prov.partner < 400).mean() < 1.0  # uniform over all 420 rows: ~95 % unlabeled
    only = Mixup(n_samples=500, anomaly_only=True, random_state=0)
    _, p2 = only.generate(X, y)
    assert (p2.partner >= 400).all() and (p2.partner != p2.anchor).all()


def test_cutout_windows_and_identical_share():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(200, int), np.ones(10, int)]
    X6 = 0.5 + rng.random((210, 6))  # no zero features: a zeroed window always changes a row
    _, prov = Cutout(n_samples=500, random_state=0).generate(X6, y)
    assert prov.identical_share == 1.0  # d = 6: L = max(1, int(r·6)) = 1, L // 2 = 0, the window is empty
    X10 = 0.5 + rng.random((210, 10))
    X_new, prov = Cutout(n_samples=4000, random_state=0).generate(X10, y)
    share = prov.identical_share
    assert 0.4 < share < 0.6, f"d=10: about half the windows are empty, got {share:.2f}"
    width = prov.window[:, 1] - prov.window[:, 0]
    assert np.array_equal((X_new == 0).sum(1), width)
    assert ((X_new == 0).sum(1) <= 2).all()


def test_cutmix_pastes_the_partner_window():
    rng = np.random.default_rng(0)
    X = 1 + rng.random((110, 40))
    y = np.r_[np.zeros(100, int), np.ones(10, int)]
    X_new, prov = CutMix(n_samples=300, random_state=0).generate(X, y)
    for row in range(300):
        x1, x2 = prov.window[row]
        changed = np.flatnonzero(X_new[row] != X[prov.anchor[row]])
        pasted = X[prov.partner[row], x1:x2]
        assert len(changed) <= x2 - x1
        # the pasted values appear as a contiguous block in the new row
        if x2 > x1:
            hits = [o for o in range(41 - (x2 - x1)) if np.array_equal(X_new[row, o:o + x2 - x1], pasted)]
            assert hits, f"row {row}: partner window not found"


def test_gaussian_noise_std():
    rng = np.random.default_rng(0)
    X = rng.random((60, 4))
    y = np.r_[np.zeros(50, int), np.ones(10, int)]
    X_new, prov = GaussianNoise(n_samples=5000, std=0.5, random_state=0).generate(X, y)
    residual = X_new - X[prov.anchor]
    assert abs(residual.std() - 0.5) < 0.01


def test_expand_grid_runs_the_baseline_once():
    from nngmix.experiment import Experiment
    from nngmix.sweep import expand_grid

    grid = expand_grid(Experiment(), datasets=[("Built-in", "wine"), ("Classical", "6_cardio")],
                       methods=["nng_mix", "mixup"], multipliers=[0, 1, 5], seeds=[0, 1], detectors=["MLP"],
                       method_params={"nng_mix": {"std": 0.3}})
    assert len(grid) == 2 * 2 * (1 + 2 * 2)  # datasets × seeds × (baseline + methods × non-zero multipliers)
    assert sum(e.method == "none" for e in grid) == 4
    assert all(e.method_params == ({"std": 0.3} if e.method == "nng_mix" else {}) for e in grid)
