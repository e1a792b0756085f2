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


def test_deepsad_phases_centre_and_network(easy_split):
    s = easy_split
    det = DeepSAD(pretrain_epochs=2, epochs=3, seed=0, device="cpu").fit(s.X_train, s.y_train, eval_set=(s.X_test, s.y_test))
    assert [r["phase"] for r in det.history_] == ["pretrain"] * 2 + ["train"] * 3
    c = det.c_.numpy()
    assert (np.abs(c) >= 0.1 - 1e-7).all()  # tiny centre components pushed to ±0.1
    encoder = det.net_
    assert encoder.code.bias is None and [m.out_features for m in encoder.modules() if isinstance(m, torch.nn.Linear)] == [100, 20, 10]


@pytest.mark.parametrize("backend", ["compiled", "torch"])
@pytest.mark.parametrize("lr_mode, step", [("effective", 1e-4), ("nominal", 1e-3)])
def test_deepsad_learning_rate_is_the_official_effective_one(easy_split, lr_mode, step, backend):
    """Adam's first step moves every weight by ≈ lr (m̂ / √v̂ = ±1): one full batch of pre-training shows
    the rate the optimiser really used — 1e-4 by default, as the official scheduler makes it."""
    s = easy_split
    n = len(s.X_train)
    before = DeepSAD(pretrain_epochs=0, epochs=0, seed=0, device="cpu").fit(s.X_train, s.y_train).net_
    after = DeepSAD(pretrain_epochs=1, epochs=0, batch_size=n, lr_mode=lr_mode, backend=backend, seed=0,
                    device="cpu").fit(s.X_train, s.y_train).net_
    moves = torch.cat([(a - b).abs().reshape(-1) for a, b in zip(after.parameters(), before.parameters())])
    assert moves.max().item() == pytest.approx(step, rel=1e-3)
    assert moves.median().item() == pytest.approx(step, rel=1e-2)


@pytest.mark.parametrize("phase", ["autoencoder", "deepsad"])
def test_deepsad_backprop_equals_autograd(phase):
    """The written-out losses and passes give autograd's gradients and BatchNorm's running statistics."""
    from nngmix.detectors._deepsad import Backprop, _layers, reconstruction_loss, sad_loss
    from nngmix.detectors._networks import DeepSADDecoder, DeepSADEncoder

    torch.manual_seed(0)
    x = torch.rand(33, 7, dtype=torch.float64)
    labeled = torch.rand(33) < 0.3
    c = torch.randn(10, dtype=torch.float64)

    def build():
        torch.manual_seed(1)
        enc, dec = DeepSADEncoder(7).double().train(), DeepSADDecoder(7).double().train()
        return enc, dec, _layers(enc, dec) if phase == "autoencoder" else _layers(enc)

    enc, dec, layers = build()  # reference: autograd through the modules and the official losses
    if phase == "autoencoder":
        ref_loss = ((dec(enc(x)) - x) ** 2).mean()
    else:
        dist = ((enc(x) - c) ** 2).sum(dim=1)
        ref_loss = torch.where(labeled, 2.0 * (dist + 1e-6) ** -1.0, dist).mean()
    ref_loss.backward()
    ref_grads = [w.grad for w, _ in layers]
    ref_stats = [(bn.running_mean.clone(), bn.running_var.clone()) for _, bn in layers if bn is not None]

    enc, dec, layers = build()  # the written-out passes
    grads = [torch.empty_like(w) for w, _ in layers]
    net = Backprop(layers, grads)
    with torch.no_grad():
        out, saved = net.forward(x)
        loss, grad_out = reconstruction_loss(out, x) if phase == "autoencoder" else sad_loss(out, c, labeled, eta=2.0)
        net.backward(grad_out, saved)
    assert loss.item() == pytest.approx(ref_loss.item())
    for mine, ref in zip(grads, ref_grads):
        torch.testing.assert_close(mine, ref)
    stats = [(bn.running_mean, bn.running_var) for _, bn in layers if bn is not None]
    for (m, v), (rm, rv) in zip(stats, ref_stats):
        torch.testing.assert_close(m, rm), torch.testing.assert_close(v, rv)


@pytest.mark.parametrize("name", ["breast_cancer", "digits"])
@pytest.mark.parametrize("detector, params", [(DeepSAD, dict(pretrain_epochs=3, epochs=3)), (MLP, dict(max_iter=30))])
def test_compiled_epochs_equal_torch_epochs(name, detector, params):
    """The numba-compiled epochs (the CPU default) train the same network as the torch passes: same seeds,
    same batches, the same weights (and BatchNorm statistics), losses and scores up to float32 rounding."""
    X, y = load_builtin(name)
    s = protocol_split(X, y, seed=0)
    fits = {b: detector(**params, backend=b, seed=1, device="cpu").fit(s.X_train, s.y_train) for b in ("compiled", "torch")}
    compiled, reference = fits["compiled"], fits["torch"]
    np.testing.assert_allclose([r["loss"] for r in compiled.history_], [r["loss"] for r in reference.history_], rtol=1e-5)
    for mine, ref in zip(compiled.net_.state_dict().values(), reference.net_.state_dict().values()):
        if ref.is_floating_point():
            torch.testing.assert_close(mine, ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(compiled.decision_function(s.X_test), reference.decision_function(s.X_test), rtol=1e-4)


@pytest.mark.parametrize("detector", [DeepSAD, MLP])
def test_backend_is_checked(easy_split, detector):
    s = easy_split
    with pytest.raises(ValueError, match="backend must be 'auto', 'compiled' or 'torch'; got 'gpu'"):
        detector(backend="gpu", device="cpu").fit(s.X_train, s.y_train)
    if not torch.cuda.is_available():
        return
    with pytest.raises(ValueError, match="runs on the CPU only"):
        detector(backend="compiled", device="cuda").fit(s.X_train, s.y_train)


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
