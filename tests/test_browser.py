"""End to end in a real browser: Playwright drives Debian's chromium against `streamlit run` on loopback.

Choose a dataset, change k and the multiplier and see the projection update, launch a short training run,
see curve points appear, stop the runs. Screenshots land in test-artifacts/ (git-ignored).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(home / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env={**os.environ, "NNGMIX_HOME": str(home)}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + (home / "streamlit.log").read_text()[-2000:])
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def plot_traces(page, index):
    """Trace names, point counts and hover texts of the index-th plotly chart on the page."""
    return page.evaluate(
        """(i) => Array.from(document.querySelectorAll('.js-plotly-plot'))[i]._fullData.map(
               t => ({name: t.name, n: (t.x || []).length, text: t.text ? Array.from(t.text).slice(0, 50) : null,
                      y: t.y ? Array.from(t.y) : []}))""", index)


def pseudo(page):
    charts = page.locator(".js-plotly-plot")
    for i in range(charts.count()):
        for trace in plot_traces(page, i):
            if trace["name"] == "pseudo-anomalies":
                return trace
    return None


def wait_until(fn, timeout=60, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_explore_generate_train_stop(server):
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.set_default_timeout(90_000)
        page.goto(server)

        # -- Data: pick a dataset, its card follows
        page.get_by_text("Protocol").wait_for()
        page.locator('[data-testid="stSelectbox"]').filter(has_text="Dataset").click()
        page.get_by_role("option", name="synthetic_cluster").click()
        samples = page.locator('[data-testid="stMetric"]').filter(has_text="samples")
        wait_until(lambda: "2,000" in samples.inner_text(), what="the card of synthetic_cluster")
        sidebar = page.locator('[data-testid="stSidebar"]')
        wait_until(lambda: "Built-in/synthetic_cluster" in sidebar.inner_text(), what="the sidebar to follow the choice")
        page.screenshot(path=str(ARTIFACTS / "1-data.png"), full_page=True)

        # -- Generate: the projection shows pseudo-anomalies; k and the multiplier update it
        page.get_by_role("link", name="Generate").click()
        page.get_by_text("PCA", exact=True).click()  # instant projection; UMAP is covered by AppTest
        first = wait_until(lambda: pseudo(page), what="the pseudo-anomaly trace")
        labeled = int(page.locator('[data-testid="stMetric"]').filter(has_text="pseudo-anomalies").inner_text().split()[-1])
        assert first["n"] == labeled > 0
        k_slider = page.get_by_role("slider").first  # "k (unlabeled neighbours)", 10 by default
        k_slider.focus()
        for _ in range(5):
            k_slider.press("ArrowRight")
        wait_until(lambda: "15" in page.locator('[data-testid="stSlider"]').first.inner_text(), what="k = 15")
        second = wait_until(lambda: (t := pseudo(page)) and t["text"] != first["text"] and t, what="a new plot after k")
        assert second["n"] == first["n"]  # same count, other partners
        page.screenshot(path=str(ARTIFACTS / "2-generate.png"), full_page=True)

        # -- Train: DeepSAD with long pre-training, so there is something to stop
        page.get_by_role("link", name="Train").click()
        page.locator('[data-testid="stMultiSelect"]').filter(has_text="Detectors").click()
        page.get_by_role("option", name="DeepSAD").click()
        page.keyboard.press("Escape")
        page.get_by_label("DeepSAD pre-training epochs").fill("500")
        page.get_by_label("Training epochs (MLP: at most)").fill("20")
        page.get_by_role("button", name="Train").click()

        def curve_points():
            if page.locator(".js-plotly-plot").count() == 0:
                return 0
            return sum(len([v for v in t["y"] if v is not None]) for t in plot_traces(page, 0))

        try:
            wait_until(lambda: curve_points() > 3, timeout=120, what="AUC curve points")
        finally:
            page.screenshot(path=str(ARTIFACTS / "3-train-live.png"), full_page=True)
        page.locator("code", has_text="running").first.wait_for()
        page.get_by_role("button", name="Stop all").click()
        wait_until(lambda: page.locator("code", has_text="stopped").count() > 0, timeout=60, what="a stopped run")
        wait_until(lambda: page.locator("code", has_text="running").count() == 0, timeout=60, what="no run left running")
        page.screenshot(path=str(ARTIFACTS / "4-train-stopped.png"), full_page=True)
        browser.close()
