"""Media Streams verbs: `<Start><Stream>`, `<Stop><Stream>` and `<Connect><Stream>` (Twilio's TwiML `<Stream>`).

The socket side, messages and timing, is `mediastream`.
"""

from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from dialer.emulator.documents import Document
from dialer.emulator.leg import Leg, Woken
from dialer.emulator.mediastream import MAX_STREAMS, OPEN_TIMEOUT, MediaStream

if TYPE_CHECKING:
    from dialer.emulator.twiml import Interpreter

LONG_WAIT = 3600.0


def _stream_url(leg: Leg, el: ET.Element, doc: Document) -> str | None:
    """Resolve the stream's url against the document (http → ws); None, logged, when it cannot be used."""
    raw = (el.get("url") or "").strip()
    url = urljoin((doc.url or "").replace("https://", "wss://").replace("http://", "ws://"), raw)
    if urlsplit(url).scheme not in ("ws", "wss"):
        leg.log("error", code=31922, message=f"Stream - WebSocket - URL Schema Not Supported: {raw}")
        return None
    return url


def _callback(interp: Interpreter, noun: ET.Element, doc: Document) -> str | None:
    url = (noun.get("statusCallback") or "").strip()
    return interp.resolve(doc, url) if url else None


def start(interp: Interpreter, el: ET.Element, doc: Document) -> None:
    """Start one-way streams of the call's audio; the TwiML goes on at once."""
    leg = interp.leg
    for noun in el:
        name = noun.get("name")
        if name and name in leg.streams:
            leg.log("stream-refused", message=f"a stream named {name} is already running")
            continue
        if len(leg.streams) >= MAX_STREAMS:
            leg.log("stream-refused", message=f"at most {MAX_STREAMS} streams run on a call")
            continue
        url = _stream_url(leg, noun, doc)
        if url is None:
            continue
        stream = MediaStream(
            leg, noun, url, bidirectional=False, status_callback=_callback(interp, noun, doc)
        )
        leg.streams[stream.name] = stream
        stream.begin()


def stop(interp: Interpreter, el: ET.Element, doc: Document) -> None:
    """Stop the streams named (by name, or by url for one started without a name)."""
    leg = interp.leg
    for noun in el:
        wanted = noun.get("name")
        url = (noun.get("url") or "").strip()
        for stream in list(leg.streams.values()):
            if (wanted and stream.name == wanted) or (not wanted and url and stream.url.endswith(url)):
                leg.streams.pop(stream.name)
                stream.stop(leg.audio_t)
                leg.log("stream-stopped", name=stream.name, stream_sid=stream.sid)


def stop_all(leg: Leg) -> None:
    """End every stream when the call ends, each with the media up to the last instant of the call."""
    running = list(leg.streams.values())
    leg.streams.clear()
    for stream in running:
        stream.stop(leg.audio_t)
    for stream in running:
        stream.join()


def connect(interp: Interpreter, el: ET.Element, doc: Document) -> Document | None:
    """Hand the call to a two-way stream; when its socket closes, run `action` or the next verb."""
    leg = interp.leg
    url = _stream_url(leg, el[0], doc)
    if url is None:
        return None
    stream = MediaStream(leg, el[0], url, bidirectional=True, status_callback=_callback(interp, el[0], doc))
    stream.begin()
    stream.connected.wait(OPEN_TIMEOUT + 1)
    try:
        if not stream.failed:
            _converse(leg, stream)
    finally:
        stream.stop(leg.audio_t)
        stream.join()
        leg.wake = frozenset()
    leg.log("stream-ended", name=stream.name)
    if el.get("action"):
        return interp.fetch(
            interp.resolve(doc, el.get("action")), el.get("method", "POST"), [], "action:Connect"
        )
    return None


def _converse(leg: Leg, stream: MediaStream) -> None:
    """Play what the service sends, in order, echoing marks, until the socket closes."""
    signals = leg.call.signals
    while True:
        signals.take("stream-event")
        if not stream.inbox:
            if stream.closed.is_set():
                return
            leg.wake = frozenset({"stream-event"})
            with contextlib.suppress(Woken):
                leg.sleep(LONG_WAIT)
            continue
        kind, value = stream.inbox.popleft()
        if kind == "mark":
            stream.send_mark(value)
            continue
        pcm = bytearray(value)
        while stream.inbox and stream.inbox[0][0] == "media":
            pcm += stream.inbox.popleft()[1]
        signals.take("stream-clear")
        leg.wake = frozenset({"stream-clear"})
        try:
            leg.play(bytes(pcm))
        except Woken:
            signals.take("stream-clear")
