"""The dataset catalog: ADBench files found under the data roots, built-ins, and custom uploads."""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from nngmix import _config
from nngmix.data._builtin import BUILTINS, load_builtin
from nngmix.data._validate import DataError, load_npz, npz_card_fields

log = logging.getLogger(__name__)

#: ADBench's groups, in its own order; a data root holds one folder per group.
ADBENCH_GROUPS = ("Classical", "CV_by_ResNet18", "CV_by_ViT", "NLP_by_BERT", "NLP_by_RoBERTa")
BUILTIN_GROUP = "Built-in"
CUSTOM_GROUP = "custom"
#: The official command line's ``--dataset`` values.
GROUP_ALIASES = {"Classical": "Classical", "CV": "CV_by_ResNet18", "NLP": "NLP_by_BERT"}


@dataclass(frozen=True)
class DatasetCard:
    """What the catalog knows of a dataset without loading it."""

    name: str
    group: str
    n_samples: int
    n_features: int
    n_anomalies: int
    size_bytes: int = 0
    path: str | None = None
    description: str = ""

    @property
    def anomaly_pct(self) -> float:
        return 100.0 * self.n_anomalies / self.n_samples if self.n_samples else 0.0

    @property
    def key(self) -> str:
        """``group/name``: unique across the catalog."""
        return f"{self.group}/{self.name}"

    def load(self) -> tuple[np.ndarray, np.ndarray]:
        """(X, y) of this dataset, validated."""
        if self.group == BUILTIN_GROUP:
            return load_builtin(self.name)
        return load_npz(self.path)


_lock = threading.Lock()


def _cache_file() -> Path:
    return _config.cache_dir("catalog") / "cards.json"


def _read_cache() -> dict:
    try:
        return json.loads(_cache_file().read_text())
    except (OSError, ValueError):
        return {}


def _card_for_file(path: Path, group: str, cache: dict) -> DatasetCard | None:
    stat = path.stat()
    key = str(path.resolve())
    hit = cache.get(key)
    if hit and hit["mtime_ns"] == stat.st_mtime_ns and hit["size_bytes"] == stat.st_size:
        fields = hit["fields"]
    else:
        try:
            fields = list(npz_card_fields(path))
        except Exception as exc:  # a broken file is listed nowhere, but said once in the log
            log.warning("Skipping %s: %s", path, exc)
            return None
        cache[key] = {"mtime_ns": stat.st_mtime_ns, "size_bytes": stat.st_size, "fields": fields}
    n, d, a = fields
    return DatasetCard(path.stem, group, n, d, a, stat.st_size, str(path))


def builtin_cards() -> list[DatasetCard]:
    cards = []
    for spec in BUILTINS.values():
        X, y = load_builtin(spec.name)
        cards.append(DatasetCard(spec.name, BUILTIN_GROUP, X.shape[0], X.shape[1], int(y.sum()), X.nbytes,
                                 None, spec.description))
    return cards


def scan(roots: list[str | os.PathLike] | None = None, include_builtin: bool = True) -> list[DatasetCard]:
    """All datasets: files under the data roots (first root wins for a name), then the built-ins.

    Cards are cached on disk by path, modification time and size, so a catalog of hundreds of files
    opens without loading them.
    """
    with _lock:
        cache = _read_cache()
        before = len(cache)
        cards: dict[str, DatasetCard] = {}
        for root in _config.data_roots(roots):
            for group in (*ADBENCH_GROUPS, CUSTOM_GROUP):
                folder = Path(root) / group
                if not folder.is_dir():
                    continue
                for path in sorted(folder.glob("*.npz")):
                    card = _card_for_file(path, group, cache)
                    if card is not None:
                        cards.setdefault(card.key, card)
        if len(cache) != before:
            _config.atomic_write(_cache_file(), json.dumps(cache))
    found = sorted(cards.values(), key=lambda c: (ADBENCH_GROUPS + (CUSTOM_GROUP,)).index(c.group))
    return found + (builtin_cards() if include_builtin else [])


def _short(name: str) -> str:
    """ADBench's file stems carry an index, '6_cardio'; users also say 'cardio'."""
    head, _, tail = name.partition("_")
    return tail if head.isdigit() and tail else name


def find(name: str, group: str | None = None, roots=None) -> DatasetCard:
    """The card of a dataset by name (``6_cardio``, ``cardio``, ``Classical/6_cardio``, ``breast_cancer``)."""
    if "/" in name and group is None:
        group, name = name.split("/", 1)
    group = GROUP_ALIASES.get(group, group) if group else None
    cards = [c for c in scan(roots) if group is None or c.group == group]
    for match in (lambda c: c.name == name, lambda c: _short(c.name).lower() == name.lower()):
        hits = [c for c in cards if match(c)]
        if hits:
            return hits[0]
    where = f" in group {group}" if group else ""
    raise DataError(
        f"No dataset named {name!r}{where}. Known: {', '.join(c.name for c in cards[:12])}"
        f"{' …' if len(cards) > 12 else ''}. Put ADBench files under a data root "
        f"(set {_config.DATA_ENV} or pass --data-dir) or fetch them with `python -m nngmix download`."
    )


def group_cards(group: str, roots=None) -> list[DatasetCard]:
    """The files of one ADBench group (``Classical``, ``CV``, ``NLP`` or a full group name), sorted by name."""
    group = GROUP_ALIASES.get(group, group)
    return sorted((c for c in scan(roots, include_builtin=False) if c.group == group), key=lambda c: c.name)


def load_dataset(name: str, group: str | None = None, roots=None) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of a dataset by name; see :func:`find`."""
    return find(name, group, roots).load()


def card_dict(card: DatasetCard) -> dict:
    out = asdict(card)
    out["anomaly_pct"] = round(card.anomaly_pct, 2)
    return out
