"""Fixtures for the ear: the service over real HTTP, a real `dialer ear` server, and a customer on a stream.

The customer is a WebSocket client that speaks the gateway's side of Media Streams (Twilio's documented
messages, 20 ms µ-law frames of espeak-ng Korean heard by the Chinese-labelled stand-in model). The gateway's
REST API is a small loopback WSGI app that does what a gateway does on a call update: for `Url=` it fetches
the new document from the service, signed, and keeps it; for `Twiml=` it keeps the document.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select
from websockets.sync.client import ClientConnection, connect
from werkzeug.wrappers import Request, Response

from dialer.app import create_app
from dialer.clock import FixedClock
from dialer.ear.process import ear_in_thread
from dialer.ear.server import Ear
from dialer.gateway.client import Gateway
from dialer.gateway.signature import compute_signature
from dialer.gateway.streams import FRAME_BYTES, ULAW_SILENCE
from dialer.model import Attempt, Customer, Database, HeardAnswer, Task, TaskStatus, migrate
from dialer.services import services
from dialer.settings import Settings
from dialer.speech import SpeechModel, ensure_standin_model, load_model
from tests.serving import serving

NOW = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
PUBLIC = "https://dialer.example.invalid"
CALL_SID = "CA" + "7" * 32


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ulaw_speech(text: str, folder: Path) -> bytes:
    """Speak Korean `text` with espeak-ng; return it as raw 8 kHz µ-law, the stream's payload format."""
    raw, out = folder / f"{text}.wav", folder / f"{text}.ulaw"
    if not out.exists():
        subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True)
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(raw), "-ar", "8000", "-ac", "1",
                        "-f", "mulaw", str(out)], check=True)  # fmt: skip
    return out.read_bytes()


def silence(seconds: float) -> bytes:
    return ULAW_SILENCE * round(seconds * 50)


@pytest.fixture(scope="session")
def standin_model(tmp_path_factory: pytest.TempPathFactory) -> SpeechModel:
    return load_model(ensure_standin_model(tmp_path_factory.mktemp("models")), strict=False)


@pytest.fixture(scope="session")
def voice_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("voices")


@dataclass
class FakeGatewayApi:
    """The gateway's REST seam: call updates, applied as a gateway applies them."""

    settings: Settings | None = None
    service_url: str = ""
    updates: list[dict[str, str]] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    clips: dict[str, bytes] = field(default_factory=dict)
    refuse_updates: bool = False  # answer every call update with a 500, as a gateway in trouble may

    @Request.application
    def __call__(self, request: Request) -> Response:
        if request.method == "GET" and request.path in self.clips:
            return Response(self.clips[request.path], mimetype="audio/x-wav")
        match = re.search(r"/Calls/([^/]+)\.json$", request.path)
        if request.method != "POST" or match is None:
            return Response("not found", status=404)
        form = request.form.to_dict()
        self.updates.append(form)
        if self.refuse_updates:
            return Response(json.dumps({"code": 20500, "message": "Internal Server Error", "status": 500}),
                            status=500, mimetype="application/json")  # fmt: skip
        if form.get("Twiml"):
            self.documents.append(form["Twiml"])
        elif form.get("Url"):
            self.documents.append(self.fetch(form["Url"], {}).text)
        body = {"sid": match.group(1), "status": "in-progress", "to": "+8613812345678"}
        return Response(json.dumps(body), mimetype="application/json")

    def fetch(self, public_url: str, form: dict[str, str]) -> requests.Response:
        """POST a webhook to the service, signed as the gateway signs it."""
        assert self.settings is not None
        form = {"CallSid": CALL_SID, "AccountSid": self.settings.twilio_account_sid, **form}
        signature = compute_signature(public_url, form, self.settings.twilio_auth_token)
        local = public_url.replace(PUBLIC, self.service_url)
        return requests.post(local, data=form, headers={"X-Twilio-Signature": signature}, timeout=30)

    def wait_for(self, count: int, seconds: float = 20) -> list[str]:
        deadline = time.monotonic() + seconds
        while len(self.documents) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.documents


