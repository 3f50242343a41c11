"""One Media Stream of a call: its WebSocket and the thread that feeds it, as Twilio runs them.

Twilio's "Media Streams - WebSocket Messages": the gateway opens a WebSocket to the stream's url (the
handshake signed like a webhook with no parameters) and sends JSON text messages: `connected`, `start`,
then `media` every 20 ms of call time (160 bytes of µ-law, base64; silence as 0xFF frames), `dtmf` when
a key is pressed, and `stop` when the stream ends. `chunk` counts media from 1, `timestamp` is the
milliseconds since the stream began, `sequenceNumber` counts every message after `connected` from 1.

- `<Start><Stream>` is one-way and runs beside the TwiML, across later documents and REST updates, until
  `<Stop><Stream name>` or the end of the call; a call holds at most four.
- `<Connect><Stream>` is two-way: the service sends `media` (played into the call and its recording),
  `mark` (echoed once the audio before it has played) and `clear` (queued audio dropped at once, its
  marks echoed); the TwiML after `<Connect>` runs when the socket closes.
- A stream that cannot connect is an error in the call's log (Twilio's debugger: 31920 handshake,
  31901 timeout, 31902 refused, 31922/31923 url) and the call goes on.

Frames go out in call time: at speed S they are sent S times faster, as the call's clock runs.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import threading
import xml.etree.ElementTree as ET
from collections import deque
from typing import Any

from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI, WebSocketException
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as open_socket

from dialer.emulator import audio
from dialer.emulator.leg import Leg
from dialer.gateway.signature import compute_signature

MAX_STREAMS = 4  # Twilio: up to four unidirectional streams on a call
FRAME = 0.02
OPEN_TIMEOUT = 5.0  # real seconds to open the WebSocket
USER_AGENT = "Twilio.TmeWs/1.0"


class MediaStream:
    """One stream of a call: a WebSocket and the thread that feeds it frames in call time."""

    def __init__(
        self, leg: Leg, el: ET.Element, url: str, bidirectional: bool, status_callback: str | None = None
    ) -> None:
        self.leg = leg
        self.status_callback = (status_callback, el.get("statusCallbackMethod", "POST"))
        self.sid = "MZ" + secrets.token_hex(16)
        self.name = el.get("name") or self.sid
        self.url = url
        self.track = el.get("track", "inbound_track")
        self.params = {p.get("name") or "": p.get("value") or "" for p in el.iter("Parameter")}
        self.bidirectional = bidirectional
        self.began = leg.audio_t
        self.sent_to = self.began  # audio time up to which media has been sent
        self.chunk = 0
        self.sequence = 0
        self.stop_at: float | None = None
        self.connected = threading.Event()  # set once the socket is open (or failed: see `failed`)
        self.failed = False
        self.closed = threading.Event()  # the peer closed the socket, or it broke
        self.inbox: deque[tuple[str, Any]] = deque()  # two-way: ("media", pcm) and ("mark", name) to play
        self._wake = threading.Event()
        self._send_lock = threading.Lock()
        self._ws: ClientConnection | None = None
        self._keys_sent = 0
        self.record: dict[str, Any] = {"sid": self.sid, "name": self.name, "url": url, "status": "starting",
                                       "bidirectional": bidirectional, "started": round(self.began, 3)}  # fmt: skip
        self._thread = threading.Thread(target=self._run, name=f"stream-{self.sid[:10]}", daemon=True)

    # --- life -------------------------------------------------------------------------------------------

    def begin(self) -> None:
        self.leg.call.streams.append(self.record)
        self.leg.log("stream-started", name=self.name, stream_sid=self.sid, url=self.url)
        self._thread.start()

    def stop(self, at: float) -> None:
        """End the stream at audio time `at`: send the media up to it, then `stop`, then close."""
        if self.stop_at is None:
            self.stop_at = max(at, self.sent_to)
        self._wake.set()

    def join(self, timeout: float = 5.0) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            socket = self._open()
        except Exception as exc:  # every way a socket can fail to open is a debugger entry, not a crash
            self._fail(exc)
            return
        finally:
            self.connected.set()
        with socket as self._ws:
            self.record["status"] = "in-progress"
            self._tell("stream-started")
            try:
                self._talk()
            except ConnectionClosed:
                self.leg.log("stream-closed", name=self.name, by="peer")
            finally:
                self.record.update(status="stopped", stopped=round(self.sent_to, 3), chunks=self.chunk)
                self._tell("stream-stopped")
        self.closed.set()
        self.leg.call.signals.raise_flag("stream-event")

    def _talk(self) -> None:
        self._send({"event": "connected", "protocol": "Call", "version": "1.0.0"}, numbered=False)
        self._send_start()
        if self.bidirectional:
            threading.Thread(target=self._receive, name=f"stream-in-{self.sid[:8]}", daemon=True).start()
        self._pump()
        self._send({"event": "stop", "stop": {"accountSid": self.leg.call.account_sid,
                                              "callSid": self.leg.call.sid}})  # fmt: skip

    def _open(self) -> ClientConnection:
        engine = self.leg.engine
        key = engine.webhooks.auth_token
        signature = compute_signature(self.url, [], key)
        headers = dict.fromkeys(engine.webhooks.signature_headers, signature)
        return open_socket(
            self.url, additional_headers=headers, user_agent_header=USER_AGENT, open_timeout=OPEN_TIMEOUT,
            proxy=None, compression=None, ping_interval=None,
        )  # fmt: skip

    def _fail(self, exc: Exception) -> None:
        self.failed = True
        code, why = _failure(exc)
        self.record.update(status="failed", error=code)
        self.leg.call.log(
            self.leg.clock(), "error", code=code, message=f"Stream {self.name}: {why}: {self.url}"
        )
        self._tell("stream-error", f"{code}: {why}")
        self.closed.set()
        self.leg.call.signals.raise_flag("stream-event")

    def _tell(self, event: str, error: str = "") -> None:
        """Send the stream's status callback (Twilio's `<Stream statusCallback>`), if it asked for one."""
        url, method = self.status_callback
        if not url:
            return
        call = self.leg.call
        params = [("AccountSid", call.account_sid), ("CallSid", call.sid), ("StreamSid", self.sid),
                  ("StreamName", self.name), ("StreamEvent", event),
                  ("Timestamp", self.leg.engine.wall(call, self.leg.clock()).isoformat())]  # fmt: skip
        self.leg.later("stream:" + event, url, method, params + ([("StreamError", error)] if error else []))

    # --- Twilio → service ---------------------------------------------------------------------------------

    def _send(self, message: dict[str, Any], numbered: bool = True) -> None:
        assert self._ws is not None
        with self._send_lock:
            if numbered:
                self.sequence += 1
                message = {"event": message["event"], "sequenceNumber": str(self.sequence),
                           **{k: v for k, v in message.items() if k != "event"}, "streamSid": self.sid}  # fmt: skip
            self._ws.send(json.dumps(message, ensure_ascii=False))

    def _send_start(self) -> None:
        tracks = {"inbound_track": ["inbound"], "outbound_track": ["outbound"]}.get(
            self.track, ["inbound", "outbound"]
        )
        call = self.leg.call
        self._send({"event": "start", "start": {
            "streamSid": self.sid, "accountSid": call.account_sid, "callSid": call.sid, "tracks": tracks,
            "customParameters": self.params,
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
        }})  # fmt: skip

    def _pump(self) -> None:
        """Send each 20 ms of the line once the call's clock has passed it, until the stream stops."""
        wait = FRAME / self.leg.engine.speed
        while not self.closed.is_set():
            stop_at = self.stop_at
            until = stop_at if stop_at is not None else self.leg.audio_clock()
            while self.sent_to + FRAME <= until + 1e-9:
                self._send_frame()
            if stop_at is not None:
                return
            self._wake.wait(wait)
            self._wake.clear()

    def _send_frame(self) -> None:
        start = self.sent_to
        self.chunk += 1
        stamp = str(round((start - self.began) * 1000))
        for track, channel in (("inbound", 1), ("outbound", 0)):
            if self.track not in (f"{track}_track", "both_tracks"):
                continue
            pcm = self.leg.heard(channel, start, start + FRAME)
            payload = base64.b64encode(audio.audioop.lin2ulaw(pcm, audio.WIDTH)).decode("ascii")
            self._send({"event": "media", "media": {"track": track, "chunk": str(self.chunk),
                                                    "timestamp": stamp, "payload": payload}})  # fmt: skip
        self.sent_to = start + FRAME
        keys = self.leg.keys
        while self._keys_sent < len(keys) and keys[self._keys_sent][0] < self.sent_to:
            at, digit = keys[self._keys_sent]
            self._keys_sent += 1
            if at >= self.began:
                self._send({"event": "dtmf", "dtmf": {"track": "inbound_track", "digit": digit}})

    def send_mark(self, name: str) -> None:
        with contextlib.suppress(ConnectionClosed):
            self._send({"event": "mark", "mark": {"name": name}})

    # --- service → Twilio (two-way only) ------------------------------------------------------------------

    def _receive(self) -> None:
        assert self._ws is not None
        try:
            for raw in self._ws:
                self._take(raw)
        except ConnectionClosed:
            pass
        finally:
            self.closed.set()
            self._wake.set()
            self.leg.call.signals.raise_flag("stream-event")

    def _take(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
            event = message["event"]
            if event == "media":
                pcm = audio.audioop.ulaw2lin(base64.b64decode(message["media"]["payload"]), audio.WIDTH)
                self.inbox.append(("media", pcm))
            elif event == "mark":
                self.inbox.append(("mark", str(message["mark"]["name"])))
            elif event == "clear":
                self._clear()
                return
            else:
                raise KeyError(event)
        except (ValueError, KeyError, TypeError) as exc:
            self.leg.call.log(self.leg.clock(), "error", code=31924,
                              message=f"Stream {self.name}: protocol error: not a media, mark or clear message ({exc})")  # fmt: skip
            return
        self.leg.call.signals.raise_flag("stream-event")

    def _clear(self) -> None:
        """Drop the audio not yet played, echo its marks, and cut what is playing now."""
        marks = []
        while self.inbox:
            kind, value = self.inbox.popleft()
            if kind == "mark":
                marks.append(value)
        self.leg.call.signals.raise_flag("stream-clear")
        for name in marks:
            self.send_mark(name)


def _failure(exc: Exception) -> tuple[int, str]:
    """Return Twilio's debugger code and words for a socket that did not open."""
    if isinstance(exc, InvalidStatus):
        return 31920, f"WebSocket - Handshake Error: HTTP {exc.response.status_code}, not 101"
    if isinstance(exc, InvalidURI):
        return 31923, "WebSocket - Malformed URL"
    if isinstance(exc, ConnectionRefusedError):
        return 31902, "WebSocket - Connection Refused"
    if isinstance(exc, TimeoutError):
        return 31901, "WebSocket - Connection Timeout"
    if isinstance(exc, (OSError, WebSocketException)):
        return 31920, f"WebSocket - Handshake Error: {exc}"
    return 31920, f"WebSocket - Handshake Error: {exc!r}"
