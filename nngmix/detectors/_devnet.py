"""DevNet (Pang et al. 2019): a scoring network trained with the deviation loss against a Gaussian
prior of reference scores, on batches balanced between labeled anomalies and unlabeled rows."""

from __future__ import annotations

import torch

from nngmix.detectors._base import BaseDetector
from nngmix.detectors._networks import DevNetNet


class DevNet(BaseDetector):
    """Deviation network.

    Parameters
    ----------
    epochs, steps_per_epoch, batch_size : int
        Each step draws batch_size / 2 unlabeled rows and batch_size / 2 labeled anomalies (with replacement).
    lr, weight_decay : float
        RMSprop settings.
    margin : float
        Anomalies are pushed ``margin`` standard deviations above the reference scores.
    n_reference : int
        Reference scores drawn from N(0, 1) per step.
    """

    name = "DevNet"

    def __init__(self, *, epochs: int = 50, steps_per_epoch: int = 20, batch_size: int = 512, lr: float = 1e-3,
                 weight_decay: float = 1e-5, margin: float = 5.0, n_reference: int = 5000, hidden: int = 20,
                 seed: int = 0, device: str = "auto"):
        super().__init__(seed=seed, device=device)
        self.epochs = epochs
        self.steps_per_epoch = steps_per_epoch
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.margin = margin
        self.n_reference = n_reference
        self.hidden = hidden

    def _fit(self, X, y):
        self.net_ = net = DevNetNet(X.shape[1], self.hidden).to(self.device_)
        opt = torch.optim.RMSprop(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        idx_u = torch.nonzero(y == 0).squeeze(1)
        idx_a = torch.nonzero(y == 1).squeeze(1)
        if len(idx_u) == 0:
            raise ValueError("DevNet: y marks no unlabeled row (0); it needs both kinds.")
        half = self.batch_size // 2
        target = torch.cat([torch.zeros(half, device=self.device_), torch.ones(half, device=self.device_)])

        def deviation_loss(_step):
            pick_u = idx_u[torch.randint(len(idx_u), (half,), generator=self._generator, device=self.device_)]
            pick_a = idx_a[torch.randint(len(idx_a), (half,), generator=self._generator, device=self.device_)]
            scores = net(X[torch.cat([pick_u, pick_a])])
            ref = torch.randn(self.n_reference, generator=self._generator, device=self.device_)
            dev = (scores - ref.mean()) / ref.std()
            return ((1 - target) * dev.abs() + target * torch.clamp(self.margin - dev, min=0)).mean()

        def epoch():
            net.train()
            return self._optimise(opt, range(self.steps_per_epoch), deviation_loss)

        self._run_epochs("train", self.epochs, epoch)

    def _score(self, X):
        self.net_.eval()
        return self.net_(X)
