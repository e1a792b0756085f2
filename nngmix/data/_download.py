"""``python -m nngmix download``: fetch ADBench files into a data root, safely.

Each file is written to ``NAME.npz.part``, resumed with an HTTP Range request when a part is already
there (restarted when the server ignores the range), loaded and validated, and only then renamed into
place: an interrupted or broken download never leaves a file the catalog would list.
"""

from __future__ import annotations

import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from nngmix.data._validate import DataError, load_npz

log = logging.getLogger(__name__)

#: Where ADBench keeps its files; ``--base-url`` or $NNGMIX_ADBENCH_URL point elsewhere (a mirror, a test server).
DEFAULT_BASE_URL = "https://github.com/Minqi824/ADBench/raw/main/adbench/datasets"
BASE_URL_ENV = "NNGMIX_ADBENCH_URL"

_CV_NAMES = (
    [f"CIFAR10_{i}" for i in range(10)] + [f"FashionMNIST_{i}" for i in range(10)] + [f"SVHN_{i}" for i in range(10)]
    + [f"MNIST-C_{c}" for c in ("brightness", "canny_edges", "dotted_line", "fog", "glass_blur", "identity",
                                "impulse_noise", "motion_blur", "rotate", "scale", "shear", "shot_noise",
                                "spatter", "stripe", "translate", "zigzag")]
    + [f"MVTec-AD_{c}" for c in ("bottle", "cable", "capsule", "carpet", "grid", "hazelnut", "leather",
                                 "metal_nut", "pill", "screw", "tile", "toothbrush", "transistor", "wood", "zipper")]
)
_NLP_NAMES = [f"20news_{i}" for i in range(6)] + [f"agnews_{i}" for i in range(4)] + ["amazon", "imdb", "yelp"]

#: ADBench's file names per group (47 Classical, 61 CV, 13 NLP).
ADBENCH_FILES: dict[str, list[str]] = {
    "Classical": [
        "1_ALOI", "2_annthyroid", "3_backdoor", "4_breastw", "5_campaign", "6_cardio", "7_Cardiotocography",
        "8_celeba", "9_census", "10_cover", "11_donors", "12_fault", "13_fraud", "14_glass", "15_Hepatitis",
        "16_http", "17_InternetAds", "18_Ionosphere", "19_landsat", "20_letter", "21_Lymphography",
        "22_magic.gamma", "23_mammography", "24_mnist", "25_musk", "26_optdigits", "27_PageBlocks",
        "28_pendigits", "29_Pima", "30_satellite", "31_satimage-2", "32_shuttle", "33_skin", "34_smtp",
        "35_SpamBase", "36_speech", "37_Stamps", "38_thyroid", "39_vertebral", "40_vowels", "41_Waveform",
        "42_WBC", "43_WDBC", "44_Wilt", "45_wine", "46_WPBC", "47_yeast",
    ],
    "CV_by_ResNet18": list(_CV_NAMES),
    "CV_by_ViT": list(_CV_NAMES),
    "NLP_by_BERT": list(_NLP_NAMES),
    "NLP_by_RoBERTa": list(_NLP_NAMES),
}


class DownloadError(RuntimeError):
    """A download failed; the message says why and what to try."""


@dataclass
class DownloadResult:
    name: str
    group: str
    path: Path
    status: str  # "downloaded", "skipped", "failed"
    message: str = ""


def resolve_names(names: list[str], group: str | None) -> list[tuple[str, str]]:
    """(group, name) pairs for the requested names; all of a group when no name is given."""
    from nngmix.data._catalog import GROUP_ALIASES, _short

    groups = [GROUP_ALIASES.get(group, group)] if group else list(ADBENCH_FILES)
    unknown = [g for g in groups if g not in ADBENCH_FILES]
    if unknown:
        raise DownloadError(f"Unknown group {unknown[0]!r}; choose one of {', '.join(ADBENCH_FILES)} (or CV, NLP).")
    if not names:
        if not group:
            raise DownloadError("Name datasets to fetch, or a whole group with --group (e.g. --group Classical).")
        return [(groups[0], n) for n in ADBENCH_FILES[groups[0]]]
    pairs = []
    for name in names:
        hits = [(g, n) for g in groups for n in ADBENCH_FILES[g] if name in (n, _short(n))]
        if not hits:
            raise DownloadError(f"No ADBench dataset named {name!r}"
                                f"{' in ' + groups[0] if group else ''}; examples: 6_cardio, cardio, CIFAR10_0.")
        pairs.append(hits[0])
    return pairs


def download_file(url: str, target: Path, timeout: float = 60.0,
                  progress: Callable[[int, int | None], None] | None = None) -> None:
    """Fetch ``url`` into ``target`` through ``target.part``, resuming a partial file; validate; rename."""
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "nngmix"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            resumed = have and response.status == 206
            mode = "ab" if resumed else "wb"
            total = response.length
            done = have if resumed else 0
            if total is not None:
                total += done
            with open(part, mode) as out:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # range past the end: the part is complete or stale; start over
            part.unlink()
            return download_file(url, target, timeout, progress)
        raise DownloadError(f"{url}: the server answered {exc.code} {exc.reason}.") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"Could not reach {url} ({reason}). Check the internet connection (or a proxy), or point "
            f"--base-url / ${BASE_URL_ENV} at a mirror. The partial file is kept and the next run resumes it."
        ) from None
    try:
        load_npz(part)
    except DataError as exc:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{url}: the downloaded file is not a valid ADBench npz ({exc}); removed it.") from None
    os.replace(part, target)


def download(names: list[str], group: str | None = None, data_dir: str | os.PathLike | None = None,
             base_url: str | None = None, progress: Callable[[str, int, int | None], None] | None = None,
             ) -> list[DownloadResult]:
    """Fetch ADBench datasets into ``data_dir/<group>/NAME.npz``; files already there are skipped."""
    from nngmix import _config

    root = Path(data_dir) if data_dir else _config.PROJECT_DATA
    base = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    results = []
    for grp, name in resolve_names(names, group):
        target = root / grp / f"{name}.npz"
        if target.exists():
            results.append(DownloadResult(name, grp, target, "skipped", "already there"))
            continue
        cb = (lambda done, total, n=name: progress(n, done, total)) if progress else None
        try:
            download_file(f"{base}/{grp}/{name}.npz", target, progress=cb)
            results.append(DownloadResult(name, grp, target, "downloaded"))
        except DownloadError as exc:
            results.append(DownloadResult(name, grp, target, "failed", str(exc)))
    return results
