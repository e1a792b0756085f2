"""Seconds from `streamlit run app.py` to a usable first page, in headless Debian chromium.

    python benchmarks/bench_app_start.py [--repeats 3]

The browser is started first (its own start-up is not the app's); then the clock starts with the server
process. Printed per run: the server's health check answers, the page title shows, and the Data page
shows the protocol split's numbers (the page is usable). Target: usable within 3 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_run(browser, home: str) -> dict:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    page = browser.new_page()
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env={**os.environ, "NNGMIX_HOME": home}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.02)
        times = {"health": time.perf_counter() - start}
        page.goto(url)
        page.get_by_text("Protocol").first.wait_for(timeout=60_000)
        times["page"] = time.perf_counter() - start
        page.locator('[data-testid="stMetric"]').filter(has_text="labeled anomalies").first.wait_for(timeout=60_000)
        times["usable"] = time.perf_counter() - start
        return times
    finally:
        page.close()
        proc.terminate()
        proc.wait(timeout=20)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args(argv)
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("Debian's chromium is needed: apt-get install chromium")
    with sync_playwright() as pw, tempfile.TemporaryDirectory() as home:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        one_run(browser, home)  # warm-up: the built-in dataset and its card get cached on disk, as after a first use
        print(f"{'run':<5}{'health s':>10}{'page s':>9}{'usable s':>10}")
        runs = [one_run(browser, home) for _ in range(a.repeats)]
        for i, t in enumerate(runs, 1):
            print(f"{i:<5}{t['health']:>10.2f}{t['page']:>9.2f}{t['usable']:>10.2f}")
        best = min(t["usable"] for t in runs)
        print(f"best usable {best:.2f} s (target 3 s: {'met' if best <= 3 else 'missed'})")
        browser.close()


if __name__ == "__main__":
    main()
