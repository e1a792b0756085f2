"""The run store: SQLite (WAL) in the nngmix home — the only channel between a running job and any view.

One writer per run, any number of readers (browser tabs, the command line). A run whose process died is
marked ``interrupted`` the next time a store is opened; its per-epoch metrics stay.
"""

from __future__ import annotations

import functools
import json
import os
import socket
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from nngmix import _config

SCHEMA_VERSION = 1
STATUSES = ("queued", "running", "done", "failed", "stopped", "interrupted")
ACTIVE = ("queued", "running")
STORE_ENV = "NNGMIX_STORE"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    config TEXT NOT NULL,
    config_key TEXT NOT NULL,
    versions TEXT,
    device TEXT,
    status TEXT NOT NULL,
    error TEXT,
    metrics TEXT,
    pid INTEGER,
    host TEXT,
    stop_requested INTEGER NOT NULL DEFAULT 0,
    tag TEXT
);
CREATE INDEX IF NOT EXISTS runs_status ON runs(status);
CREATE INDEX IF NOT EXISTS runs_config_key ON runs(config_key);
CREATE TABLE IF NOT EXISTS epochs (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    phase TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    loss REAL,
    auc_roc REAL,
    auc_pr REAL,
    seconds REAL,
    device TEXT,
    PRIMARY KEY (run_id, idx)
);
"""


class StoreError(RuntimeError):
    pass


def default_path() -> Path:
    return Path(os.environ.get(STORE_ENV) or _config.home() / "runs.sqlite")


def config_key(config: dict) -> str:
    """A canonical text of a configuration: equal configurations, equal keys (sweeps resume on it)."""
    return json.dumps(config, sort_keys=True, separators=(",", ":"))


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@functools.lru_cache(maxsize=1)
def library_versions() -> str:
    """The versions that produced a run, as JSON; read once per process (package metadata is parsed)."""
    import importlib.metadata as md

    out = {}
    for name in ("nngmix", "numpy", "scikit-learn", "torch"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            if name == "nngmix":
                from nngmix import __version__

                out[name] = __version__
    return json.dumps(out)


class Store:
    """Runs and their per-epoch metrics.

    Parameters
    ----------
    path : path of the SQLite file; default ``$NNGMIX_STORE`` or ``~/.nngmix/runs.sqlite``.
    """

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connect() as db:
            db.executescript(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) > SCHEMA_VERSION:
                raise StoreError(f"{self.path} has schema version {row[0]}, newer than this nngmix "
                                 f"({SCHEMA_VERSION}); upgrade nngmix or point {STORE_ENV} at another file.")
        self.recover()

    @contextmanager
    def _connect(self):
        # One connection per thread, kept open: opening one (and setting its pragmas) per call cost more
        # than the writes themselves, once per epoch. sqlite3 connections must stay in their thread.
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA foreign_keys=ON")
            self._local.db = db
        yield db

    @property
    def schema_version(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])

    def recover(self) -> int:
        """Mark queued/running runs of dead processes on this host as interrupted; returns how many."""
        host = socket.gethostname()
        with self._connect() as db:
            rows = db.execute("SELECT id, pid FROM runs WHERE status IN ('queued', 'running') AND host = ?",
                              (host,)).fetchall()
            dead = [r["id"] for r in rows if not _pid_alive(r["pid"])]
            for run_id in dead:
                db.execute("UPDATE runs SET status = 'interrupted', updated = ?, error = COALESCE(error, ?) "
                           "WHERE id = ?", (time.time(), "the process running it ended", run_id))
        return len(dead)

    # -- writing (one writer per run) -----------------------------------------------------------
    def create_run(self, config: dict, status: str = "queued", tag: str | None = None, pid: int | None = None) -> int:
        now = time.time()
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO runs (created, updated, config, config_key, versions, status, pid, host, tag) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (now, now, json.dumps(config), config_key(config), library_versions(), status,
                 pid or os.getpid(), socket.gethostname(), tag),
            )
            return int(cur.lastrowid)

    def start_run(self, run_id: int, device: str, pid: int | None = None) -> None:
        with self._connect() as db:
            db.execute("UPDATE runs SET status = 'running', device = ?, pid = ?, host = ?, updated = ? WHERE id = ?",
                       (device, pid or os.getpid(), socket.gethostname(), time.time(), run_id))

    def log_epoch(self, run_id: int, record: dict) -> bool:
        """Append one epoch record; returns whether a stop was requested (one round trip per epoch)."""
        with self._connect() as db:
            idx = db.execute("SELECT COUNT(*) FROM epochs WHERE run_id = ?", (run_id,)).fetchone()[0]
            db.execute("INSERT INTO epochs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (run_id, idx, record["phase"], record["epoch"], record.get("loss"), record.get("auc_roc"),
                        record.get("auc_pr"), record.get("seconds"), record.get("device")))
            db.execute("UPDATE runs SET updated = ? WHERE id = ?", (time.time(), run_id))
            return bool(db.execute("SELECT stop_requested FROM runs WHERE id = ?", (run_id,)).fetchone()[0])

    def finish_run(self, run_id: int, status: str, metrics: dict | None = None, error: str | None = None) -> None:
        if status not in STATUSES:
            raise ValueError(f"Unknown status {status!r}; one of {', '.join(STATUSES)}.")
        with self._connect() as db:
            db.execute("UPDATE runs SET status = ?, metrics = ?, error = ?, updated = ? WHERE id = ?",
                       (status, json.dumps(metrics) if metrics is not None else None, error, time.time(), run_id))

    def request_stop(self, run_id: int | None = None) -> None:
        """Ask a run (or, with None, every active run) to stop; honoured within one epoch."""
        with self._connect() as db:
            if run_id is None:
                db.execute("UPDATE runs SET stop_requested = 1 WHERE status IN ('queued', 'running')")
            else:
                db.execute("UPDATE runs SET stop_requested = 1 WHERE id = ?", (run_id,))

    def stop_requested(self, run_id: int) -> bool:
        with self._connect() as db:
            row = db.execute("SELECT stop_requested FROM runs WHERE id = ?", (run_id,)).fetchone()
        return bool(row and row[0])

    # -- reading ----------------------------------------------------------------------------------
    @staticmethod
    def _run_dict(row) -> dict:
        out = dict(row)
        for key in ("config", "versions", "metrics"):
            out[key] = json.loads(out[key]) if out[key] else None
        out["stop_requested"] = bool(out["stop_requested"])
        return out

    def get_run(self, run_id: int) -> dict:
        with self._connect() as db:
            row = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise KeyError(f"No run with id {run_id} in {self.path}.")
        return self._run_dict(row)

    def list_runs(self, status: str | tuple | None = None, tag: str | None = None, limit: int | None = None) -> list[dict]:
        sql, args = "SELECT * FROM runs WHERE 1 = 1", []
        if status:
            statuses = (status,) if isinstance(status, str) else tuple(status)
            sql += f" AND status IN ({', '.join('?' * len(statuses))})"
            args += statuses
        if tag:
            sql += " AND tag = ?"
            args.append(tag)
        sql += " ORDER BY id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self._connect() as db:
            return [self._run_dict(r) for r in db.execute(sql, args).fetchall()]

    def find_done(self, config: dict) -> dict | None:
        """The latest finished run of exactly this configuration, if any."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM runs WHERE config_key = ? AND status = 'done' ORDER BY id DESC LIMIT 1",
                             (config_key(config),)).fetchone()
        return self._run_dict(row) if row else None

    def epochs(self, run_ids: int | list[int]) -> list[dict]:
        ids = [run_ids] if isinstance(run_ids, int) else list(run_ids)
        if not ids:
            return []
        with self._connect() as db:
            rows = db.execute(f"SELECT * FROM epochs WHERE run_id IN ({', '.join('?' * len(ids))}) "
                              "ORDER BY run_id, idx", ids).fetchall()
        return [dict(r) for r in rows]

    def delete_run(self, run_id: int) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM epochs WHERE run_id = ?", (run_id,))
            db.execute("DELETE FROM runs WHERE id = ?", (run_id,))
