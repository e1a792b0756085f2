"""Training epochs compiled with numba, for the CPU: DeepSAD's and the MLP's.

On networks this small (DeepSAD: d → 100 → 20 → 10 and back; the MLP: d → 100 → 1), a training step in
torch is tens of kernel calls whose fixed costs (dispatch, allocation, threading) outweigh the
arithmetic. Here a whole epoch — gathering the batches, forward, loss, backward, the optimiser's update —
is one compiled call: the matrix products go to BLAS, everything else is fused loops. The arithmetic is
the torch implementations' (DeepSAD: BatchNorm1d with batch and running statistics, LeakyReLU(0.01),
sigmoid, torch's Adam with L2 weight decay; MLP: scikit-learn's loss, penalty and Adam). The weights are
the torch modules' own memory (numpy views of the flat parameter buffers), so the modules score with
what was trained here. Tests compare these epochs with the torch ones.
"""

from __future__ import annotations

import numpy as np
from numba import njit

AUTOENCODER, DEEPSAD = 0, 1


# Hot loops run in float32 (as torch's CPU kernels do), sums over the batch in float64, with numpy's
# error model, which lets LLVM vectorise them; Python's (a check per division) keeps them scalar and ~5×
# slower.
_jit = njit(cache=True, error_model="numpy")
_ONE = np.float32(1.0)


@_jit
def _bn_leaky_forward(a, running_mean, running_var, momentum, eps, slope):
    """BatchNorm (training mode, no affine) then LeakyReLU, in place on ``a``; returns (normed, invstd)
    and updates the running statistics as torch does (unbiased variance in the running estimate)."""
    B, C = a.shape
    mean = np.zeros(C, np.float64)
    var = np.zeros(C, np.float64)
    for i in range(B):
        for j in range(C):
            mean[j] += a[i, j]
    mean /= B
    for i in range(B):
        for j in range(C):
            dev = a[i, j] - mean[j]
            var[j] += dev * dev
    var /= B
    invstd = (1.0 / np.sqrt(var + eps)).astype(np.float32)
    running_mean[:] = (1.0 - momentum) * running_mean + momentum * mean
    running_var[:] = (1.0 - momentum) * running_var + momentum * B / max(B - 1, 1) * var
    mean = mean.astype(np.float32)
    normed = np.empty_like(a)
    s = np.float32(slope)
    for i in range(B):
        for j in range(C):
            x = (a[i, j] - mean[j]) * invstd[j]
            normed[i, j] = x
            a[i, j] = x if x > 0 else s * x
    return normed, invstd


@_jit
def _bn_leaky_backward(g, normed, invstd, slope):
    """Through LeakyReLU then BatchNorm, in place on ``g``."""
    B, C = g.shape
    mean_g = np.zeros(C, np.float64)  # sums that cancel to ~0: accumulated in float64
    mean_gn = np.zeros(C, np.float64)
    s = np.float32(slope)
    for i in range(B):
        for j in range(C):
            x = g[i, j] * (_ONE if normed[i, j] > 0 else s)
            g[i, j] = x
            mean_g[j] += x
            mean_gn[j] += x * normed[i, j]
    mean_g32 = (mean_g / B).astype(np.float32)
    mean_gn32 = (mean_gn / B).astype(np.float32)
    for i in range(B):
        for j in range(C):
            g[i, j] = invstd[j] * (g[i, j] - mean_g32[j] - normed[i, j] * mean_gn32[j])


@_jit
def _reconstruction_loss(out, x, g):
    """mean((sigmoid(out) − x)²), its gradient with respect to ``out`` written into ``g``."""
    B, D = out.shape
    scale = np.float32(2.0 / out.size)
    loss = 0.0
    for i in range(B):
        row = np.float32(0.0)
        for j in range(D):
            rec = _ONE / (_ONE + np.exp(-out[i, j]))
            diff = rec - x[i, j]
            row += diff * diff
            g[i, j] = scale * diff * rec * (_ONE - rec)
        loss += row
    return loss / out.size


