"""A signed webhook naming a host other than the configured gateway makes no request there.

The service runs over real HTTP; the gateway is a small WSGI app on loopback that serves a real WAV clip; a
second server on 127.0.0.1:18999 stands for an internal admin page and counts every request it gets. A clip
named on that host is an unclear answer with no clip; a full recording named there is never downloaded.
"""

from __future__ import annotations

import io
import re
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from dialer.app import create_app
from dialer.clock import FixedClock
from dialer.gateway.client import Gateway
from dialer.gateway.signature import compute_signature
from dialer.model import Answer, Attempt, Customer, Database, Recording, Task, TaskStatus, migrate
from dialer.services import services
from dialer.settings import Settings
from dialer.worker.recordings import download_due_recordings
from tests.serving import serving

NOW = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
INTERNAL = "http://127.0.0.1:18999/internal-admin"
PUBLIC = "https://dialer.example.invalid"
CALL_SID = "CA" + "1" * 32


def clip_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x10\x00" * int(seconds * rate))
    return buf.getvalue()


@dataclass
class Recorder:
    """A WSGI app that records each request (path and Authorization header) and answers as told."""

    body: bytes = b"secret admin page"
    redirect_to: str = ""
    hits: list[tuple[str, str]] = field(default_factory=list)

    @Request.application
    def __call__(self, request: Request) -> Response:
        self.hits.append((request.path, request.headers.get("Authorization", "")))
        if self.redirect_to:
            return Response(status=302, headers={"Location": self.redirect_to})
        return Response(self.body, mimetype="audio/x-wav")


@pytest.fixture
def internal() -> Iterator[Recorder]:
    rec = Recorder()
    server = make_server("127.0.0.1", 18999, rec, threaded=True)
    import threading

    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def gateway() -> Iterator[tuple[Recorder, str]]:
    rec = Recorder(body=clip_wav())
    with serving(rec) as url:
        yield rec, url


@dataclass
class Service:
    url: str
    settings: Settings
    db: Database
    attempt_id: int


@pytest.fixture
def service(settings: Settings, gateway: tuple[Recorder, str]) -> Iterator[Service]:
    settings = settings.replace(gateway_url=gateway[1], public_url=PUBLIC, secret_key="test-secret")
    app = create_app(settings, clock=FixedClock(NOW))
    db = services(app).db
    migrate(db)
    with db.session() as s, s.begin():
        task = Task(customer=Customer(name="张伟", phone="+8613812345678"), type="new_policy",
                    script="new_policy", event_at=NOW, earliest_at=NOW, status=TaskStatus.DIALLING)  # fmt: skip
        attempt = Attempt(task=task, number=1, status="in-progress", to_number="+8613812345678",
                          script="new_policy", call_sid=CALL_SID)  # fmt: skip
        s.add(attempt)
        s.flush()
        attempt_id = attempt.id
    with serving(app) as url:
        yield Service(url, settings, db, attempt_id)
    db.dispose()


def post(svc: Service, public_url: str, form: dict[str, str]) -> requests.Response:
    """POST a webhook to the running service, signed as the gateway signs it."""
    form = {"CallSid": CALL_SID, "AccountSid": svc.settings.twilio_account_sid, **form}
    signature = compute_signature(public_url, form, svc.settings.twilio_auth_token)
    local = public_url.replace(PUBLIC, svc.url)
    return requests.post(local, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)


def answer_identity(svc: Service, recording_url: str) -> requests.Response:
    """Open the call, then answer its first question with a clip at `recording_url`."""
    opened = post(svc, f"{PUBLIC}/ivr/voice?a={svc.attempt_id}", {"CallStatus": "in-progress"})
    action = unescape(re.search(r'<(?:Record|Gather)[^>]* action="([^"]+)"', opened.text).group(1))  # type: ignore[union-attr]
    form = {"RecordingUrl": recording_url, "RecordingSid": "RE" + "2" * 32, "RecordingDuration": "2"}
    return post(svc, action, form)


def answers(db: Database) -> list[Answer]:
    with db.session() as s:
        return list(s.scalars(select(Answer)))


def recordings(db: Database) -> list[Recording]:
    with db.session() as s:
        return list(s.scalars(select(Recording).order_by(Recording.id)))


def test_a_clip_on_another_host_is_not_fetched_and_is_unclear(service: Service, internal: Recorder) -> None:
    reply = answer_identity(service, INTERNAL)
    assert reply.status_code == 200 and "action=" in reply.text  # asked again, the call goes on
    assert internal.hits == []
    [ans] = answers(service.db)
    assert ans.label == "unclear" and ans.clip_id is None
    assert recordings(service.db) == []


def test_a_clip_on_the_gateway_is_fetched_with_the_credentials(
    service: Service, gateway: tuple[Recorder, str]
) -> None:
    answer_identity(service, f"{gateway[1]}/2010-04-01/Accounts/x/Recordings/RE2")
    [(path, auth)] = gateway[0].hits
    assert path.endswith("/Recordings/RE2.wav") and auth.startswith("Basic ")
    [clip] = recordings(service.db)
    assert clip.kind == "clip" and clip.status == "stored"


def test_a_redirect_from_the_gateway_to_another_host_is_not_followed(
    service: Service, gateway: tuple[Recorder, str], internal: Recorder
) -> None:
    gateway[0].redirect_to = INTERNAL
    answer_identity(service, f"{gateway[1]}/2010-04-01/Accounts/x/Recordings/RE2")
    assert len(gateway[0].hits) == 1 and internal.hits == []
    [ans] = answers(service.db)
    assert ans.label == "unclear" and ans.clip_id is None


def test_a_full_recording_on_another_host_is_never_downloaded_and_ends_failed(
    service: Service, internal: Recorder
) -> None:
    form = {"RecordingStatus": "completed", "RecordingSid": "RE" + "3" * 32, "RecordingUrl": INTERNAL,
            "RecordingChannels": "2", "RecordingDuration": "30"}  # fmt: skip
    assert post(service, f"{PUBLIC}/ivr/recording?a={service.attempt_id}", form).status_code == 200
    stored = download_due_recordings(service.settings, service.db, Gateway(service.settings, retries=0))
    assert stored == 0 and internal.hits == []
    [rec] = recordings(service.db)
    assert rec.status == "failed" and rec.path is None and rec.next_try_at is None  # not tried again
    assert "127.0.0.1" in (rec.last_error or "") and "DIALER_GATEWAY_URL" in (rec.last_error or "")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1", True),
        ("http://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1", False),
        ("https://api.twilio.com.evil.example/Recordings/RE1", False),
        ("https://user@169.254.169.254/latest/meta-data", False),
        ("file:///etc/passwd", False),
    ],
)
def test_real_twilio_gets_credentials_only_on_its_api_host(url: str, allowed: bool, tmp_path: Path) -> None:
    from dialer.gateway.media import MediaPolicy

    assert MediaPolicy("").with_credentials(url) is allowed


def test_twilios_media_redirects_are_followed_only_over_https_without_credentials() -> None:
    from dialer.gateway.media import MediaPolicy

    policy = MediaPolicy("")
    assert policy.anonymous_hop("https://media.twiliocdn.com/AC1/abc?Expires=1")
    assert not policy.anonymous_hop("http://media.twiliocdn.com/AC1/abc")
    assert not policy.anonymous_hop("https://twiliocdn.com.evil.example/x")
    assert not MediaPolicy("http://127.0.0.1:8765").anonymous_hop("https://media.twiliocdn.com/x")
