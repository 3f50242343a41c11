"""The recording worker: a finished call's recording is fetched over HTTP, checked, stored with its SHA-256,
and retried with growing pauses when the gateway fails; the gateway's copy is deleted only when asked.

The gateway is a small WSGI app on 127.0.0.1 that answers the two requests the worker makes (media GET and the
REST DELETE of 2010-04-01) and can be told to fail.
"""

from __future__ import annotations

import hashlib
import io
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.wrappers import Request, Response

from dialer.gateway.client import Gateway
from dialer.model import Attempt, Customer, Database, Recording, Task, TaskStatus, migrate, open_database
from dialer.settings import Settings
from dialer.worker.recordings import MAX_BACKOFF, download_due_recordings
from tests.serving import serving

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
SID = "RE" + "a" * 32


def two_channel_wav(seconds: float = 2.0, rate: int = 8000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x01\x00\x02\x00" * int(seconds * rate))
    return buf.getvalue()


@dataclass
class FakeGateway:
    """What the stand-in gateway answers, and what it was asked."""

    media: bytes = field(default_factory=two_channel_wav)
    media_status: int = 200
    delete_status: int = 204
    requests: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, environ: dict, start_response: object) -> object:
        return self.app(environ, start_response)  # type: ignore[arg-type]

    @Request.application
    def app(self, request: Request) -> Response:
        self.requests.append((request.method, request.path))
        if request.method == "DELETE":
            return Response(status=self.delete_status)
        return Response(self.media, status=self.media_status, mimetype="audio/x-wav")


@pytest.fixture
def fake() -> Iterator[tuple[FakeGateway, str]]:
    gw = FakeGateway()
    with serving(gw) as url:
        yield gw, url


@pytest.fixture
def setup(fake: tuple[FakeGateway, str], settings: Settings) -> Iterator[tuple[Settings, Database, int]]:
    gw_url = fake[1]
    settings = settings.replace(gateway_url=gw_url)
    db = open_database(settings.database_url)
    try:
        migrate(db)
        with db.session() as s, s.begin():
            task = Task(customer=Customer(name="张伟", phone="+8613812345678"), type="claim", script="claim",
                        event_at=NOW, earliest_at=NOW, status=TaskStatus.SUCCEEDED)  # fmt: skip
            attempt = Attempt(
                task=task, number=1, status="completed", to_number="+8613812345678", script="claim"
            )
            url = f"{gw_url}/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/{SID}"
            rec = Recording(kind="call", gateway_sid=SID, gateway_url=url)
            attempt.recordings.append(rec)
            s.add_all([task, attempt])
            s.flush()
            rid = rec.id
        yield settings, db, rid
    finally:
        db.dispose()


def run(settings: Settings, db: Database, at: datetime) -> int:
    return download_due_recordings(settings, db, Gateway(settings, retries=0), now=at)


def recording(db: Database, rid: int) -> Recording:
    with db.session() as s:
        return s.get_one(Recording, rid)


def test_a_recording_is_stored_with_its_checksum_and_facts(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, rid = setup
    assert run(settings, db, NOW) == 1
    rec = recording(db, rid)
    stored = settings.recordings_dir / (rec.path or "")
    assert rec.status == "stored" and stored.read_bytes() == fake[0].media
    assert rec.sha256 == hashlib.sha256(fake[0].media).hexdigest() and rec.size == len(fake[0].media)
    assert rec.channels == 2 and rec.duration == pytest.approx(2.0)
    assert rec.path == f"2026/11/{SID}.wav"
    assert not list(stored.parent.glob("*.part"))  # written whole, then moved into place
    assert (
        "DELETE",
        f"/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/{SID}.json",
    ) not in fake[0].requests
    assert run(settings, db, NOW + timedelta(hours=1)) == 0  # stored once, never fetched again


def test_a_failing_gateway_is_retried_with_growing_pauses_until_it_answers(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, rid = setup
    gw = fake[0]
    gw.media_status = 503
    at, pauses = NOW, []
    for _ in range(4):
        assert run(settings, db, at) == 0
        rec = recording(db, rid)
        assert rec.status == "pending" and "HTTP 503" in (rec.last_error or "")
        assert rec.next_try_at is not None
        pauses.append(rec.next_try_at - at)
        assert run(settings, db, rec.next_try_at - timedelta(seconds=1)) == 0  # not before its time
        at = rec.next_try_at
    assert pauses == [
        timedelta(seconds=10),
        timedelta(seconds=20),
        timedelta(seconds=40),
        timedelta(seconds=80),
    ]
    assert recording(db, rid).download_tries == 4
    gw.media_status = 200
    assert run(settings, db, at) == 1
    rec = recording(db, rid)
    assert rec.status == "stored" and rec.last_error is None


def test_the_pause_between_tries_never_exceeds_an_hour(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, rid = setup
    fake[0].media_status = 500
    with db.session() as s, s.begin():
        s.get_one(Recording, rid).download_tries = 30
    run(settings, db, NOW)
    assert recording(db, rid).next_try_at == NOW + MAX_BACKOFF


def test_a_download_that_is_not_audio_is_refused_and_nothing_is_written(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, rid = setup
    fake[0].media = b"<html>502 Bad Gateway</html>"
    assert run(settings, db, NOW) == 0
    rec = recording(db, rid)
    assert rec.status == "pending" and "not a WAV file" in (rec.last_error or "")
    assert not settings.recordings_dir.exists() or not any(settings.recordings_dir.rglob("*"))


def test_the_gateways_copy_is_deleted_only_when_asked_and_a_failed_delete_keeps_ours(
    setup: tuple[Settings, Database, int], fake: tuple[FakeGateway, str]
) -> None:
    settings, db, rid = setup
    settings = settings.replace(delete_gateway_recordings=True)
    fake[0].delete_status = 500
    assert run(settings, db, NOW) == 1
    rec = recording(db, rid)
    assert rec.status == "stored" and not rec.gateway_deleted  # our copy is safe; theirs is still there
    delete = ("DELETE", f"/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/{SID}.json")
    assert delete in fake[0].requests

    with db.session() as s, s.begin():  # a second recording, and this time the gateway deletes it
        r = s.get_one(Recording, rid)
        r.status, r.gateway_sid = "pending", "RE" + "b" * 32
    fake[0].delete_status = 204
    assert run(settings, db, NOW) == 1
    assert recording(db, rid).gateway_deleted


def test_a_second_run_of_the_same_file_from_disk_matches_its_checksum(
    setup: tuple[Settings, Database, int],
) -> None:
    settings, db, rid = setup
    run(settings, db, NOW)
    rec = recording(db, rid)
    data = Path(settings.recordings_dir / (rec.path or "")).read_bytes()
    assert hashlib.sha256(data).hexdigest() == rec.sha256
