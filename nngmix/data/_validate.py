"""Loading and validating user and ADBench data: every failure names the file and the rule."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np


class DataError(ValueError):
    """A dataset file or array breaks a rule; the message says which and what to do."""


def validate_xy(X, y, source: str = "data") -> tuple[np.ndarray, np.ndarray]:
    """Check and cast a dataset.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Numeric, finite features.
    y : array-like of shape (n_samples,)
        Binary labels, 1 = anomaly, 0 = normal, with at least one anomaly.
    source : str
        Named in error messages (a file name, "upload", …).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), int64
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2:
        raise DataError(f"{source}: X must be a 2-D array (rows × features); got {X.ndim}-D of shape {X.shape}.")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise DataError(f"{source}: X is empty (shape {X.shape}); it needs at least one row and one feature.")
    if not (np.issubdtype(X.dtype, np.number) or X.dtype == bool):
        raise DataError(f"{source}: X must be numeric; got dtype {X.dtype}. Encode text columns as numbers first.")
    X = X.astype(np.float64, copy=False)
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any():
        raise DataError(
            f"{source}: X has {int(bad.sum())} row(s) with NaN or infinite values (first at row "
            f"{int(np.flatnonzero(bad)[0])}); drop or impute them first."
        )
    y = y.reshape(-1) if y.ndim == 2 and 1 in y.shape else y
    if y.ndim != 1:
        raise DataError(f"{source}: y must be 1-D; got shape {y.shape}.")
    if len(y) != len(X):
        raise DataError(f"{source}: X has {len(X)} rows but y has {len(y)} labels; they must match.")
    if not (np.issubdtype(y.dtype, np.number) or y.dtype == bool):
        raise DataError(f"{source}: y must hold 0 (normal) and 1 (anomaly); got dtype {y.dtype}.")
    values = np.unique(y)
    if not np.isin(values, [0, 1]).all():
        shown = ", ".join(str(v) for v in values[:6])
        raise DataError(f"{source}: y must hold only 0 (normal) and 1 (anomaly); found values {shown}.")
    y = y.astype(np.int64)
    if y.sum() == 0:
        raise DataError(f"{source}: y has no anomaly (no 1); anomaly detection needs at least one.")
    return X, y


def load_npz(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Load an ADBench-style ``.npz`` with arrays ``X`` and ``y``, refusing pickled content."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file.")
    if not zipfile.is_zipfile(path):  # np.load would take any other file for a pickle
        raise DataError(f"{path.name}: not a readable .npz file (an .npz is a zip of .npy arrays).")
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = {"X", "y"} - set(data.files)
            if missing:
                raise DataError(
                    f"{path.name}: missing array(s) {', '.join(sorted(missing))}; an ADBench file holds "
                    f"arrays 'X' and 'y' (found: {', '.join(data.files) or 'none'})."
                )
            X, y = data["X"], data["y"]
    except DataError:
        raise
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DataError(
                f"{path.name}: holds pickled (object) arrays, which are refused because loading a pickle runs "
                "code. Save plain numeric arrays: np.savez(path, X=X.astype(float), y=y.astype(int))."
            ) from None
        raise DataError(f"{path.name}: not a readable .npz file ({exc}).") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DataError(f"{path.name}: not a readable .npz file ({exc}).") from None
    return validate_xy(X, y, source=path.name)


def load_csv(path_or_buffer, label_column: str, source: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Load a CSV with one label column (0 normal / 1 anomaly) and numeric feature columns."""
    import pandas as pd

    source = source or str(getattr(path_or_buffer, "name", path_or_buffer))
    try:
        frame = pd.read_csv(path_or_buffer)
    except Exception as exc:  # pandas raises many types for malformed text
        raise DataError(f"{source}: not a readable CSV file ({exc}).") from None
    if label_column not in frame.columns:
        raise DataError(
            f"{source}: no label column {label_column!r}; columns are {', '.join(map(str, frame.columns[:20]))}."
        )
    y = frame.pop(label_column)
    non_numeric = [str(c) for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_numeric:
        raise DataError(
            f"{source}: non-numeric feature column(s) {', '.join(non_numeric[:10])}; "
            "encode or drop them before uploading."
        )
    if y.isna().any():
        raise DataError(f"{source}: label column {label_column!r} has {int(y.isna().sum())} empty value(s).")
    return validate_xy(frame.to_numpy(), y.to_numpy(), source=source)


def npz_card_fields(path: Path) -> tuple[int, int, int]:
    """(n_samples, n_features, n_anomalies) of an ``.npz`` without loading X: X's header is read from the zip."""
    with zipfile.ZipFile(path) as zf, zf.open("X.npy") as fp:
        version = np.lib.format.read_magic(fp)
        if version == (1, 0):
            shape, _, _ = np.lib.format.read_array_header_1_0(fp)
        else:
            shape, _, _ = np.lib.format.read_array_header_2_0(fp)
    with np.load(path, allow_pickle=False) as data:
        y = data["y"]
    n_features = shape[1] if len(shape) == 2 else 0
    return int(shape[0]), int(n_features), int(np.asarray(y == 1).sum())
