"""Datasets: the catalog, the ADBench loader, the official protocol split, built-ins and downloads."""

from nngmix.data._builtin import BUILTINS, DEFAULT_DATASET, load_builtin
from nngmix.data._catalog import (
    ADBENCH_GROUPS,
    BUILTIN_GROUP,
    CUSTOM_GROUP,
    GROUP_ALIASES,
    DatasetCard,
    card_dict,
    find,
    group_cards,
    load_dataset,
    scan,
)
from nngmix.data._split import Split, protocol_split
from nngmix.data._validate import DataError, load_csv, load_npz, validate_xy

__all__ = [
    "ADBENCH_GROUPS",
    "BUILTINS",
    "BUILTIN_GROUP",
    "CUSTOM_GROUP",
    "DEFAULT_DATASET",
    "GROUP_ALIASES",
    "DataError",
    "DatasetCard",
    "Split",
    "card_dict",
    "find",
    "group_cards",
    "load_builtin",
    "load_csv",
    "load_dataset",
    "load_npz",
    "protocol_split",
    "scan",
    "validate_xy",
]
