"""The stand-in gateway the recording worker talks to, and a database with one finished call to fetch."""

from __future__ import annotations

import io
import json
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from werkzeug.wrappers import Request, Response

from dialer.gateway.client import Gateway
from dialer.model import Attempt, Customer, Database, Recording, Task, TaskStatus, migrate, open_database
from dialer.settings import Settings
from dialer.worker.recordings import download_due_recordings
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
    listed: list[dict[str, object]] = field(default_factory=list)  # what GET …/Recordings.json answers
    list_status: int = 200
    call_status: int = 200  # what GET …/Calls/<sid>.json answers: 404 = the gateway forgot the call
    requests: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, environ: dict, start_response: object) -> object:
        return self.app(environ, start_response)  # type: ignore[arg-type]

    @Request.application
    def app(self, request: Request) -> Response:
        self.requests.append((request.method, request.path))
        if request.method == "DELETE":
            return Response(status=self.delete_status)
        if request.path.endswith("/Recordings.json"):
            page = {"recordings": [r for r in self.listed if r["call_sid"] == request.args.get("CallSid")],
                    "next_page_uri": None, "page": 0, "page_size": 50, "uri": request.path}  # fmt: skip
            body = page if self.list_status == 200 else {"code": 20404, "message": "not found", "status": 404}
            return Response(json.dumps(body), status=self.list_status, mimetype="application/json")
        if "/Calls/" in request.path:
            sid = request.path.rsplit("/", 1)[-1].removesuffix(".json")
            body = (
                {"sid": sid, "status": "completed"}
                if self.call_status == 200
                else {"code": 20404, "status": 404}
            )
            return Response(json.dumps(body), status=self.call_status, mimetype="application/json")
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
