"""DeepSAD (Ruff et al. 2020) as ADBench ports it and NNG-Mix runs it."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from nngmix.detectors._base import BaseDetector
from nngmix.detectors._networks import DeepSADDecoder, DeepSADEncoder, flat_parameters
from nngmix.training import StopTraining

#: The official trainer wraps Adam in MultiStepLR(milestones=[0], gamma=0.1), stepped per batch: the
#: scheduler's first step already lands on milestone 0, so every update uses lr × 0.1.
OFFICIAL_LR_FACTOR = 0.1
_aten = torch.ops.aten


class Backprop:
    """Training-mode forward and backward passes of DeepSAD's layer stack, written out.

    ``layers`` is a list of (Linear weight, BatchNorm1d or None): bias-free linear maps, those with a
    BatchNorm followed by it (batch statistics, running statistics updated as the module does) and a
    LeakyReLU. The passes call the same kernels autograd would (``native_batch_norm`` and its backward,
    ``leaky_relu_backward``), so the numbers are autograd's; what is saved is autograd's bookkeeping,
    which on a network this small costs more than the arithmetic. ``grads`` are tensors of the weights'
    shapes that receive the gradients (views of one flat buffer, see :func:`flat_parameters`).
    """

    def __init__(self, layers, grads, slope: float = 0.01):
        self.layers, self.grads, self.slope = layers, grads, slope
        self._transposed = [weight.t() for weight, _ in layers]  # views: they follow in-place updates

    def forward(self, x):
        saved = []
        for (weight, bn), weight_t in zip(self.layers, self._transposed):
            a = torch.mm(x, weight_t)
            if bn is None:
                saved.append((x, a, None))
                x = a
            else:
                normed, mean, invstd = torch.native_batch_norm(a, None, None, bn.running_mean, bn.running_var,
                                                               True, bn.momentum, bn.eps)
                saved.append((x, a, (normed, mean, invstd)))
                x = F.leaky_relu(normed, self.slope)
        return x, saved

    def backward(self, grad, saved):
        """Write every weight's gradient given d loss / d output; the input's gradient is not needed."""
        for i in reversed(range(len(self.layers))):
            weight, bn = self.layers[i]
            x, a, bn_saved = saved[i]
            if bn is not None:
                normed, mean, invstd = bn_saved
                grad = _aten.leaky_relu_backward(grad, normed, self.slope, False)
                grad = _aten.native_batch_norm_backward(grad, a, None, bn.running_mean, bn.running_var, mean, invstd,
                                                        True, bn.eps, [True, False, False])[0]
            torch.mm(grad.t(), x, out=self.grads[i])
            if i:
                grad = torch.mm(grad, weight)


def reconstruction_loss(out, x):
    """The autoencoder's loss mean((sigmoid(out) − x)²) and its gradient with respect to ``out``."""
    rec = torch.sigmoid(out)
    diff = (rec - x).view(-1)
    loss = torch.dot(diff, diff) / diff.numel()
    return loss, _aten.sigmoid_backward(diff.mul_(2.0 / diff.numel()).view_as(out), rec)


def sad_loss(z, c, labeled, eta: float):
    """DeepSAD's loss and its gradient with respect to the codes ``z``: ‖z − c‖² for unlabeled rows,
    η / (‖z − c‖² + 1e-6) for labeled anomalies, averaged over the batch."""
    diff = z - c
    dist = diff.pow(2).sum(dim=1)
    inv = (dist + 1e-6).reciprocal_()
    loss = torch.where(labeled, inv * eta, dist).mean()
    d_dist = torch.where(labeled, inv.pow(2).mul_(-eta), 1.0).mul_(2.0 / len(z))
    return loss, diff.mul_(d_dist[:, None])


def _layers(*stacks):
    """(weight, BatchNorm or None) for each linear map of the encoder/decoder stacks, in order."""
    out = []
    for stack in stacks:
        for block in stack.hidden:
            out.append((block[0].weight, block[1]))
        last = stack.code if isinstance(stack, DeepSADEncoder) else stack.reconstruction
        out.append((last.weight, None))
    return out


