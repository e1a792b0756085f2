"""The data layer: loader rules, catalog, built-ins and the official protocol split."""

from math import ceil

import numpy as np
import pytest
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler

from official import official_split  # benchmarks/official.py: the official code's split, on numpy's global RNG

from nngmix.data import (
    BUILTINS,
    DataError,
    find,
    load_builtin,
    load_csv,
    load_dataset,
    load_npz,
    protocol_split,
    scan,
)


# -- loader ------------------------------------------------------------------------------------
def test_load_npz_casts_and_validates(tmp_path):
    path = tmp_path / "ok.npz"
    np.savez(path, X=np.arange(12, dtype=np.float32).reshape(6, 2), y=np.array([0, 0, 1, 0, 0, 1.0]))
    X, y = load_npz(path)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert y.tolist() == [0, 0, 1, 0, 0, 1]


@pytest.mark.parametrize("arrays, message", [
    ({"X": np.zeros((4, 2))}, "missing array(s) y"),
    ({"X": np.zeros(4), "y": np.array([0, 0, 1, 0])}, "2-D"),
    ({"X": np.array([[0.0], [np.nan], [1.0], [2.0]]), "y": np.array([0, 0, 1, 0])}, "1 row(s) with NaN"),
    ({"X": np.zeros((4, 2)), "y": np.array([0, 2, 1, 0])}, "only 0 (normal) and 1"),
    ({"X": np.zeros((4, 2)), "y": np.array([0, 0, 0, 0])}, "no anomaly"),
    ({"X": np.zeros((4, 2)), "y": np.array([0, 1, 0])}, "4 rows but y has 3"),
    ({"X": np.array([["a", "b"]] * 4), "y": np.array([0, 1, 0, 0])}, "must be numeric"),
])
def test_load_npz_rejects_bad_files(tmp_path, arrays, message):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(DataError, match="bad.npz") as err:
        load_npz(path)
    assert message in str(err.value)


def test_load_npz_refuses_pickles(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, X=np.array([object(), 1], dtype=object), y=np.array([0, 1]))
    with pytest.raises(DataError, match="pickle"):
        load_npz(path)


def test_load_npz_not_a_zip(tmp_path):
    path = tmp_path / "text.npz"
    path.write_text("hello")
    with pytest.raises(DataError, match="not a readable .npz"):
        load_npz(path)


def test_load_csv_names_non_numeric_columns(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,colour,label\n1,2,red,0\n3,4,blue,1\n")
    with pytest.raises(DataError, match="non-numeric feature column\\(s\\) colour"):
        load_csv(path, "label")
    with pytest.raises(DataError, match="no label column 'target'"):
        load_csv(path, "target")
    path.write_text("a,b,label\n1,2,0\n3,4,1\n5,,0\n")
    with pytest.raises(DataError, match="1 row\\(s\\) with NaN"):
        load_csv(path, "label")
    path.write_text("a,b,label\n1,2,0\n3,4,1\n")
    X, y = load_csv(path, "label")
    assert X.tolist() == [[1, 2], [3, 4]] and y.tolist() == [0, 1]


# -- built-ins and catalog ---------------------------------------------------------------------
@pytest.mark.parametrize("name", list(BUILTINS))
def test_builtins_are_valid_and_deterministic(name):
    X, y = load_builtin(name)
    assert X.ndim == 2 and len(X) == len(y) and np.isfinite(X).all()
    assert 0.01 < y.mean() < 0.1, f"{name}: anomaly share {y.mean():.3f} is not ADBench-like"
    X2, y2 = BUILTINS[name].make()
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


def test_builtin_real_data_has_expected_sizes():
    X, y = load_builtin("breast_cancer")
    assert X.shape == (376, 30) and y.sum() == 19
    X, y = load_builtin("digits")
    assert X.shape[1] == 64 and y.sum() == 50


def test_catalog_without_files_lists_builtins_only():
    cards = scan()
    assert {c.group for c in cards} == {"Built-in"}
    assert find("breast_cancer").n_samples == 376


@pytest.mark.usefixtures("adbench_root")
def test_catalog_reads_adbench_cards_and_caches_them(monkeypatch):
    cards = {c.key: c for c in scan()}
    cardio = cards["Classical/6_cardio"]
    assert (cardio.n_samples, cardio.n_features, cardio.n_anomalies) == (1831, 21, 176)
    assert round(cardio.anomaly_pct, 2) == 9.61
    assert sum(c.group == "Classical" for c in cards.values()) == 43
    assert sum(c.group == "CV_by_ResNet18" for c in cards.values()) == 21
    # second scan: served from the card cache, no file is opened
    import nngmix.data._catalog as catalog

    monkeypatch.setattr(catalog, "npz_card_fields", lambda path: pytest.fail(f"re-read {path}"))
    assert len(scan()) == len(cards)


@pytest.mark.usefixtures("adbench_root")
def test_find_by_short_name_and_group_alias():
    assert find("cardio").name == "6_cardio"
    assert find("6_cardio", group="Classical").group == "Classical"
    assert find("CV/CIFAR10_0").group == "CV_by_ResNet18"
    with pytest.raises(DataError, match="No dataset named 'nope'"):
        find("nope")


# -- the protocol split ------------------------------------------------------------------------
@pytest.mark.parametrize("name, seed, ratio", [("breast_cancer", 42, 1.0), ("digits", 0, 0.5), ("wine", 3, 0.1)])
def test_split_is_row_for_row_the_official_one(name, seed, ratio):
    X, y = load_builtin(name)
    split = protocol_split(X, y, seed=seed, ratio=ratio)
    anomalies, unlabeled, X_test, y_test = official_split(X.copy(), y.copy(), seed, ratio=ratio)
    np.testing.assert_array_equal(split.X_unlabeled, unlabeled)
    np.testing.assert_array_equal(split.X_labeled, anomalies)
    np.testing.assert_array_equal(split.X_test, X_test)
    np.testing.assert_array_equal(split.y_test, y_test)


@pytest.mark.usefixtures("adbench_root")
@pytest.mark.parametrize("name, n_train, n_test, n_labeled, ratio", [
    # cardio: 1831 rows, 176 anomalies; 70 % → 1281 train with 123 anomalies; ceil(12.3) = 13 labeled
    ("6_cardio", 1281, 550, 13, 1.0),
    # glass: 214 rows bootstrapped to 1000 → 700 / 300
    ("14_glass", None, 300, None, 1.0),
    # cardio at ratio 0.1: ceil(0.1 × 13) = 2 labeled kept, the other 11 leave training
    ("6_cardio", 1281 - 11, 550, 2, 0.1),
    # satellite (6435 rows): no duplication, no subsampling
    ("30_satellite", 4504, 1931, None, 1.0),
])
def test_split_counts_follow_the_protocol(name, n_train, n_test, n_labeled, ratio):
    X, y = load_dataset(name)
    split = protocol_split(X, y, seed=42, ratio=ratio)
    counts = split.counts
    assert counts["test"] == n_test
    if n_train is not None:
        assert len(split.X_train) == n_train
    train_anomalies = counts["hidden_anomalies"] + (n_labeled or counts["labeled_anomalies"])
    if ratio == 1.0:
        assert counts["labeled_anomalies"] == ceil(0.1 * train_anomalies)
    if n_labeled is not None:
        assert counts["labeled_anomalies"] == n_labeled
    assert split.X_train.min() >= 0 and split.X_train.max() <= 1 + 1e-12  # MinMax on the training part


@pytest.mark.usefixtures("adbench_root")
def test_split_subsamples_large_files_to_10000():
    X, y = load_dataset("10_cover")  # 286048 rows
    split = protocol_split(X, y, seed=1)
    assert len(split.X_train) + split.counts["test"] == 10000
    off = protocol_split(X[:20000], y[:20000], seed=1, subsample=False)
    assert len(off.X_train) + len(off.y_test) == 20000


def test_split_switches_and_reproducibility():
    X, y = load_builtin("wine")  # 129 rows
    a = protocol_split(X, y, seed=7)
    b = protocol_split(X, y, seed=7)
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_test, b.y_test)
    assert len(a.X_train) + len(a.y_test) == 1000
    off = protocol_split(X, y, seed=7, duplicate=False)
    assert len(off.X_train) + len(off.y_test) == 129
    c = protocol_split(X, y, seed=8)
    assert not np.array_equal(a.X_test, c.X_test)


