"""The player can seek: recordings answer Range requests with 206 and the right bytes, and each is logged."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dialer.model import AuditEntry, Database
from dialer.services import services
from tests.web.seed import Seeded, get, sign_in


def test_a_range_request_gets_206_with_content_range(app: Flask, client: FlaskClient, seeded: Seeded) -> None:
    sign_in(client, "compliance")
    whole = (services(app).settings.recordings_dir / f"{seeded.attempt}/call.wav").read_bytes()
    resp = get(client, f"/recordings/{seeded.call_recording}", headers={"Range": "bytes=1000-1999"})
    assert resp.status_code == 206
    assert resp.headers["Content-Range"] == f"bytes 1000-1999/{len(whole)}"
    assert resp.headers["Accept-Ranges"] == "bytes"
    assert resp.data == whole[1000:2000]
    assert resp.mimetype == "audio/wav"


def test_an_open_ended_range_reaches_the_end(app: Flask, client: FlaskClient, seeded: Seeded) -> None:
    sign_in(client, "compliance")
    whole = (services(app).settings.recordings_dir / f"{seeded.attempt}/call.wav").read_bytes()
    resp = get(client, f"/recordings/{seeded.call_recording}", headers={"Range": f"bytes={len(whole) - 10}-"})
    assert resp.status_code == 206
    assert resp.data == whole[-10:]


def test_every_replay_request_is_audited(client: FlaskClient, seeded: Seeded, database: Database) -> None:
    sign_in(client, "compliance")
    for r in ("bytes=0-99", "bytes=100-199"):
        get(client, f"/recordings/{seeded.call_recording}", headers={"Range": r})
    with database.session() as s:
        replays = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "replay")))
    assert [(e.actor, e.target, e.detail["range"]) for e in replays] == [
        ("wang_qc", f"recording:{seeded.call_recording}", "bytes=0-99"),
        ("wang_qc", f"recording:{seeded.call_recording}", "bytes=100-199"),
    ]
