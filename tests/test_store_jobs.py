"""Run store (concurrent readers, recovery, schema) and background jobs (start, stop, failures)."""

import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from nngmix.experiment import Experiment, run_experiment
from nngmix.jobs import JobManager
from nngmix.store import SCHEMA_VERSION, Store, StoreError

QUICK = dict(dataset="synthetic_local", detector="DeepSAD", multiplier=1, detector_params={"pretrain_epochs": 2, "epochs": 3})


def test_run_experiment_records_every_epoch(tmp_path):
    store = Store(tmp_path / "runs.sqlite")
    metrics = run_experiment(Experiment(**QUICK), store=store)
    run = store.get_run(metrics["run_id"])
    assert run["status"] == "done" and run["device"] == "cpu"
    assert run["metrics"]["auc_roc"] == pytest.approx(metrics["auc_roc"]) and run["metrics"]["auc_roc"] > 0.7
    assert run["config"]["dataset"] == "synthetic_local" and "torch" in run["versions"]
    epochs = store.epochs(run["id"])
    assert [e["phase"] for e in epochs] == ["pretrain"] * 2 + ["train"] * 3
    assert all(0 <= e["auc_roc"] <= 1 for e in epochs)
    assert metrics["n_generated"] == metrics["n_labeled"]  # multiplier 1


def test_reader_while_a_writer_writes(tmp_path):
    store = Store(tmp_path / "runs.sqlite")
    run_id = store.create_run({"x": 1})
    errors, seen = [], {0: [], 1: []}
    readers_started = threading.Barrier(3)  # the writer starts only once both readers are reading
    done = threading.Event()

    def write():
        writer = Store(tmp_path / "runs.sqlite")
        readers_started.wait()
        for i in range(200):
            writer.log_epoch(run_id, {"phase": "train", "epoch": i + 1, "loss": 1.0 / (i + 1)})
            if i % 20 == 0:
                time.sleep(0.005)  # let the readers interleave with the writes
        done.set()

    def read(k):
        reader = Store(tmp_path / "runs.sqlite")
        try:
            seen[k].append(len(reader.epochs(run_id)))
            readers_started.wait()
            while not done.is_set():
                seen[k].append(len(reader.epochs(run_id)))
            seen[k].append(len(reader.epochs(run_id)))
        except sqlite3.Error as exc:  # pragma: no cover - the failure this test guards against
            errors.append(exc)

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(store.epochs(run_id)) == 200
    for counts in seen.values():  # each reader saw the run grow from empty to complete, never shrink
        assert counts == sorted(counts) and counts[0] == 0 and counts[-1] == 200 and len(set(counts)) > 2


def test_interrupted_run_is_marked_and_keeps_its_metrics(tmp_path):
    path = tmp_path / "runs.sqlite"
    code = f"""
import os
from nngmix.store import Store
s = Store({str(path)!r})
rid = s.create_run({{'x': 1}})
s.start_run(rid, 'cpu')
s.log_epoch(rid, {{'phase': 'train', 'epoch': 1, 'loss': 0.5, 'auc_roc': 0.7}})
os._exit(0)  # dies without finishing the run
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.getcwd(), env={**os.environ, "PYTHONPATH": os.getcwd()})
    store = Store(path)
    run = store.list_runs()[0]
    assert run["status"] == "interrupted" and "process running it ended" in run["error"]
    assert store.epochs(run["id"])[0]["auc_roc"] == 0.7


def test_schema_version(tmp_path):
    store = Store(tmp_path / "runs.sqlite")
    assert store.schema_version == SCHEMA_VERSION
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99, newer than this nngmix"):
        Store(store.path)


@pytest.fixture
def jobs(tmp_path):
    manager = JobManager(tmp_path / "runs.sqlite")
    yield manager
    manager.shutdown(wait=False)


def test_job_runs_in_background_and_reattaches(jobs, tmp_path):
    run_id = jobs.submit(Experiment(**QUICK))
    assert jobs.status(run_id)["status"] in ("queued", "running")  # submit did not block
    done = jobs.wait(run_id, timeout=120)
    assert done["status"] == "done" and done["metrics"]["auc_roc"] > 0.7
    # another process-level view (a second tab, the CLI) sees the same run from the store
    assert Store(tmp_path / "runs.sqlite").get_run(run_id)["metrics"] == done["metrics"]


def test_job_stop_within_an_epoch_and_queue_order(jobs):
    long = Experiment(**{**QUICK, "detector_params": {"pretrain_epochs": 2000, "epochs": 10}})
    first = jobs.submit(long)
    second = jobs.submit(Experiment(**QUICK))
    deadline = time.time() + 60
    while not jobs.store.epochs(first) and time.time() < deadline:
        time.sleep(0.1)
    assert jobs.status(second)["status"] == "queued"  # runs execute in order, one at a time
    jobs.stop(first)
    logged_at_stop = len(jobs.store.epochs(first))
    run = jobs.wait(first, timeout=60)
    assert run["status"] == "stopped"
    # the epoch that was running when the stop landed is the last one: each epoch's record reads the flag
    assert 0 < len(jobs.store.epochs(first)) <= logged_at_stop + 1
    assert jobs.wait(second, timeout=120)["status"] == "done"


def test_failing_run_keeps_its_message_and_the_queue_lives(jobs):
    bad = jobs.submit(Experiment(**{**QUICK, "dataset": "no_such_dataset"}))
    good = jobs.submit(Experiment(**QUICK))
    failed = jobs.wait(bad, timeout=120)
    assert failed["status"] == "failed" and "No dataset named 'no_such_dataset'" in failed["error"]
    assert jobs.wait(good, timeout=120)["status"] == "done"


def test_bad_settings_are_refused_before_queueing(jobs):
    with pytest.raises(ValueError, match="Unknown method 'magic'"):
        jobs.submit(Experiment(method="magic"))
    with pytest.raises(ValueError, match="multiplier must be a number ≥ 0"):
        jobs.submit(Experiment(multiplier=-1))
    with pytest.raises(ValueError, match="nng_mix has no parameter\\(s\\) kk"):
        jobs.submit(Experiment(method_params={"kk": 3}))
    assert jobs.store.list_runs() == []


def test_limit_threads_caps_torch_and_every_blas():
    """Workers sharing the cores run single-threaded: torch's pool and the BLAS libraries (scipy's, which
    the compiled epochs call) are all capped."""
    code = """
from threadpoolctl import threadpool_info
import torch
from nngmix.jobs import limit_threads
limit_threads(1)
print(torch.get_num_threads(), sorted({i["num_threads"] for i in threadpool_info()}), len(threadpool_info()))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))).stdout.split()
    assert out[0] == "1" and out[1] == "[1]" and int(out[2]) >= 1
