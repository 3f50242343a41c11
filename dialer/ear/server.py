"""`dialer ear`: a WebSocket server that hears each question's answer on the call's Media Stream.

The gateway opens one WebSocket per `<Start><Stream>` (one per question) and sends Twilio's messages:
`connected`, `start` (custom parameters: attempt, step, token), `media` (20 ms µ-law frames), `dtmf`, `stop`.
The handshake must carry a valid `X-Twilio-Signature` over the ear's URL (as for a webhook with no
parameters) and the `start` message a token the service made for that attempt and step; anything else is
closed with a log line. Frames are decoded in a thread pool, so the event loop only moves bytes.

The stream carries both tracks: the customer (inbound), heard and decoded, and what the customer hears
(outbound), only measured. When the customer starts talking while the prompt still sounds, the call is updated
to a document that only waits, which stops the prompt (barge-in); speech after the prompt needs no update. When the answer is final it is stored with its clip, and the call is moved to the IVR's
`/ivr/heard` webhook, which takes it as the `<Record>` path takes a transcribed clip.

Any number of these processes may run behind a load balancer; the database is all they share.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import http
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from dialer.clock import utcnow
from dialer.ear import store
from dialer.ear.listener import Final, Listener, SpeechBegan
from dialer.errors import GatewayError
from dialer.gateway.client import Gateway
from dialer.gateway.signature import validate_signature
from dialer.gateway.streams import token_matches
from dialer.model import Database
from dialer.profiles import TWILIO_SIGNATURE
from dialer.settings import Settings
from dialer.speech import SpeechModel

log = logging.getLogger("dialer.ear")
POLICY_VIOLATION = 1008
KEYS = frozenset("120")
MAX_MESSAGE = 64 * 1024  # a media message is ~300 bytes; nothing the gateway sends comes near this


@dataclass
class Ear:
    """One ear process: its settings, database, gateway client, speech model and decoding threads."""

    settings: Settings
    db: Database
    gateway: Gateway
    model: SpeechModel
    decode_threads: int = 2
    pool: ThreadPoolExecutor = field(init=False)
    write_lock: threading.Lock = field(init=False)
    io_pool: ThreadPoolExecutor = field(init=False)
    live: int = 0
    server_ms: list[int] = field(default_factory=list)  # this process's answers: final frame → update sent

    def __post_init__(self) -> None:
        self.write_lock = threading.Lock()
        self.pool = ThreadPoolExecutor(self.decode_threads, thread_name_prefix="ear-decode")
        self.io_pool = ThreadPoolExecutor(16, thread_name_prefix="ear-io")

    def check_handshake(self, connection: ServerConnection, request: Request) -> Response | None:
        """Refuse (403) a WebSocket whose signature does not sign the ear's URL."""
        base = urlsplit(self.settings.ear_url)
        url = f"{base.scheme}://{base.netloc}{request.path}"
        header = self.settings.profile.signature_header
        signature = request.headers.get(header) or request.headers.get(TWILIO_SIGNATURE, "")
        if validate_signature(url, {}, signature, self.settings.webhook_key):
            return None
        log.warning("refused a stream to %s: bad or missing %s", request.path, header)
        return Response(http.HTTPStatus.FORBIDDEN, "Forbidden", Headers(), b"forbidden\n")

    async def handle(self, ws: ServerConnection) -> None:
        """Serve one stream from `connected` to `stop`."""
        self.live += 1
        try:
            await Stream(self, ws).run()
        except ConnectionClosed:
            pass
        finally:
            self.live -= 1

    async def run_io(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.io_pool, fn, *args)

    async def write(self, fn: Any, *args: Any) -> Any:
        """Run a database write in the I/O pool; on SQLite, one at a time in this process.

        SQLite has one writer, and its busy handler sleeps with growing back-off: writers queued on a lock of
        our own go in turn at once instead (as the web app's answers do). PostgreSQL locks rows.
        """
        if self.db.is_postgres:
            return await self.run_io(fn, *args)

        def locked() -> Any:
            with self.write_lock:
                return fn(*args)

        return await self.run_io(locked)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.io_pool.shutdown(wait=True)


