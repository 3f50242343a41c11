"""`dialer models download`: verified download over real HTTP on 127.0.0.1, and a clear offline error."""

from __future__ import annotations

import hashlib
import http.server
import io
import socket
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dialer.errors import ModelNotAvailable
from dialer.speech.download import MODEL_NAME, download_model


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _model_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"{MODEL_NAME}/am/final.mdl", b"acoustic model")
        zf.writestr(f"{MODEL_NAME}/conf/mfcc.conf", b"--use-energy=false\n")
    return buf.getvalue()


@pytest.fixture
def mirror() -> Iterator[tuple[str, str]]:
    """Serve a small model zip over HTTP on 127.0.0.1; yield its URL and SHA-256."""
    body = _model_zip()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/model.zip", hashlib.sha256(body).hexdigest()
    server.shutdown()
    server.server_close()


def test_it_unpacks_a_verified_model(mirror: tuple[str, str], tmp_path: Path) -> None:
    url, sha = mirror

    folder = download_model(tmp_path, url=url, sha256=sha)

    assert folder == tmp_path / MODEL_NAME
    assert (folder / "am" / "final.mdl").read_bytes() == b"acoustic model"
    assert sorted(p.name for p in tmp_path.iterdir()) == [MODEL_NAME]  # no .part or staging left


def test_a_checksum_mismatch_keeps_nothing(mirror: tuple[str, str], tmp_path: Path) -> None:
    url, _ = mirror

    with pytest.raises(ModelNotAvailable, match=r"SHA-256 为 .*，应为 3af8b0e7"):
        download_model(tmp_path, url=url)

    assert list(tmp_path.iterdir()) == []


def test_offline_gives_a_clear_error(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_unused_port()}/model.zip"

    with pytest.raises(ModelNotAvailable, match=r"没有联网.*VOSK_MODEL_PATH 设为"):
        download_model(tmp_path, url=url, timeout=2)


def test_the_command_checks_the_official_checksum(mirror: tuple[str, str], tmp_path: Path) -> None:
    url, sha = mirror
    # The command always checks the official SHA-256, so a mirror of a fake zip must fail it.
    done = _dialer("models", "download", "--dir", str(tmp_path), "--url", url)

    assert done.returncode == 1
    assert "错误：从 " in done.stderr and sha not in done.stdout


def test_the_command_offline_exits_1_with_the_reason(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_unused_port()}/model.zip"

    done = _dialer("models", "download", "--dir", str(tmp_path), "--url", url, "--timeout", "2")

    assert done.returncode == 1
    assert "错误：无法从 " in done.stderr
    assert "Traceback" not in done.stderr


def test_an_already_unpacked_model_is_not_fetched_again(tmp_path: Path) -> None:
    (tmp_path / MODEL_NAME / "am").mkdir(parents=True)
    (tmp_path / MODEL_NAME / "am" / "final.mdl").write_bytes(b"x")

    assert download_model(tmp_path, url="http://127.0.0.1:1/never") == tmp_path / MODEL_NAME


def test_the_command_prints_the_path_to_set(tmp_path: Path) -> None:
    (tmp_path / MODEL_NAME / "am").mkdir(parents=True)
    (tmp_path / MODEL_NAME / "am" / "final.mdl").write_bytes(b"x")

    done = _dialer("models", "download", "--dir", str(tmp_path))

    assert done.returncode == 0, done.stderr
    assert f"VOSK_MODEL_PATH={(tmp_path / MODEL_NAME).resolve()}" in done.stdout


def _dialer(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("dialer")
    return subprocess.run([str(script), *args], capture_output=True, text=True, timeout=60, check=False)
