"""The torch networks, apart from any training logic."""

from __future__ import annotations

import math

import torch
from torch import nn


def flat_parameters(tensors):
    """Re-home ``tensors`` (parameters) as views of one flat buffer, so that an optimiser updates them all
    with one op per step. Returns the flat buffer, a zero gradient buffer of the same layout, and the
    gradient views, one per tensor and of its shape."""
    tensors = list(tensors)
    flat = torch.cat([t.detach().reshape(-1) for t in tensors])
    grad = torch.zeros_like(flat)
    grads, start = [], 0
    for t in tensors:
        end = start + t.numel()
        t.data = flat[start:end].view_as(t)
        grads.append(grad[start:end].view_as(t))
        start = end
    return flat, grad, grads


def _dense_bn(n_in: int, n_out: int) -> nn.Sequential:
    # DeepSAD's Linear_BN_leakyReLU: bias-free linear, BatchNorm without affine (eps 1e-4), LeakyReLU.
    return nn.Sequential(nn.Linear(n_in, n_out, bias=False), nn.BatchNorm1d(n_out, eps=1e-4, affine=False),
                         nn.LeakyReLU())


class DeepSADEncoder(nn.Module):
    """d → 100 → 20 → 10, the last layer a bare bias-free linear map (ADBench's ``MLP`` net)."""

    def __init__(self, n_features: int, hidden=(100, 20), rep_dim: int = 10):
        super().__init__()
        dims = [n_features, *hidden]
        self.hidden = nn.Sequential(*[_dense_bn(a, b) for a, b in zip(dims[:-1], dims[1:])])
        self.code = nn.Linear(dims[-1], rep_dim, bias=False)
        self.rep_dim = rep_dim

    def forward(self, x):
        return self.code(self.hidden(x))


class DeepSADDecoder(nn.Module):
    """The mirror: 10 → 20 → 100 → d, ending in a sigmoid."""

    def __init__(self, n_features: int, hidden=(20, 100), rep_dim: int = 10):
        super().__init__()
        dims = [rep_dim, *hidden]
        self.hidden = nn.Sequential(*[_dense_bn(a, b) for a, b in zip(dims[:-1], dims[1:])])
        self.reconstruction = nn.Linear(dims[-1], n_features, bias=False)

    def forward(self, z):
        return torch.sigmoid(self.reconstruction(self.hidden(z)))


class MLPNet(nn.Module):
    """scikit-learn's MLPClassifier network: d → 100 ReLU → 1 logit, Glorot-uniform initialised as it does."""

    def __init__(self, n_features: int, hidden: int = 100):
        super().__init__()
        self.hidden = nn.Linear(n_features, hidden)
        self.out = nn.Linear(hidden, 1)

    def reset_parameters_like_sklearn(self, generator: torch.Generator):
        # sklearn: U(−b, b) with b = sqrt(6 / (fan_in + fan_out)) for weights *and* biases (factor 2 for logistic only).
        for layer in (self.hidden, self.out):
            fan_out, fan_in = layer.weight.shape
            bound = math.sqrt(6.0 / (fan_in + fan_out))
            with torch.no_grad():
                layer.weight.uniform_(-bound, bound, generator=generator)
                layer.bias.uniform_(-bound, bound, generator=generator)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x))).squeeze(-1)


class DevNetNet(nn.Module):
    """DevNet's scoring network (Pang et al. 2019): d → 20 ReLU → 1 anomaly score."""

    def __init__(self, n_features: int, hidden: int = 20):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, x):
        return self.net(x).squeeze(-1)
