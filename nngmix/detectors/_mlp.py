"""The official MLP baseline — scikit-learn's ``MLPClassifier(random_state=seed)`` with its defaults — in
torch (on the CPU with numba-compiled epochs, ``_compiled.mlp_epoch``), so that it reports every epoch. Reproduced: Glorot-uniform initialisation of weights and biases,
Adam with scikit-learn's update rule, L2 penalty α/2·‖W‖²/batch, batches of min(200, n) with shuffling,
and the stopping rule (training loss not improved by tol for n_iter_no_change + 1 epochs, at most max_iter).
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from nngmix.detectors._base import BaseDetector
from nngmix.detectors._networks import MLPNet, flat_parameters


def loss_and_grads(params, xb, yb, alpha, grads=None):
    """scikit-learn's loss (log loss + α/2·‖W‖²/batch) and its gradients for d → hidden ReLU → 1 logit.

    Written out as scikit-learn's backpropagation is: on a network this small, autograd's bookkeeping
    costs more than the arithmetic. ``params`` = [W1 (hidden, d), W2 (1, hidden), b1, b2]; ``grads``, when
    given, are tensors of the same shapes that receive the gradients (views of one flat buffer in fit).
    """
    W1, W2, b1, b2 = params
    grads = grads if grads is not None else [torch.empty_like(p) for p in params]
    gW1, gW2, gb1, gb2 = grads
    size = len(xb)
    h = torch.relu(torch.addmm(b1, xb, W1.T))
    logit = torch.addmv(b2, h, W2[0])
    penalty = torch.dot(W1.reshape(-1), W1.reshape(-1)) + torch.dot(W2[0], W2[0])
    loss = F.binary_cross_entropy_with_logits(logit, yb) + (0.5 * alpha / size) * penalty
    delta = (torch.sigmoid(logit) - yb).div_(size)  # d loss / d logit
    dh = torch.outer(delta, W2[0]).mul_(h > 0)  # d loss / d hidden pre-activation
    torch.addmm(W1, dh.T, xb, beta=alpha / size, out=gW1)
    torch.addmv(W2[0], h.T, delta, beta=alpha / size, out=gW2[0])
    torch.sum(dh, 0, out=gb1)
    torch.sum(delta, 0, keepdim=True, out=gb2)
    return loss, grads


class MLP(BaseDetector):
    """A supervised MLP on (unlabeled = 0, anomaly = 1); the score is the probability of class 1.

    Parameters
    ----------
    hidden, lr, alpha, batch_size, max_iter, tol, n_iter_no_change
        scikit-learn's ``MLPClassifier`` defaults (one hidden layer of 100 ReLU units, Adam lr 1e-3, L2
        penalty 1e-4, batches of min(200, n), at most 200 epochs, the stopping rule's tolerance and patience).
    backend : {"auto", "compiled", "torch"}
        "compiled" — one numba-compiled call per epoch (CPU only); "torch" — the written-out passes as
        torch kernels, on any device; "auto" — compiled on the CPU, torch elsewhere.
    seed, device : see :class:`BaseDetector`.
    """

    name = "MLP"
    epochs_param = "max_iter"

    def __init__(self, *, hidden: int = 100, lr: float = 1e-3, alpha: float = 1e-4, batch_size: int = 200,
                 max_iter: int = 200, tol: float = 1e-4, n_iter_no_change: int = 10, backend: str = "auto",
                 seed: int = 0, device: str = "auto"):
        super().__init__(seed=seed, device=device)
        self.hidden = hidden
        self.lr = lr
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.backend = backend

    def _fit(self, X, y):
        compiled = self._compiled()
        n, d = X.shape
        self.net_ = net = MLPNet(d, self.hidden).to(self.device_)
        net.reset_parameters_like_sklearn(self._generator)
        # All parameters, their gradients and Adam's moments live in flat buffers: one update op per step
        # instead of one per tensor.
        params = [net.hidden.weight, net.out.weight, net.hidden.bias, net.out.bias]
        flat, grad_flat, grads = flat_parameters(params)
        m, v = torch.zeros_like(flat), torch.zeros_like(flat)
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        target = y.float()
        bs = min(self.batch_size, n)
        step = [0]
        best, no_improvement = [math.inf], [0]

        def batch_step(idx):
            loss, _ = loss_and_grads(params, X[idx], target[idx], self.alpha, grads)
            step[0] += 1
            t = step[0]
            lr_t = self.lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)  # scikit-learn's Adam
            m.mul_(beta1).add_(grad_flat, alpha=1 - beta1)
            v.mul_(beta2).addcmul_(grad_flat, grad_flat, value=1 - beta2)
            flat.addcdiv_(m, v.sqrt().add_(eps), value=-lr_t)
            return loss * len(idx)

        def torch_epoch():
            total = torch.zeros((), device=self.device_)
            for idx in self._batches(n, bs, drop_last=False):
                total += batch_step(idx)
            return (total / n).item()

        if compiled:
            from nngmix.detectors import _compiled

            arrays = [np.ascontiguousarray(X.numpy()), target.numpy(), flat.numpy(), grad_flat.numpy(), m.numpy(),
                      v.numpy()]

            def compiled_epoch():
                X_np, y_np, flat_np, grad_np, m_np, v_np = arrays
                order = self._shuffled(n, bs, drop_last=False).numpy()
                loss, step[0] = _compiled.mlp_epoch(X_np, y_np, order, bs, flat_np, grad_np, m_np, v_np, step[0],
                                                    self.hidden, self.alpha, self.lr)
                return float(loss)

        def train_epoch():
            loss = compiled_epoch() if compiled else torch_epoch()
            # scikit-learn's _update_no_improvement_count, with early_stopping=False
            no_improvement[0] = no_improvement[0] + 1 if loss > best[0] - self.tol else 0
            best[0] = min(best[0], loss)
            return loss

        with torch.no_grad():
            self._run_epochs("train", self.max_iter, train_epoch,
                             converged=lambda: no_improvement[0] > self.n_iter_no_change)

    def _score(self, X):
        self.net_.eval()
        return torch.sigmoid(self.net_(X))