@dataclass
class Line:
    """The service, the ear and the gateway's REST seam around one answered call."""

    settings: Settings
    db: Database
    gateway: FakeGatewayApi
    attempt_id: int
    ear: Ear

    def post(self, public_url: str, form: dict[str, str] | None = None) -> str:
        reply = self.gateway.fetch(public_url, form or {})
        assert reply.status_code == 200, reply.text[:300]
        return reply.text

    def open_call(self) -> str:
        return self.post(f"{PUBLIC}/ivr/voice?a={self.attempt_id}", {"CallStatus": "in-progress"})

    def heard(self) -> list[HeardAnswer]:
        with self.db.session() as s:
            return list(s.scalars(select(HeardAnswer).order_by(HeardAnswer.step)))

    def attempt(self) -> Attempt:
        with self.db.session() as s:
            attempt = s.get_one(Attempt, self.attempt_id)
            s.expunge(attempt)
            return attempt


def stream_of(document: str) -> dict[str, Any]:
    """Return the `<Start><Stream>` a document asks for: its name, URL and custom parameters."""
    root = ET.fromstring(document)
    stream = root.find("./Start/Stream")
    assert stream is not None, document
    params = {p.get("name", ""): p.get("value", "") for p in stream.findall("Parameter")}
    return {"name": stream.get("name"), "url": stream.get("url"), "params": params}


def redirect_of(document: str) -> str:
    """Return where a document goes when its answer time runs out (its last `<Redirect>`)."""
    redirect = ET.fromstring(document).findall("Redirect")[-1]
    return redirect.text or ""


class StreamCustomer:
    """The gateway's side of one stream: `connected`, `start`, 20 ms `media` frames, `dtmf`, `stop`."""

    def __init__(self, ws: ClientConnection, stream: dict[str, Any]) -> None:
        self.ws, self.stream, self.sequence, self.chunk = ws, stream, 0, 0
        self.sid = "MZ" + "5" * 32

    def send(self, event: str, **body: Any) -> None:
        self.sequence += 1
        self.ws.send(json.dumps({"event": event, "sequenceNumber": str(self.sequence), **body}))

    def start(self) -> None:
        self.ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        self.send("start", streamSid=self.sid, start={
            "streamSid": self.sid, "accountSid": "AC", "callSid": CALL_SID, "tracks": ["inbound"],
            "customParameters": self.stream["params"],
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        })  # fmt: skip

    def say(self, ulaw: bytes, pace: float = 0.0, prompt: bytes = b"") -> None:
        """Send the customer's audio as 20 ms frames, and beside it the prompt the customer hears (else silence);
        `pace` seconds between frames (0: as fast as the socket takes them)."""
        for i in range(0, len(ulaw) - FRAME_BYTES + 1, FRAME_BYTES):
            self.chunk += 1
            heard = prompt[i : i + FRAME_BYTES].ljust(FRAME_BYTES, b"\xff")
            for track, frame in (("inbound", ulaw[i : i + FRAME_BYTES]), ("outbound", heard)):
                self.send("media", streamSid=self.sid, media={
                    "track": track, "chunk": str(self.chunk), "timestamp": str((self.chunk - 1) * 20),
                    "payload": base64.b64encode(frame).decode("ascii"),
                })  # fmt: skip
            if pace:
                time.sleep(pace)

    def stop(self) -> None:
        self.send("stop", streamSid=self.sid, stop={"accountSid": "AC", "callSid": CALL_SID})
        self.ws.close()


def signed_connect(settings: Settings, url: str, key: str | None = None) -> ClientConnection:
    signature = compute_signature(url, {}, key or settings.twilio_auth_token)
    return connect(url, additional_headers={"X-Twilio-Signature": signature}, open_timeout=10)


@pytest.fixture
def line(settings: Settings, standin_model: SpeechModel) -> Iterator[Line]:
    api = FakeGatewayApi()
    port = free_port()
    with serving(api) as gateway_url:
        settings = settings.replace(
            gateway_url=gateway_url, public_url=PUBLIC, secret_key="test-secret",
            ear_url=f"ws://127.0.0.1:{port}/stream",
        )  # fmt: skip
        app = create_app(settings, clock=FixedClock(NOW), speech=standin_model)
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
        ear = Ear(settings, db, Gateway(settings, retries=0), standin_model)
        with ear_in_thread(ear, "127.0.0.1", port), serving(app) as url:
            api.settings, api.service_url = settings, url
            yield Line(settings, db, api, attempt_id, ear)
        db.dispose()