class Stream:
    """One WebSocket: one question of one call."""

    def __init__(self, ear: Ear, ws: ServerConnection) -> None:
        self.ear, self.ws = ear, ws
        self.question: store.Question | None = None
        self.listener: Listener | None = None
        self.pending: list[bytes] = []
        self.outbound: list[bytes] = []
        self.arrived = 0.0  # monotonic time the newest pending frame arrived
        self.wake = asyncio.Event()
        self.done = False
        self.barged = False

    async def run(self) -> None:
        drain = asyncio.create_task(self._drain())
        try:
            async for message in self.ws:
                if not await self._on(message):
                    break
        finally:
            self.done = True
            self.wake.set()
            await drain
            if self.listener is not None and not self.listener.finished:
                q, heard = self.question, self.listener
                log.info("stream of attempt %s step %s ended unheard: %d frames, loudest RMS %d",
                         q and q.attempt_id, q and q.step, heard.frames, heard.loudest)  # fmt: skip

    async def _on(self, message: str | bytes) -> bool:
        try:
            data = json.loads(message)
        except ValueError:
            log.warning("stream sent something that is not JSON; closing it")
            await self.ws.close(POLICY_VIOLATION, "not JSON")
            return False
        event = data.get("event") if isinstance(data, dict) else None
        if event == "start":
            return await self._start(data.get("start") or {}, str(data.get("streamSid", "")))
        if self.question is None:
            return True  # `connected`, or anything before `start`: nothing to hear yet
        if event == "media":
            self._media(data.get("media") or {})
        elif event == "dtmf":
            digit = str((data.get("dtmf") or {}).get("digit", ""))
            if digit in KEYS and not self.done:
                self.done = True
                await self._answer(None, digit, time.monotonic())
        elif event == "stop":
            return False
        return True

    async def _start(self, start: dict[str, Any], stream_sid: str) -> bool:
        params = start.get("customParameters") or {}
        attempt, step = str(params.get("attempt", "")), str(params.get("step", ""))
        if not token_matches(attempt, step, str(params.get("token", "")), self.ear.settings.webhook_key):
            log.warning(
                "stream %s refused: its token does not match attempt %r step %r", stream_sid, attempt, step
            )
            await self.ws.close(POLICY_VIOLATION, "bad token")
            return False
        call_sid = str(start.get("callSid", ""))
        q = await self.ear.write(
            store.open_question, self.ear.db, int(attempt), int(step), call_sid, stream_sid
        )
        if q is None:
            log.info("stream %s: attempt %s step %s is not being asked; closing", stream_sid, attempt, step)
            await self.ws.close(1000, "not asked")
            return False
        self.question = q
        # A grammar recognizer takes milliseconds to build: in the decode pool, never on the event loop.
        make = functools.partial(Listener, self.ear.model, q.kind, self.ear.settings.ear_end_silence_ms)
        self.listener = await asyncio.get_running_loop().run_in_executor(self.ear.pool, make)
        self.wake.set()  # frames may have come meanwhile
        return True

    def _media(self, media: dict[str, Any]) -> None:
        track = media.get("track", "inbound")
        if self.done or track not in ("inbound", "outbound"):
            return
        try:
            payload = base64.b64decode(str(media.get("payload", "")), validate=True)
        except (binascii.Error, ValueError):
            return
        if track == "outbound":  # what the customer hears: only tells whether the prompt still plays
            self.outbound.append(payload)
            return
        self.pending.append(payload)
        self.arrived = time.monotonic()
        self.wake.set()

    async def _drain(self) -> None:
        """Decode the frames as they come, one batch at a time, in the decode pool."""
        loop = asyncio.get_running_loop()
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.pending and self.listener is not None and not self.listener.finished:
                chunk, arrived = b"".join(self.pending), self.arrived
                self.pending.clear()
                if self.outbound:
                    self.listener.hear_prompt(b"".join(self.outbound))
                    self.outbound.clear()
                events = await loop.run_in_executor(self.ear.pool, self.listener.take, chunk)
                for event in events:
                    await self._heard(event, arrived)
            if self.done:
                return

    async def _heard(self, event: SpeechBegan | Final, arrived: float) -> None:
        if isinstance(event, SpeechBegan):
            if event.over_prompt and not self.barged and not self.done:
                self.barged = True
                await self._barge_in()
            return
        if not self.done:
            self.done = True
            await self._answer(event, "", arrived)

    async def _barge_in(self) -> None:
        """Stop a prompt that may still be playing: the call only waits while the customer talks."""
        q = self.question
        assert q is not None
        if not q.wait_twiml:
            return
        try:
            await self.ear.run_io(self.ear.gateway.update_twiml, q.call_sid, q.wait_twiml)
            await self.ear.write(store.note_barge_in, self.ear.db, q)
        except GatewayError as exc:
            log.warning("call %s: could not stop the prompt: %s", q.call_sid, exc)

    async def _answer(self, final: Final | None, keys: str, arrived: float) -> None:
        """Store the answer and move the call to the IVR's heard webhook."""
        q = self.question
        assert q is not None
        ear = self.ear
        kept = await ear.write(store.keep_answer, ear.db, ear.settings, q, final, keys, utcnow())
        if not kept:
            log.info("call %s step %s: answered after the call moved on; ignored", q.call_sid, q.step)
            return
        try:
            await ear.run_io(ear.gateway.redirect, q.call_sid, heard_url(ear.settings, q))
        except GatewayError as exc:
            log.warning("call %s: could not move it on after the answer: %s", q.call_sid, exc)
            return
        server_ms = round((time.monotonic() - arrived) * 1000)
        ear.server_ms.append(server_ms)
        await ear.write(store.note_server_time, ear.db, q, server_ms)
        log.info(
            "call %s step %s heard %r in %d ms", q.call_sid, q.step, final.text if final else keys, server_ms
        )


def heard_url(settings: Settings, q: store.Question) -> str:
    """Return the IVR webhook the call is moved to once its answer is heard."""
    query = urlencode({"a": q.attempt_id, "turn": q.step})
    return f"{settings.public_url.rstrip('/')}/ivr/heard?{query}"


async def listen(ear: Ear, host: str, port: int, ready: asyncio.Event | None = None) -> None:
    """Serve streams on host:port until cancelled."""
    async with serve(
        ear.handle,
        host,
        port,
        process_request=ear.check_handshake,
        max_size=MAX_MESSAGE,
        compression=None,
        close_timeout=2,
    ) as server:
        if ready is not None:
            ready.set()
        log.info("dialer ear listening on %s:%d", host, port)
        await server.serve_forever()
