"""Seconds per full DeepSAD fit (pre-training + training) and per MLP fit on ADBench files, on CPU,
beside a straightforward DataLoader-per-row implementation of the same DeepSAD network. "ours" is the
default path (on the CPU numba-compiled epochs, elsewhere the torch passes); "torch passes" is
``backend="torch"``.

    NNGMIX_DATA=../shared/adbench python benchmarks/bench_detectors.py [--scale 1.0] [--device cuda]

--scale shrinks the epoch counts of both DeepSAD versions alike (the ratio is what matters).
Target: the default DeepSAD at least 5× faster than the DataLoader one.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nngmix.data import load_dataset, protocol_split  # noqa: E402
from nngmix.detectors import MLP, DeepSAD, resolve_device  # noqa: E402
from nngmix.detectors._base import device_label  # noqa: E402
from nngmix.detectors._networks import DeepSADDecoder, DeepSADEncoder  # noqa: E402


class RowDataset(torch.utils.data.Dataset):
    """ADBench's ODDSDataset: one row at a time, as (x, target, semi_target, index) with Python ints."""

    def __init__(self, X, y):
        self.data = torch.tensor(X, dtype=torch.float32)
        self.targets = torch.tensor(y, dtype=torch.int64)
        self.semi_targets = self.targets

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        return self.data[index], int(self.targets[index]), int(self.semi_targets[index]), index


def dataloader_deepsad(X, y, pretrain_epochs, epochs, seed=0, device="cpu"):
    """The same network and losses, trained the way the official ADBench trainers do: a DataLoader over
    rows, a MultiStepLR stepped per batch, ``loss.item()`` per batch."""
    torch.manual_seed(seed)
    enc, dec = DeepSADEncoder(X.shape[1]).to(device), DeepSADDecoder(X.shape[1]).to(device)
    loader = torch.utils.data.DataLoader(RowDataset(X, y), batch_size=128, shuffle=True, drop_last=True)
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=1e-3, weight_decay=1e-6)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[0], gamma=0.1)
    enc.train(), dec.train()
    for _ in range(pretrain_epochs):
        epoch_loss = 0.0
        for xb, _, _, _ in loader:
            xb = xb.to(device)
            opt.zero_grad()
            loss = torch.mean((dec(enc(xb)) - xb) ** 2)
            loss.backward()
            opt.step()
            sched.step()
            epoch_loss += loss.item()
    c = torch.zeros(enc.rep_dim, device=device)
    n = 0
    enc.eval()
    with torch.no_grad():
        for xb, _, _, _ in loader:
            out = enc(xb.to(device))
            n += out.shape[0]
            c += out.sum(0)
    c /= n
    c[(c.abs() < 0.1) & (c < 0)] = -0.1
    c[(c.abs() < 0.1) & (c > 0)] = 0.1
    enc.train()
    opt = torch.optim.Adam(enc.parameters(), lr=1e-3, weight_decay=1e-6)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[0], gamma=0.1)
    for _ in range(epochs):
        epoch_loss = 0.0
        for xb, _, semi, _ in loader:
            xb, semi = xb.to(device), semi.to(device)
            semi[semi == 1] = -1
            opt.zero_grad()
            dist = ((enc(xb) - c) ** 2).sum(1)
            loss = torch.mean(torch.where(semi == 0, dist, (dist + 1e-6) ** semi.float()))
            loss.backward()
            opt.step()
            sched.step()
            epoch_loss += loss.item()
    enc.eval()

    def score(X_test):
        with torch.no_grad():
            return ((enc(torch.tensor(X_test, dtype=torch.float32, device=device)) - c) ** 2).sum(1).cpu().numpy()

    return score


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--datasets", nargs="+", default=["6_cardio", "24_mnist"])
    p.add_argument("--repeats", type=int, default=3, help="best of N timings, the implementations taking turns")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda: all implementations on it")
    a = p.parse_args(argv)
    dev = a.device
    pre, ep = max(1, int(100 * a.scale)), max(1, int(50 * a.scale))
    print(f"DeepSAD {pre}+{ep} epochs, {device_label(resolve_device(dev))}, {torch.get_num_threads()} CPU threads, "
          f"best of {a.repeats}")
    print(f"{'dataset':<12}{'rows':>6}{'steps':>7}{'ours s':>9}{'DataLoader s':>14}{'speed-up':>10}"
          f"{'ours µs/step':>14}{'torch passes s':>16}{'MLP s':>8}")
    for name in a.datasets:
        X, y = load_dataset(name)
        s = protocol_split(X, y, seed=42)
        DeepSAD(pretrain_epochs=1, epochs=1, device=dev).fit(s.X_train, s.y_train)  # warm-up: first calls, compiling
        runs = {
            "ours": lambda: DeepSAD(pretrain_epochs=pre, epochs=ep, device=dev, seed=0).fit(s.X_train, s.y_train),
            "torch": lambda: DeepSAD(pretrain_epochs=pre, epochs=ep, backend="torch", device=dev, seed=0).fit(
                s.X_train, s.y_train),
            "slow": lambda: dataloader_deepsad(s.X_train, s.y_train, pre, ep, device=dev),
            "mlp": lambda: MLP(device=dev, seed=0).fit(s.X_train, s.y_train),
        }
        best = dict.fromkeys(runs, float("inf"))
        for _ in range(a.repeats):  # taking turns, so that a noisy stretch of the machine hits all alike
            for key, fn in runs.items():
                t = time.perf_counter()
                fn()
                best[key] = min(best[key], time.perf_counter() - t)
        steps = (pre + ep) * max(1, len(s.X_train) // 128)
        print(f"{name:<12}{len(s.X_train):>6}{steps:>7}{best['ours']:>9.2f}{best['slow']:>14.2f}"
              f"{best['slow'] / best['ours']:>9.1f}×{1e6 * best['ours'] / steps:>14.0f}{best['torch']:>16.2f}"
              f"{best['mlp']:>8.2f}")


if __name__ == "__main__":
    main()
