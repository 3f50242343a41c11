"""What the ear benchmarks share: a database of questions being asked, a gateway REST seam, a `dialer ear`
process, and emulated callers that speak Media Streams to it in real time."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402
from werkzeug.wrappers import Request, Response  # noqa: E402

from dialer.ear.process import ear_process  # noqa: E402
from dialer.emulator.server import QuietHandler  # noqa: E402
from dialer.gateway.signature import compute_signature  # noqa: E402
from dialer.gateway.streams import FRAME_BYTES, ULAW_SILENCE, stream_token  # noqa: E402
from dialer.model import Attempt, Customer, Database, HeardAnswer, Task, TaskStatus, migrate, open_database  # noqa: E402
from dialer.settings import Settings  # noqa: E402
from tests.ear.process import free_port  # noqa: E402

NOW = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
CUSTOMERS = itertools.count()
WAIT = '<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="10"/></Response>'


class GatewayApi:
    """The REST seam: every call update answered at once (as a gateway does), with its arrival time."""

    def __init__(self) -> None:
        self.updates: list[tuple[float, str]] = []

    @Request.application
    def __call__(self, request: Request) -> Response:
        self.updates.append((time.monotonic(), request.path))
        body = {"sid": request.path.rsplit("/", 1)[-1].removesuffix(".json"), "status": "in-progress"}
        return Response(json.dumps(body), mimetype="application/json")


@contextmanager
def gateway_api() -> Iterator[tuple[GatewayApi, str]]:
    api = GatewayApi()
    server = make_server("127.0.0.1", 0, api, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield api, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def questions(db: Database, count: int) -> list[int]:
    """Create `count` calls each waiting on its first question heard on a stream; return their attempt ids."""
    ids = []
    with db.session() as s, s.begin():
        for _ in range(count):
            i = next(CUSTOMERS)
            task = Task(customer=Customer(name=f"客户{i}", phone=f"+86138{i:08d}"), type="new_policy",
                        script="new_policy", event_at=NOW, earliest_at=NOW, status=TaskStatus.DIALLING)  # fmt: skip
            attempt = Attempt(task=task, number=1, status="in-progress", to_number=task.customer.phone,
                              script="new_policy",
                              ivr_state={"stream": {"name": "a-s1", "turn": 1, "kind": "yes_no", "wait": WAIT}})  # fmt: skip
            s.add(attempt)
            s.flush()
            attempt.call_sid = f"CA{attempt.id:032d}"
            ids.append(attempt.id)
    return ids


@dataclass
class Bench:
    settings: Settings
    db: Database
    api: GatewayApi
    model_dir: Path
    proc: subprocess.Popen[bytes] | None = None
    server_ms: list[int] = field(default_factory=list)

    def heard(self) -> list[HeardAnswer]:
        with self.db.session() as s:
            rows = list(s.scalars(select(HeardAnswer).where(HeardAnswer.status == "final")))
            s.expunge_all()
            return rows


@contextmanager
def private_database(base: str | None, root: Path) -> Iterator[str]:
    """Yield a database of the benchmark's own: a SQLite file, or a throw-away schema on the PostgreSQL server."""
    if not base:
        yield f"sqlite:///{root / 'bench.sqlite3'}"
        return
    from tests.conftest import fresh_postgres_schema

    with fresh_postgres_schema(base) as url:
        yield url


@contextmanager
def ear_bench(
    root: Path, model_dir: Path, database_url: str | None = None, threads: int = 2
) -> Iterator[Bench]:
    """A migrated database, the REST seam and a `dialer ear` process on them."""
    root.mkdir(parents=True, exist_ok=True)
    with gateway_api() as (api, gateway_url), private_database(database_url, root) as url:
        settings = Settings(
            database_url=url, recordings_dir=root / "recordings",
            var_dir=root / "var", gateway_url=gateway_url, public_url="http://127.0.0.1:9",
            ear_url=f"ws://127.0.0.1:{free_port()}/stream", log_level="WARNING",
        )  # fmt: skip
        db = open_database(settings.database_url)
        migrate(db)
        with ear_process(settings, model_dir, root / "ear.log", threads=threads) as proc:
            yield Bench(settings, db, api, model_dir, proc)
        db.dispose()


def frames(data: bytes) -> list[str]:
    return [base64.b64encode(data[i : i + FRAME_BYTES]).decode("ascii")
            for i in range(0, len(data) - FRAME_BYTES + 1, FRAME_BYTES)]  # fmt: skip


async def caller(
    bench: Bench, attempt_id: int, audio: bytes, *, hold: float = 0.0, until: asyncio.Event | None = None
) -> None:
    """Be the gateway for one question: `connected`, `start`, then 20 ms frames in real time; stop when done.

    After the audio, quiet frames follow until `until` is set (or `hold` seconds pass with no event).
    """
    s = bench.settings
    url = s.ear_url
    headers = {"X-Twilio-Signature": compute_signature(url, {}, s.twilio_auth_token)}
    params = {"attempt": str(attempt_id), "step": "1", "token": stream_token(attempt_id, 1, s.webhook_key)}
    sid = f"MZ{attempt_id:032d}"
    async with connect(url, additional_headers=headers, open_timeout=30, compression=None) as ws:
        await ws.send(json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"}))
        await ws.send(json.dumps({"event": "start", "sequenceNumber": "1", "streamSid": sid, "start": {
            "streamSid": sid, "accountSid": s.twilio_account_sid, "callSid": f"CA{attempt_id:032d}",
            "tracks": ["inbound"], "customParameters": params,
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}}))  # fmt: skip
        payloads = frames(audio)
        begun = time.monotonic()
        n = 0
        while True:
            payload = payloads[n] if n < len(payloads) else base64.b64encode(ULAW_SILENCE).decode("ascii")
            n += 1
            await ws.send(json.dumps({"event": "media", "sequenceNumber": str(n + 1), "streamSid": sid, "media": {
                "track": "inbound", "chunk": str(n), "timestamp": str((n - 1) * 20), "payload": payload}}))  # fmt: skip
            if (
                n >= len(payloads)
                and (until is None or until.is_set())
                and (until is not None or time.monotonic() - begun >= len(payloads) * 0.02 + hold)
            ):
                break
            delay = begun + n * 0.02 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        await ws.send(json.dumps({"event": "stop", "sequenceNumber": str(n + 2), "streamSid": sid,
                                  "stop": {"accountSid": s.twilio_account_sid, "callSid": f"CA{attempt_id:032d}"}}))  # fmt: skip


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    import os

    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stats(values: list[float]) -> dict[str, Any]:
    ordered = sorted(values)
    if not ordered:
        return {"n": 0}
    pick = lambda q: ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]  # noqa: E731
    return {"n": len(ordered), "median": pick(0.5), "p95": pick(0.95), "max": ordered[-1]}
