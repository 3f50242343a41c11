"""Media Streams: `<Start><Stream>`, `<Stop><Stream>` and `<Connect><Stream>` (Twilio's TwiML `<Stream>`)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from dialer.emulator.documents import Document

if TYPE_CHECKING:
    from dialer.emulator.twiml import Interpreter


def start(interp: Interpreter, el: ET.Element, doc: Document) -> None:
    """Start a one-way stream of the call's inbound audio; TwiML goes on at once."""
    for stream in el:
        interp.leg.log("stream-start", name=stream.get("name"), url=stream.get("url"))


def stop(interp: Interpreter, el: ET.Element, doc: Document) -> None:
    """Stop the named stream."""
    for stream in el:
        interp.leg.log("stream-stop", name=stream.get("name"))


def connect(interp: Interpreter, el: ET.Element, doc: Document) -> None:
    """Hand the call's audio both ways to a WebSocket; the TwiML after it runs when the socket closes."""
    interp.leg.log("stream-connect", url=el[0].get("url"))
