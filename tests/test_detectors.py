"""Detector contract, training engine and the official detectors' settings."""

import numpy as np
import pytest
import torch

from nngmix.data import load_builtin, protocol_split
from nngmix.detectors import DETECTORS, DeepSAD, MLP, resolve_device
from nngmix.training import Callback, EarlyStopping, StopTraining, auc_scores

FAST = {"DeepSAD": dict(pretrain_epochs=4, epochs=6), "MLP": dict(max_iter=60), "DevNet": dict(epochs=8)}


@pytest.fixture(scope="module")
def easy_split():
    X, y = load_builtin("synthetic_cluster")
    return protocol_split(X, y, seed=0)


class Recorder(Callback):
    def __init__(self):
        self.records, self.began, self.ended = [], False, None

    def on_train_begin(self, detector):
        self.began = True

    def on_epoch_end(self, record):
        self.records.append(record)

    def on_train_end(self, history):
        self.ended = history


@pytest.mark.parametrize("name", list(DETECTORS))
def test_contract_scores_callbacks_and_auc_floor(name, easy_split):
    s = easy_split
    rec = Recorder()
    det = DETECTORS[name](seed=0, device="cpu", **FAST[name])
    assert det.fit(s.X_train, s.y_train, callbacks=[rec], eval_set=(s.X_test, s.y_test)) is det
    scores = det.decision_function(s.X_test)
    assert scores.shape == (len(s.X_test),) and np.isfinite(scores).all()
    auc, _ = auc_scores(s.y_test, scores)
    assert auc >= 0.85, f"{name}: test AUC-ROC {auc:.3f} below the 0.85 floor on synthetic_cluster"
    n_epochs = sum(v for k, v in FAST[name].items() if k in ("pretrain_epochs", "epochs", "max_iter"))
    assert rec.began and len(rec.records) == len(det.history_) and rec.ended is det.history_
    # MLP may stop earlier on scikit-learn's rule; the others run every epoch
    assert len(rec.records) <= n_epochs if name == "MLP" else len(rec.records) == n_epochs
    last = rec.records[-1]
    assert set(last) == {"phase", "epoch", "loss", "auc_roc", "auc_pr", "seconds", "device"}
    assert last["device"] == "cpu" and 0 <= last["auc_roc"] <= 1 and last["loss"] is not None


@pytest.mark.parametrize("name", list(DETECTORS))
def test_same_seed_same_numbers_and_global_rng_untouched(name, easy_split):
    s = easy_split
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = DETECTORS[name](seed=3, device="cpu", **FAST[name]).fit(s.X_train, s.y_train).decision_function(s.X_test)
    assert torch.rand(1) == before, "fit changed the caller's global torch generator"
    b = DETECTORS[name](seed=3, device="cpu", **FAST[name]).fit(s.X_train, s.y_train).decision_function(s.X_test)
    c = DETECTORS[name](seed=4, device="cpu", **FAST[name]).fit(s.X_train, s.y_train).decision_function(s.X_test)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("name", list(DETECTORS))
def test_stop_exception_stops_cleanly(name, easy_split):
    s = easy_split

    class StopAfter(Callback):
        def on_epoch_end(self, record):
            if len(det.history_) == 2:
                raise StopTraining("enough")

    det = DETECTORS[name](seed=0, device="cpu", **FAST[name])
    det.fit(s.X_train, s.y_train, callbacks=[StopAfter()])
    assert len(det.history_) == 2 and det.stopped_ == "enough"
    assert np.isfinite(det.decision_function(s.X_test)).all()


def test_early_stopping_callback(easy_split):
    s = easy_split
    det = DeepSAD(pretrain_epochs=0, epochs=50, seed=0, device="cpu")
    det.fit(s.X_train, s.y_train, callbacks=[EarlyStopping(monitor="loss", patience=1, min_delta=10.0)])
    assert len(det.history_) == 2 and "did not improve" in det.stopped_


