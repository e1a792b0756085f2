"""Seconds per full DeepSAD fit (pre-training + training) and per MLP fit on ADBench files, on CPU,
beside a straightforward DataLoader-per-row implementation of the same DeepSAD network.

    NNGMIX_DATA=../shared/adbench python benchmarks/bench_detectors.py [--scale 1.0]

--scale shrinks the epoch counts of both DeepSAD versions alike (the ratio is what matters).
Target: the tensor-slicing DeepSAD at least 5× faster than the DataLoader one.
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
from nngmix.detectors import MLP, DeepSAD  # noqa: E402
from nngmix.detectors._networks import DeepSADDecoder, DeepSADEncoder  # noqa: E402


class RowDataset(torch.utils.data.Dataset):
    def __init__(self, X, y):
        self.X, self.y = torch.tensor(X, dtype=torch.float32), torch.tensor(y)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):  # one row at a time, as the official ADBench port serves them
        return self.X[i], self.y[i]


def dataloader_deepsad(X, y, pretrain_epochs, epochs, seed=0):
    torch.manual_seed(seed)
    enc, dec = DeepSADEncoder(X.shape[1]), DeepSADDecoder(X.shape[1])
    loader = torch.utils.data.DataLoader(RowDataset(X, y), batch_size=128, shuffle=True, drop_last=True)
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=1e-4, weight_decay=1e-6)
    for _ in range(pretrain_epochs):
        for xb, _ in loader:
            loss = ((dec(enc(xb)) - xb) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        enc.eval()
        c = enc(torch.tensor(X, dtype=torch.float32)).mean(0)
        enc.train()
    opt = torch.optim.Adam(enc.parameters(), lr=1e-4, weight_decay=1e-6)
    for _ in range(epochs):
        for xb, yb in loader:
            dist = ((enc(xb) - c) ** 2).sum(1)
            loss = torch.where(yb == 0, dist, 1.0 / (dist + 1e-6)).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--datasets", nargs="+", default=["6_cardio", "24_mnist"])
    a = p.parse_args(argv)
    pre, ep = max(1, int(100 * a.scale)), max(1, int(50 * a.scale))
    print(f"DeepSAD {pre}+{ep} epochs, CPU, {torch.get_num_threads()} threads")
    print(f"{'dataset':<12}{'rows':>6}{'ours s':>9}{'DataLoader s':>14}{'speed-up':>10}{'MLP s':>8}")
    for name in a.datasets:
        X, y = load_dataset(name)
        s = protocol_split(X, y, seed=42)
        t = time.perf_counter()
        DeepSAD(pretrain_epochs=pre, epochs=ep, device="cpu", seed=0).fit(s.X_train, s.y_train)
        ours = time.perf_counter() - t
        t = time.perf_counter()
        dataloader_deepsad(s.X_train, s.y_train, pre, ep)
        slow = time.perf_counter() - t
        t = time.perf_counter()
        MLP(device="cpu", seed=0).fit(s.X_train, s.y_train)
        mlp = time.perf_counter() - t
        print(f"{name:<12}{len(s.X_train):>6}{ours:>9.2f}{slow:>14.2f}{slow / ours:>9.1f}×{mlp:>8.2f}")


if __name__ == "__main__":
    main()
