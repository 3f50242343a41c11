"""Request bodies are limited per route before they are read; hostile paths, forms and page numbers get a plain
4xx, never a traceback; every answer carries CSP and Permissions-Policy, and HSTS behind an https public URL.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dialer.app import create_app
from dialer.cli import main
from dialer.gateway.signature import compute_signature
from dialer.model import Database, Recording
from dialer.services import services
from dialer.web.guard import WEBHOOK_MAX_BYTES
from tests.serving import serving
from tests.web.seed import Seeded, sign_in


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    with serving(app) as url:
        yield url


def _raw_post(base: str, path: str, declared: int, send: int) -> str:
    """Send headers declaring `declared` bytes but only `send` of them; return the status line received."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {declared}\r\n\r\n")  # fmt: skip
        sock.sendall(head.encode() + b"a" * send)
        return sock.makefile("rb").readline().decode()


def test_an_unsigned_45_mb_webhook_is_refused_before_its_body_is_read(served: str, seeded: Seeded) -> None:
    status = _raw_post(served, "/ivr/status", declared=45 * 1024 * 1024, send=1024)
    assert status.startswith("HTTP/1.1 413")  # answered while 45 MB were still to come


def test_a_chunked_webhook_body_is_cut_off_at_the_limit(served: str, seeded: Seeded) -> None:
    def body() -> Iterator[bytes]:
        for _ in range(8):
            yield b"a" * (WEBHOOK_MAX_BYTES // 4)

    form = {"Content-Type": "application/x-www-form-urlencoded"}
    reply = requests.post(f"{served}/ivr/status", data=body(), headers=form, timeout=30)
    assert reply.status_code == 413 and "Traceback" not in reply.text


def test_only_the_list_upload_takes_megabytes(served: str, seeded: Seeded) -> None:
    two_mb = {"f": "a" * (2 * 1024 * 1024)}
    assert requests.post(f"{served}/login", data=two_mb, timeout=30).status_code == 413
    assert requests.post(f"{served}/admin/upload", data=two_mb, timeout=30).status_code != 413


def test_a_path_with_a_nul_byte_is_a_plain_400(served: str) -> None:
    reply = requests.get(f"{served}/ivr/audio/..%00", timeout=10)
    assert reply.status_code == 400 and "Traceback" not in reply.text
    assert "路径中含有不允许的字符" in reply.text


def test_a_page_number_past_any_log_is_a_plain_400(client: FlaskClient, seeded: Seeded) -> None:
    sign_in(client, "compliance")
    resp = client.get("/audit?page=99999999999999999999999")
    text = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "页码超出范围" in text and "Traceback" not in text


def test_a_recording_callback_with_a_junk_channel_count_is_kept(
    client: FlaskClient, app: Flask, seeded: Seeded, database: Database
) -> None:
    settings = services(app).settings
    url = f"{settings.public_url}/ivr/recording?a={seeded.attempt}"
    with database.session() as s:
        from dialer.model import Attempt

        call_sid = s.get_one(Attempt, seeded.attempt).call_sid or ""
    form = {"CallSid": call_sid, "RecordingSid": "RE" + "9" * 32, "RecordingStatus": "completed",
            "RecordingUrl": "http://127.0.0.1:8765/r", "RecordingChannels": "abc", "RecordingDuration": "x"}  # fmt: skip
    sig = compute_signature(url, form, settings.twilio_auth_token)
    resp = client.post(url.removeprefix(settings.public_url), data=form, headers={"X-Twilio-Signature": sig})
    assert resp.status_code == 200
    with database.session() as s:
        rec = s.scalar(select(Recording).where(Recording.gateway_sid == "RE" + "9" * 32))
    assert rec is not None and rec.channels == 1 and rec.status == "pending"


def test_pages_carry_csp_and_permissions_policy_but_no_hsts_over_http(client: FlaskClient) -> None:
    headers = client.get("/login").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "microphone=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers


def test_hsts_is_sent_when_the_public_url_is_https(app: Flask, tmp_path: Path) -> None:
    settings = services(app).settings.replace(public_url="https://dialer.example.invalid")
    https_app = create_app(settings)
    try:
        headers = https_app.test_client().get("/login").headers
        assert headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        services(https_app).db.dispose()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_serve_refuses_to_listen_beyond_loopback_without_the_keys(host: str, tmp_path: Path) -> None:
    env = {"DIALER_DATABASE_URL": f"sqlite:///{tmp_path / 'd.sqlite3'}", "DIALER_VAR_DIR": str(tmp_path)}
    result = CliRunner().invoke(main, ["serve", "--host", host, "--port", "1"], env=env)
    assert result.exit_code == 1
    assert "DIALER_SECRET_KEY" in result.output and "拒绝" in result.output


def test_serve_names_only_the_missing_key(tmp_path: Path) -> None:
    from dialer.settings import Settings
    from dialer.web.guard import unsafe_to_serve

    assert unsafe_to_serve(Settings(secret_key="s", audit_key="a"), "0.0.0.0") == ""
    assert unsafe_to_serve(Settings(), "127.0.0.1") == ""
    assert unsafe_to_serve(Settings(), "localhost") == ""
    only_audit = unsafe_to_serve(Settings(secret_key="s"), "0.0.0.0")
    assert "DIALER_AUDIT_KEY" in only_audit and "DIALER_SECRET_KEY" not in only_audit
