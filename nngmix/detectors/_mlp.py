"""The official MLP baseline — scikit-learn's ``MLPClassifier(random_state=seed)`` with its defaults — in
torch, so that it reports every epoch. Reproduced: Glorot-uniform initialisation of weights and biases,
Adam with scikit-learn's update rule, L2 penalty α/2·‖W‖²/batch, batches of min(200, n) with shuffling,
and the stopping rule (training loss not improved by tol for n_iter_no_change + 1 epochs, at most max_iter).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from nngmix.detectors._base import BaseDetector
from nngmix.detectors._networks import MLPNet


class MLP(BaseDetector):
    """A supervised MLP on (unlabeled = 0, anomaly = 1); the score is the probability of class 1."""

    name = "MLP"
    epochs_param = "max_iter"

    def __init__(self, *, hidden: int = 100, lr: float = 1e-3, alpha: float = 1e-4, batch_size: int = 200,
                 max_iter: int = 200, tol: float = 1e-4, n_iter_no_change: int = 10, seed: int = 0,
                 device: str = "auto"):
        super().__init__(seed=seed, device=device)
        self.hidden = hidden
        self.lr = lr
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change

    def _fit(self, X, y):
        n, d = X.shape
        self.net_ = net = MLPNet(d, self.hidden).to(self.device_)
        net.reset_parameters_like_sklearn(self._generator)
        params = [net.hidden.weight, net.hidden.bias, net.out.weight, net.out.bias]
        weights = [net.hidden.weight, net.out.weight]
        m = [torch.zeros_like(p) for p in params]
        v = [torch.zeros_like(p) for p in params]
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        target = y.float()
        bs = min(self.batch_size, n)
        step = [0]
        best, no_improvement = [math.inf], [0]

        def epoch():
            total = torch.zeros((), device=self.device_)
            for idx in self._batches(n, bs, drop_last=False):
                logits = net(X[idx])
                loss = F.binary_cross_entropy_with_logits(logits, target[idx])
                loss = loss + 0.5 * self.alpha * sum((w ** 2).sum() for w in weights) / len(idx)
                grads = torch.autograd.grad(loss, params)
                step[0] += 1
                t = step[0]
                lr_t = self.lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
                with torch.no_grad():
                    for p, g, mi, vi in zip(params, grads, m, v):
                        mi.mul_(beta1).add_(g, alpha=1 - beta1)
                        vi.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                        p.addcdiv_(mi, vi.sqrt().add_(eps), value=-lr_t)
                total += loss.detach() * len(idx)
            return (total / n).item()

        def train_epoch():
            loss = epoch()
            # scikit-learn's _update_no_improvement_count, with early_stopping=False
            no_improvement[0] = no_improvement[0] + 1 if loss > best[0] - self.tol else 0
            best[0] = min(best[0], loss)
            return loss

        self._run_epochs("train", self.max_iter, train_epoch,
                         converged=lambda: no_improvement[0] > self.n_iter_no_change)

    def _score(self, X):
        self.net_.eval()
        return torch.sigmoid(self.net_(X))