def test_deepsad_phases_and_effective_learning_rate(easy_split, monkeypatch):
    s = easy_split
    lrs = []
    real = torch.optim.Adam

    def spy(params, lr, **kw):
        lrs.append(lr)
        return real(params, lr=lr, **kw)

    monkeypatch.setattr(torch.optim, "Adam", spy)
    det = DeepSAD(pretrain_epochs=2, epochs=3, seed=0, device="cpu").fit(s.X_train, s.y_train, eval_set=(s.X_test, s.y_test))
    assert [r["phase"] for r in det.history_] == ["pretrain"] * 2 + ["train"] * 3
    assert lrs == [pytest.approx(1e-4)] * 2  # the official scheduler's effective rate
    DeepSAD(pretrain_epochs=1, epochs=1, lr_mode="nominal", seed=0, device="cpu").fit(s.X_train, s.y_train)
    assert lrs[-1] == pytest.approx(1e-3)
    c = det.c_.numpy()
    assert (np.abs(c) >= 0.1 - 1e-7).all()  # tiny centre components pushed to ±0.1
    encoder = det.net_
    assert encoder.code.bias is None and [m.out_features for m in encoder.modules() if isinstance(m, torch.nn.Linear)] == [100, 20, 10]


def test_mlp_matches_scikit_learn_on_average():
    """The torch MLP reproduces MLPClassifier's defaults: same AUCs within noise over seeds and datasets."""
    from sklearn.neural_network import MLPClassifier

    ours, theirs = [], []
    for name in ("breast_cancer", "wine"):
        X, y = load_builtin(name)
        for seed in (0, 1):
            s = protocol_split(X, y, seed=seed)
            ours.append(auc_scores(s.y_test, MLP(seed=seed, device="cpu").fit(s.X_train, s.y_train).decision_function(s.X_test))[0])
            sk = MLPClassifier(random_state=seed).fit(s.X_train, s.y_train)
            theirs.append(auc_scores(s.y_test, sk.predict_proba(s.X_test)[:, 1])[0])
    assert abs(np.mean(ours) - np.mean(theirs)) < 0.03, f"ours {np.round(ours, 3)} vs scikit-learn {np.round(theirs, 3)}"


def test_mlp_gradients_equal_autograd():
    from nngmix.detectors._mlp import loss_and_grads

    g = torch.Generator().manual_seed(0)
    params = [torch.randn(7, 5, generator=g, dtype=torch.float64), torch.randn(1, 7, generator=g, dtype=torch.float64),
              torch.randn(7, generator=g, dtype=torch.float64), torch.randn(1, generator=g, dtype=torch.float64)]
    xb = torch.randn(11, 5, generator=g, dtype=torch.float64)
    yb = (torch.rand(11, generator=g) > 0.5).double()
    loss, grads = loss_and_grads(params, xb, yb, alpha=0.3)
    leaves = [p.clone().requires_grad_() for p in params]
    W1, W2, b1, b2 = leaves
    logit = torch.relu(xb @ W1.T + b1) @ W2[0] + b2
    ref = torch.nn.functional.binary_cross_entropy_with_logits(logit, yb) + 0.15 * ((W1 ** 2).sum() + (W2 ** 2).sum()) / 11
    ref.backward()
    assert loss.item() == pytest.approx(ref.item())
    for mine, leaf in zip(grads, leaves):
        torch.testing.assert_close(mine, leaf.grad)


def test_mlp_stopping_rule_ends_before_max_iter():
    X, y = load_builtin("synthetic_global")
    s = protocol_split(X, y, seed=0)
    det = MLP(seed=0, device="cpu", tol=1.0).fit(s.X_train, s.y_train)  # nothing improves by 1.0
    assert len(det.history_) == 12  # n_iter_no_change + 2: the first epoch sets the best loss


def test_resolve_device():
    assert resolve_device("auto").type in ("cpu", "cuda", "mps")
    assert resolve_device("cpu").type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="no CUDA device"):
            resolve_device("cuda")


def test_bad_training_data_is_named():
    with pytest.raises(ValueError, match="DeepSAD: X has 3 rows but y has 2"):
        DeepSAD(device="cpu").fit(np.zeros((3, 2)), [0, 1])


def test_auc_scores_equal_scikit_learn_with_ties():
    from sklearn.metrics import average_precision_score, roc_auc_score

    rng = np.random.default_rng(0)
    for _ in range(200):
        n = int(rng.integers(5, 300))
        y = (rng.random(n) < rng.uniform(0.05, 0.5)).astype(int)
        if y.sum() in (0, n):
            continue
        scores = np.round(rng.random(n), int(rng.integers(1, 4)))  # many ties
        auc_roc, auc_pr = auc_scores(y, scores)
        assert auc_roc == pytest.approx(roc_auc_score(y, scores), abs=1e-12)
        assert auc_pr == pytest.approx(average_precision_score(y, scores), abs=1e-12)
    assert auc_scores(np.zeros(4), np.arange(4.0)) == (None, None)
    assert auc_scores(np.array([0, 1]), np.array([0.0, np.nan])) == (None, None)
