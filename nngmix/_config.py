"""Where nngmix keeps its files: one source of truth for paths and environment variables."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable naming extra data roots (``os.pathsep``-separated), e.g. ``../shared/adbench``.
DATA_ENV = "NNGMIX_DATA"
#: Environment variable overriding the home folder (run store, caches, uploads).
HOME_ENV = "NNGMIX_HOME"

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The project's own data root; its ``*.npz`` files are git-ignored.
PROJECT_DATA = PROJECT_ROOT / "datasets"


def home() -> Path:
    """The nngmix home folder (``$NNGMIX_HOME`` or ``~/.nngmix``), created on first use."""
    path = Path(os.environ.get(HOME_ENV) or Path.home() / ".nngmix").expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir(name: str) -> Path:
    """A named cache folder under the home folder."""
    path = home() / "cache" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_roots(extra: list[str | os.PathLike] | None = None) -> list[Path]:
    """Data roots in priority order: explicit ones, then ``$NNGMIX_DATA``, then the project's ``datasets/``.

    A root holds ADBench group folders (``Classical/``, ``CV_by_ResNet18/`` …) with one ``.npz`` per
    dataset, and optionally a ``custom/`` folder with the user's own files.
    """
    roots: list[Path] = [Path(p).expanduser() for p in (extra or [])]
    env = os.environ.get(DATA_ENV, "")
    roots += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    roots.append(PROJECT_DATA)
    roots.append(home() / "datasets")
    seen: set[Path] = set()
    unique = []
    for root in roots:
        key = root.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(root)
    return unique


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write a file so that readers see the old or the new content, never a part; safe when several
    processes write the same cache file at once (each writes its own temporary file, the last rename wins)."""
    import tempfile

    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