@_jit
def _sad_loss(out, c, labeled, eta, g):
    """‖out − c‖² for unlabeled rows, η / (‖out − c‖² + 1e-6) for labeled anomalies, averaged; the
    gradient with respect to ``out`` written into ``g``."""
    B, D = out.shape
    loss = 0.0
    for i in range(B):
        dist = np.float32(0.0)
        for j in range(D):
            dist += (out[i, j] - c[j]) ** 2
        if labeled[i]:
            inv = _ONE / (dist + np.float32(1e-6))
            loss += eta * inv
            d_dist = np.float32(-eta) * inv * inv
        else:
            loss += dist
            d_dist = _ONE
        d_dist *= np.float32(2.0 / B)
        for j in range(D):
            g[i, j] = d_dist * (out[i, j] - c[j])
    return loss / B


@_jit
def _adam(flat, grad, m, v, step, lr, weight_decay):
    """torch's Adam: L2 weight decay added to the gradient, bias-corrected moments (computed in float64,
    stored in float32)."""
    step_size = lr / (1.0 - 0.9 ** step)
    bias2_sqrt = np.sqrt(1.0 - 0.999 ** step)
    for p in range(len(flat)):
        gp = grad[p] + weight_decay * flat[p]
        m[p] += (gp - m[p]) * 0.1
        v[p] = 0.999 * v[p] + 0.001 * gp * gp
        flat[p] -= step_size * m[p] / (np.sqrt(v[p]) / bias2_sqrt + 1e-8)


@_jit
def deepsad_epoch(X, order, batch_size, flat, grad, m, v, step, dims, has_bn, running, lr, weight_decay,
                mode, c, labeled, eta, momentum, bn_eps, slope):
    """One epoch over the rows ``order`` in batches of ``batch_size`` (a last partial batch is dropped).

    ``dims`` = [d_in, d_1, …, d_L] of the bias-free linear layers whose weights lie one after the other in
    ``flat`` (gradients in ``grad``, Adam's moments in ``m``, ``v``); ``has_bn[k]``: layer k is followed by
    BatchNorm + LeakyReLU; ``running``: each BatchNorm layer's running mean then running variance.
    ``mode`` AUTOENCODER: loss mean((sigmoid(out) − x)²); DEEPSAD: ‖out − c‖² for unlabeled rows,
    η / (‖out − c‖² + 1e-6) for ``labeled`` ones. Returns (mean batch loss, Adam's step count).
    """
    n_layers = len(dims) - 1
    offsets = np.zeros(n_layers + 1, np.int64)
    for k in range(n_layers):
        offsets[k + 1] = offsets[k] + dims[k + 1] * dims[k]
    n_batches = len(order) // batch_size
    total = 0.0
    for b in range(n_batches):
        rows = order[b * batch_size:(b + 1) * batch_size]
        B = len(rows)
        xb = np.empty((B, dims[0]), np.float32)
        for i in range(B):
            xb[i] = X[rows[i]]

        # forward, keeping every layer's input and its BatchNorm output and inverse std
        inputs = [xb]
        normed_of = [xb]
        invstd_of = [np.empty(0, np.float32)]
        h = xb
        r = 0
        for k in range(n_layers):
            W = flat[offsets[k]:offsets[k + 1]].reshape((dims[k + 1], dims[k]))
            h = np.dot(h, W.T)
            if has_bn[k]:
                C = dims[k + 1]
                normed, invstd = _bn_leaky_forward(h, running[r:r + C], running[r + C:r + 2 * C], momentum,
                                                   bn_eps, slope)
                r += 2 * C
            else:
                normed, invstd = h, np.empty(0, np.float32)
            inputs.append(h)
            normed_of.append(normed)
            invstd_of.append(invstd)

        # loss, and its gradient with respect to the last layer's output
        out = inputs[n_layers]
        g = np.empty_like(out)
        if mode == AUTOENCODER:
            total += _reconstruction_loss(out, xb, g)
        else:
            total += _sad_loss(out, c, labeled[rows], eta, g)

        # backward
        for k in range(n_layers - 1, -1, -1):
            if has_bn[k]:
                _bn_leaky_backward(g, normed_of[k + 1], invstd_of[k + 1], slope)
            grad[offsets[k]:offsets[k + 1]] = np.dot(g.T, inputs[k]).ravel()
            if k:
                g = np.dot(g, flat[offsets[k]:offsets[k + 1]].reshape((dims[k + 1], dims[k])))

        step += 1
        _adam(flat, grad, m, v, step, lr, weight_decay)
    return total / max(n_batches, 1), step