def test_split_hidden_anomalies_are_the_unlabeled_true_anomalies():
    X, y = load_builtin("digits")
    split = protocol_split(X, y, seed=0)
    counts = split.counts
    assert counts["hidden_anomalies"] + counts["labeled_anomalies"] + counts["test_anomalies"] == 50
    assert not split.hidden_anomaly[split.labeled].any()


@pytest.mark.parametrize("kwargs, message", [
    ({"la": 0.0}, "'la' setting must be a fraction"),
    ({"la": 1.5}, "'la' setting"),
    ({"ratio": 0.0}, "'ratio' setting must be a float in \\(0, 1\\]"),
    ({"la": 500}, "labeled anomalies asked for"),
])
def test_split_rejects_bad_settings(kwargs, message):
    X, y = load_builtin("wine")
    with pytest.raises(DataError, match=message):
        protocol_split(X, y, **kwargs)


@pytest.mark.parametrize("n_normal, n_anomaly", [(990, 10), (7, 3), (700, 300), (9, 9)])
def test_stratified_split_equals_scikit_learn(n_normal, n_anomaly):
    from nngmix.data._split import stratified_split

    y = np.r_[np.zeros(n_normal, int), np.ones(n_anomaly, int)]
    X = np.arange(len(y))[:, None]
    for seed in range(20):
        y_shuffled = np.random.default_rng(seed).permutation(y)
        train, test = stratified_split(y_shuffled, 0.3, np.random.RandomState(seed))
        X_tr, X_te, _, _ = train_test_split(X, y_shuffled, test_size=0.3, shuffle=True, stratify=y_shuffled, random_state=seed)
        np.testing.assert_array_equal(train, X_tr[:, 0])
        np.testing.assert_array_equal(test, X_te[:, 0])


def test_minmax_equals_scikit_learn():
    from nngmix.data._split import MinMaxScaler as OurScaler

    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4)) * [1, 1e6, 1e-9, 0]
    X[:, 3] = 7.0  # a constant feature
    ours, theirs = OurScaler().fit(X), MinMaxScaler().fit(X)
    X_new = rng.normal(size=(10, 4))
    np.testing.assert_array_equal(ours.transform(X_new), theirs.transform(X_new))
    np.testing.assert_array_equal(ours.transform(X), theirs.transform(X))


def test_builtin_cache_survives_concurrent_first_use(tmp_path, monkeypatch):
    """Several sweep workers may make the same built-in dataset at once; none may fail."""
    import subprocess
    import sys

    code = "from nngmix.data import load_builtin; [load_builtin(n) for n in ('wine', 'toy_2d', 'digits')]"
    env = {**__import__("os").environ, "NNGMIX_HOME": str(tmp_path)}
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stderr=subprocess.PIPE) for _ in range(4)]
    errors = [p.communicate()[1].decode() for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    from nngmix import __version__

    assert sorted(f.name for f in (tmp_path / "cache" / "builtin").iterdir()) == [
        f"{n}-{__version__}.npz" for n in ("digits", "toy_2d", "wine")]