class _Adam:
    """torch's Adam (L2 weight decay, bias correction) on one flat parameter buffer: one fused update per
    step, without ``Optimizer.step``'s per-call overhead. Falls back to ``torch.optim.Adam`` where the
    fused kernel is missing."""

    def __init__(self, flat, grad, lr: float, weight_decay: float):
        self.flat, self.grad, self.lr, self.weight_decay = flat, grad, lr, weight_decay
        self.m, self.v = torch.zeros_like(flat), torch.zeros_like(flat)
        self.t = torch.zeros((), dtype=torch.float32, device=flat.device)
        self._optim = None
        if not hasattr(torch, "_fused_adam_"):  # pragma: no cover - torch builds without the fused kernel
            self._fallback()

    def _fallback(self):
        self.flat.grad = self.grad
        self._optim = torch.optim.Adam([self.flat], lr=self.lr, weight_decay=self.weight_decay)

    def step(self):
        if self._optim is None:
            self.t += 1
            try:
                torch._fused_adam_([self.flat], [self.grad], [self.m], [self.v], [], [self.t], lr=self.lr, beta1=0.9,
                                   beta2=0.999, weight_decay=self.weight_decay, eps=1e-8, amsgrad=False, maximize=False)
                return
            except (RuntimeError, NotImplementedError):  # pragma: no cover - a device without the fused kernel
                self._fallback()
        self._optim.step()


class DeepSAD(BaseDetector):
    """Deep Semi-supervised Anomaly Detection.

    Parameters
    ----------
    pretrain_epochs, epochs : int
        Autoencoder pre-training (100) and DeepSAD training (50) epochs.
    lr : float
        Adam's nominal learning rate (1e-3).
    lr_mode : {"effective", "nominal"}
        "effective" (default) reproduces the official code, whose scheduler makes every step use
        lr × 0.1 = 1e-4; "nominal" uses ``lr`` as written.
    eta : float
        Weight of the labeled-anomaly term η / (‖φ(x) − c‖² + 1e-6).
    batch_size, weight_decay : int, float
    backend : {"auto", "compiled", "torch"}
        How epochs run: "compiled" — one numba-compiled call per epoch (CPU only; the first call in a
        new installation compiles for a few seconds, then the code is cached on disk); "torch" — the
        written-out passes as torch kernels, on any device; "auto" — compiled on the CPU, torch elsewhere.
    seed, device : see :class:`BaseDetector`.
    """

    name = "DeepSAD"

    def __init__(self, *, pretrain_epochs: int = 100, epochs: int = 50, lr: float = 1e-3, lr_mode: str = "effective",
                 eta: float = 1.0, batch_size: int = 128, weight_decay: float = 1e-6, backend: str = "auto",
                 seed: int = 0, device: str = "auto"):
        super().__init__(seed=seed, device=device)
        self.pretrain_epochs = pretrain_epochs
        self.epochs = epochs
        self.lr = lr
        self.lr_mode = lr_mode
        self.eta = eta
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.backend = backend

    def _fit(self, X, y):
        if self.lr_mode not in ("effective", "nominal"):
            raise ValueError(f"DeepSAD: lr_mode must be 'effective' or 'nominal'; got {self.lr_mode!r}.")
        compiled = self._compiled()
        lr = self.lr * (OFFICIAL_LR_FACTOR if self.lr_mode == "effective" else 1.0)
        n, d = X.shape
        self.net_ = encoder = DeepSADEncoder(d).to(self.device_)
        decoder = DeepSADDecoder(d).to(self.device_)
        encoder_layers = _layers(encoder)
        layers = encoder_layers + _layers(decoder)
        flat, grad, grads = flat_parameters([w for w, _ in layers])  # the encoder's weights first
        n_encoder = sum(w.numel() for w, _ in encoder_layers)
        bns = [bn for _, bn in layers if bn is not None]  # their running statistics in one buffer too
        running = flat_parameters([t for bn in bns for t in (bn.running_mean, bn.running_var)])[0]
        epoch = _CompiledEpoch if compiled else _TorchEpoch
        self.c_ = None

        with torch.no_grad():
            if self.pretrain_epochs:
                ae_epoch = epoch(self, layers, flat, grad, grads, running, lr, X)

                def ae_score(Xe):
                    encoder.eval(), decoder.eval()
                    return ((decoder(encoder(Xe)) - Xe) ** 2).mean(dim=1)

                try:
                    self._run_epochs("pretrain", self.pretrain_epochs, ae_epoch, ae_score)
                except StopTraining:
                    self.c_ = self._centre(X)  # stopped early, still a usable scorer
                    raise

            self.c_ = self._centre(X)
            sad_epoch = epoch(self, encoder_layers, flat[:n_encoder], grad[:n_encoder], grads[:len(encoder_layers)],
                              running, lr, X, centre=self.c_, labeled=(y == 1).to(self.device_))
            self._run_epochs("train", self.epochs, sad_epoch)

    def _centre(self, X):
        """Mean code before training, over one shuffled drop_last pass as the official code takes it;
        components within 0.1 of 0 pushed to ±0.1."""
        self.net_.eval()
        with torch.no_grad():
            c = self.net_(torch.index_select(X, 0, self._shuffled(len(X), self.batch_size, drop_last=True))).mean(dim=0)
        eps = 0.1
        c[(c.abs() < eps) & (c < 0)] = -eps
        c[(c.abs() < eps) & (c > 0)] = eps
        return c

    def _score(self, X):
        self.net_.eval()
        return ((self.net_(X) - self.c_) ** 2).sum(dim=1)


