"""`python -m nngmix download` against a local HTTP server serving small npz files."""

import io
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from nngmix.cli import main
from nngmix.data import load_npz
from nngmix.data._download import download


class RangeHandler(SimpleHTTPRequestHandler):
    """Serves files, honouring ``Range: bytes=N-`` unless the server says not to; counts requests."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.requests.append((self.path, self.headers.get("Range")))
        path = self.translate_path(self.path)
        try:
            data = open(path, "rb").read()
        except OSError:
            self.send_error(404)
            return
        start = 0
        rng = self.headers.get("Range")
        if rng and self.server.honour_range:
            start = int(rng.split("=")[1].rstrip("-"))
            if start >= len(data):
                self.send_error(416)
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        self.wfile.write(data[start:])


@pytest.fixture
def server(tmp_path):
    served = tmp_path / "served"
    for group, name in [("Classical", "6_cardio"), ("Classical", "14_glass")]:
        (served / group).mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(len(name))
        np.savez(served / group / f"{name}.npz", X=rng.random((50, 4)), y=np.r_[np.zeros(45, int), np.ones(5, int)])
    (served / "Classical" / "47_yeast.npz").write_bytes(b"<html>not found</html>")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(RangeHandler, directory=str(served)))
    httpd.requests, httpd.honour_range = [], True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.served = served
    yield httpd
    httpd.shutdown()


def test_download_fetches_validates_and_skips(server, tmp_path):
    root = tmp_path / "data"
    results = download(["cardio", "14_glass"], data_dir=root, base_url=server.url)
    assert [r.status for r in results] == ["downloaded", "downloaded"]
    X, y = load_npz(root / "Classical" / "6_cardio.npz")
    assert X.shape == (50, 4) and y.sum() == 5
    assert not list(root.rglob("*.part"))
    n_requests = len(server.requests)
    again = download(["cardio"], data_dir=root, base_url=server.url)
    assert again[0].status == "skipped" and len(server.requests) == n_requests


@pytest.mark.parametrize("honour_range", [True, False])
def test_download_resumes_or_restarts_a_partial_file(server, tmp_path, honour_range):
    server.honour_range = honour_range
    root = tmp_path / "data"
    full = (server.served / "Classical" / "6_cardio.npz").read_bytes()
    part = root / "Classical" / "6_cardio.npz.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(full[:100])  # an interrupted earlier run
    assert download(["cardio"], data_dir=root, base_url=server.url)[0].status == "downloaded"
    assert (root / "Classical" / "6_cardio.npz").read_bytes() == full
    assert server.requests[-1][1] == "bytes=100-"


def test_download_rejects_an_invalid_file_and_keeps_nothing(server, tmp_path):
    root = tmp_path / "data"
    result = download(["yeast"], data_dir=root, base_url=server.url)[0]
    assert result.status == "failed" and "not a valid ADBench npz" in result.message
    assert not list(root.rglob("*.npz*"))


def test_download_cli_without_network_says_so(tmp_path, capsys):
    code = main(["download", "cardio", "--data-dir", str(tmp_path), "--base-url", "http://127.0.0.1:9", "--quiet"])
    out = capsys.readouterr().out
    assert code == 1 and "Could not reach http://127.0.0.1:9/Classical/6_cardio.npz" in out
    assert "Check the internet connection" in out


def test_download_cli_unknown_name_and_group(tmp_path, capsys):
    assert main(["download", "nope", "--data-dir", str(tmp_path)]) == 2
    assert "No ADBench dataset named 'nope'" in capsys.readouterr().err
    assert main(["download", "--group", "Images", "--data-dir", str(tmp_path)]) == 2
    assert "Unknown group 'Images'" in capsys.readouterr().err


def test_download_cli_whole_group_through_the_catalog(server, tmp_path, capsys, monkeypatch):
    from nngmix.data import find
    from nngmix.data._download import ADBENCH_FILES

    monkeypatch.setitem(ADBENCH_FILES, "Classical", ["6_cardio", "14_glass"])
    assert main(["download", "--group", "Classical", "--data-dir", str(tmp_path), "--base-url", server.url, "--quiet"]) == 0
    assert "2 of 2 file(s) ready" in capsys.readouterr().out
    monkeypatch.setenv("NNGMIX_DATA", str(tmp_path))
    assert find("glass").n_samples == 50
