"""Background runs: start an experiment without blocking, stop it within an epoch, list, reattach by id.

Runs execute in spawned worker processes (never forked: CUDA and Streamlit's threads do not survive a
fork), in submission order, ``concurrency`` at a time. A worker never touches Streamlit; everything it
reports goes through the run store, so any process — another browser tab, the command line — reattaches
to a run by reading the store.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from nngmix.experiment import Experiment, run_experiment
from nngmix.store import ACTIVE, Store

log = logging.getLogger(__name__)


def limit_threads(n: int) -> None:
    """Cap this process's compute threads at ``n``: torch's intra-op pool and every BLAS (threadpoolctl).
    Worker processes sharing the cores would otherwise oversubscribe them, and the BLAS threads spin
    while they wait (two workers with two threads each ran a sweep 3× slower than with one)."""
    import scipy.linalg  # noqa: F401  (loads the BLAS the compiled epochs call, so that it is capped too)
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(n)
    threadpool_limits(n)


def _worker(run_id: int, store_path: str) -> None:
    """Runs in the worker process: the run's configuration comes from the store, results go back to it."""
    store = Store(store_path)
    config = store.get_run(run_id)["config"]
    try:
        run_experiment(Experiment.from_dict(config), store=store, run_id=run_id)
    except Exception as exc:  # recorded as failed by run_experiment; the worker lives on
        log.info("run %s failed: %s", run_id, exc)


class JobManager:
    """Queue of background runs.

    Parameters
    ----------
    store : Store or path, optional
    concurrency : int
        Runs executing at once (1: in submission order, one after the other).
    """

    def __init__(self, store: Store | str | None = None, concurrency: int = 1):
        self.store = store if isinstance(store, Store) else Store(store)
        self.concurrency = concurrency
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[int, Future] = {}

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.concurrency,
                                             mp_context=multiprocessing.get_context("spawn"),
                                             initializer=limit_threads,
                                             initargs=(max(1, (os.cpu_count() or 1) // self.concurrency),))
        return self._pool

    def submit(self, experiment: Experiment, tag: str | None = None) -> int:
        """Queue a run; returns its id at once. Bad settings raise here, before anything is queued."""
        experiment.validate()
        run_id = self.store.create_run(experiment.to_dict(), status="queued", tag=tag, pid=os.getpid())
        with self._lock:
            try:
                future = self._executor().submit(_worker, run_id, str(self.store.path))
            except BrokenProcessPool:
                self._pool = None
                future = self._executor().submit(_worker, run_id, str(self.store.path))
            self._futures[run_id] = future
            future.add_done_callback(lambda f, rid=run_id: self._on_done(rid, f))
        return run_id

    def _on_done(self, run_id: int, future: Future) -> None:
        exc = future.exception()
        if exc is not None:  # the worker process itself died (crash, kill): record it, keep serving
            self.store.finish_run(run_id, "failed", error=f"worker process failed: {exc!r}")
            if isinstance(exc, BrokenProcessPool):
                with self._lock:
                    self._pool = None

    def stop(self, run_id: int) -> None:
        """Stop a run: a queued one never starts, a running one ends within one epoch."""
        self.store.request_stop(run_id)

    def stop_all(self) -> None:
        self.store.request_stop(None)

    def status(self, run_id: int) -> dict:
        return self.store.get_run(run_id)

    def active(self) -> list[dict]:
        return self.store.list_runs(status=ACTIVE)

    def wait(self, run_id: int, timeout: float | None = None) -> dict:
        """Block until a run of this manager ends (tests, scripts); returns its store record."""
        future = self._futures.get(run_id)
        if future is not None:
            try:
                future.result(timeout=timeout)
            except BrokenProcessPool:
                pass  # recorded as failed by _on_done
        return self.store.get_run(run_id)

    def shutdown(self, wait: bool = True) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=wait, cancel_futures=not wait)
                self._pool = None