class _TorchEpoch:
    """One epoch of the autoencoder (``centre`` None) or DeepSAD phase with :class:`Backprop` and a fused
    Adam, batch by batch; returns the mean batch loss with one host sync."""

    def __init__(self, det, layers, flat, grad, grads, running, lr, X, centre=None, labeled=None):
        self.det, self.X, self.centre, self.labeled = det, X, centre, labeled
        self.net = Backprop(layers, grads)
        self.adam = _Adam(flat, grad, lr, det.weight_decay)

    def __call__(self) -> float:
        det, X = self.det, self.X
        batches = det._batches(len(X), det.batch_size, drop_last=True)
        total = torch.zeros((), device=X.device)
        for idx in batches:
            xb = torch.index_select(X, 0, idx)
            out, saved = self.net.forward(xb)
            if self.centre is None:
                loss, grad_out = reconstruction_loss(out, xb)
            else:
                loss, grad_out = sad_loss(out, self.centre, torch.index_select(self.labeled, 0, idx), det.eta)
            self.net.backward(grad_out, saved)
            self.adam.step()
            total += loss
        return (total / len(batches)).item()


class _CompiledEpoch:
    """The same epoch as :class:`_TorchEpoch`, as one numba-compiled call on numpy views of the torch
    buffers (``nngmix.detectors._compiled``)."""

    def __init__(self, det, layers, flat, grad, grads, running, lr, X, centre=None, labeled=None):
        from nngmix.detectors import _compiled as kernel

        self.kernel, self.det, self.lr = kernel, det, lr
        self.X = np.ascontiguousarray(X.numpy())  # one compiled signature: C-ordered float32 rows
        self.flat, self.grad, self.running = flat.numpy(), grad.numpy(), running.numpy()
        self.m, self.v = np.zeros_like(self.flat), np.zeros_like(self.flat)
        self.step = 0
        self.dims = np.array([layers[0][0].shape[1]] + [w.shape[0] for w, _ in layers], dtype=np.int64)
        self.has_bn = np.array([bn is not None for _, bn in layers])
        self.bn = next(bn for _, bn in layers if bn is not None)
        self.mode = kernel.AUTOENCODER if centre is None else kernel.DEEPSAD
        self.centre = np.zeros(1, np.float32) if centre is None else centre.numpy()
        self.labeled = np.zeros(len(X), np.bool_) if labeled is None else labeled.numpy()

    def __call__(self) -> float:
        det = self.det
        order = det._shuffled(len(self.X), det.batch_size, drop_last=True).numpy()
        loss, self.step = self.kernel.deepsad_epoch(
            self.X, order, min(det.batch_size, len(order)), self.flat, self.grad, self.m, self.v, self.step,
            self.dims, self.has_bn, self.running, self.lr, det.weight_decay, self.mode, self.centre, self.labeled,
            det.eta, self.bn.momentum, self.bn.eps, 0.01)
        return float(loss)
