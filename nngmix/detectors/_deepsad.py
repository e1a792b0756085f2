"""DeepSAD (Ruff et al. 2020) as ADBench ports it and NNG-Mix runs it."""

from __future__ import annotations

import torch

from nngmix.detectors._base import BaseDetector
from nngmix.detectors._networks import DeepSADDecoder, DeepSADEncoder
from nngmix.training import StopTraining

#: The official trainer wraps Adam in MultiStepLR(milestones=[0], gamma=0.1), stepped per batch: the
#: scheduler's first step already lands on milestone 0, so every update uses lr × 0.1.
OFFICIAL_LR_FACTOR = 0.1


def _adam(params, lr: float, weight_decay: float) -> torch.optim.Adam:
    # The fused kernel does the same update in one call per step instead of several per tensor: on these
    # small networks the per-tensor calls, not the arithmetic, are the cost.
    params = list(params)
    try:
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay, fused=True)
    except (RuntimeError, TypeError):  # a device or torch build without the fused kernel
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)


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
    seed, device : see :class:`BaseDetector`.
    """

    name = "DeepSAD"

    def __init__(self, *, pretrain_epochs: int = 100, epochs: int = 50, lr: float = 1e-3, lr_mode: str = "effective",
                 eta: float = 1.0, batch_size: int = 128, weight_decay: float = 1e-6, seed: int = 0,
                 device: str = "auto"):
        super().__init__(seed=seed, device=device)
        self.pretrain_epochs = pretrain_epochs
        self.epochs = epochs
        self.lr = lr
        self.lr_mode = lr_mode
        self.eta = eta
        self.batch_size = batch_size
        self.weight_decay = weight_decay

    def _fit(self, X, y):
        if self.lr_mode not in ("effective", "nominal"):
            raise ValueError(f"DeepSAD: lr_mode must be 'effective' or 'nominal'; got {self.lr_mode!r}.")
        lr = self.lr * (OFFICIAL_LR_FACTOR if self.lr_mode == "effective" else 1.0)
        n, d = X.shape
        self.net_ = encoder = DeepSADEncoder(d).to(self.device_)
        decoder = DeepSADDecoder(d).to(self.device_)
        self.c_ = None

        if self.pretrain_epochs:
            params = list(encoder.parameters()) + list(decoder.parameters())
            opt = _adam(params, lr, self.weight_decay)

            def ae_loss(idx):
                xb = X[idx]
                return ((decoder(encoder(xb)) - xb) ** 2).mean()

            def ae_epoch():
                encoder.train(), decoder.train()
                return self._optimise(opt, self._batches(n, self.batch_size, True), ae_loss)

            def ae_score(Xe):
                encoder.eval(), decoder.eval()
                return ((decoder(encoder(Xe)) - Xe) ** 2).mean(dim=1)

            try:
                self._run_epochs("pretrain", self.pretrain_epochs, ae_epoch, ae_score)
            except StopTraining:
                self.c_ = self._centre(X)  # stopped early, still a usable scorer
                raise

        self.c_ = c = self._centre(X)
        semi = torch.where(y == 1, -1.0, 0.0).to(self.device_)  # -1: labeled anomaly, 0: unlabeled
        opt = _adam(encoder.parameters(), lr, self.weight_decay)

        def sad_loss(idx):
            dist = ((encoder(X[idx]) - c) ** 2).sum(dim=1)
            sb = semi[idx]
            return torch.where(sb == 0, dist, self.eta * (dist + 1e-6) ** sb).mean()

        def sad_epoch():
            encoder.train()
            return self._optimise(opt, self._batches(n, self.batch_size, True), sad_loss)

        self._run_epochs("train", self.epochs, sad_epoch)

    def _centre(self, X):
        """Mean code of the training set before training; components within 0.1 of 0 pushed to ±0.1."""
        self.net_.eval()
        with torch.no_grad():
            c = self.net_(X).mean(dim=0)
        eps = 0.1
        c[(c.abs() < eps) & (c < 0)] = -eps
        c[(c.abs() < eps) & (c > 0)] = eps
        return c

    def _score(self, X):
        self.net_.eval()
        return ((self.net_(X) - self.c_) ** 2).sum(dim=1)