def warm_up() -> None:
    """Compile the epoch kernels, or load them from numba's disk cache: tiny fits on random rows. A fresh
    installation compiles for several seconds; afterwards loading takes < 1 s."""
    from nngmix.detectors import MLP, DeepSAD

    rng = np.random.default_rng(0)
    X, y = rng.random((40, 3)), np.r_[np.ones(4), np.zeros(36)]
    DeepSAD(pretrain_epochs=1, epochs=1, batch_size=16, backend="compiled", device="cpu").fit(X, y)
    MLP(max_iter=1, backend="compiled", device="cpu").fit(X, y)


@_jit
def mlp_epoch(X, y, order, batch_size, flat, grad, m, v, step, n_hidden, alpha, lr):
    """One epoch of scikit-learn's MLPClassifier (d → ReLU hidden → 1 logit, log loss + α/2·‖W‖²/batch,
    its Adam) over ``order`` in batches of ``batch_size``, the last one partial. ``flat`` holds W1
    (hidden × d), W2 (1 × hidden), b1, b2. Returns (Σ batch loss × batch size / n, Adam's step count)."""
    d = X.shape[1]
    W1 = flat[:n_hidden * d].reshape((n_hidden, d))
    W2 = flat[n_hidden * d:n_hidden * (d + 1)]
    b1 = flat[n_hidden * (d + 1):n_hidden * (d + 2)]
    gW1 = grad[:n_hidden * d].reshape((n_hidden, d))
    gW2 = grad[n_hidden * d:n_hidden * (d + 1)]
    gb1 = grad[n_hidden * (d + 1):n_hidden * (d + 2)]
    n = len(order)
    total = 0.0
    for start in range(0, n, batch_size):
        rows = order[start:start + batch_size]
        B = len(rows)
        xb = np.empty((B, d), np.float32)
        for i in range(B):
            xb[i] = X[rows[i]]
        h = np.dot(xb, W1.T)
        penalty = np.float64(np.dot(flat[:n_hidden * (d + 1)], flat[:n_hidden * (d + 1)]))  # ‖W1‖² + ‖W2‖²
        decay = alpha / B
        loss = 0.0
        delta = np.empty(B, np.float32)
        for i in range(B):
            z = flat[-1]
            for j in range(n_hidden):
                a = h[i, j] + b1[j]
                a = a if a > 0 else np.float32(0.0)
                h[i, j] = a
                z += a * W2[j]
            t = y[rows[i]]
            loss += max(z, 0.0) - z * t + np.log1p(np.exp(-abs(z)))
            delta[i] = (_ONE / (_ONE + np.exp(-z)) - t) / B
        total += (loss / B + 0.5 * decay * penalty) * B
        dh = np.empty((B, n_hidden), np.float32)
        gb1[:] = 0.0
        for i in range(B):
            for j in range(n_hidden):
                g = delta[i] * W2[j] if h[i, j] > 0 else np.float32(0.0)
                dh[i, j] = g
                gb1[j] += g
        gW1[:] = np.dot(dh.T, xb)
        gW1 += np.float32(decay) * W1
        gW2[:] = np.dot(delta, h) + np.float32(decay) * W2
        grad[-1] = delta.sum()
        # scikit-learn's Adam: bias correction folded into the learning rate
        step += 1
        lr_t = lr * np.sqrt(1.0 - 0.999 ** step) / (1.0 - 0.9 ** step)
        for p in range(len(flat)):
            m[p] = 0.9 * m[p] + 0.1 * grad[p]
            v[p] = 0.999 * v[p] + 0.001 * grad[p] * grad[p]
            flat[p] -= lr_t * m[p] / (np.sqrt(v[p]) + 1e-8)
    return total / n, step
