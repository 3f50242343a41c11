"""TwiML documents: parsing and checking them, and the failures a verb can raise. A leaf of the emulator.

The interpreter (`twiml`) and the verbs that live elsewhere (`prompts`, `bridging`) all speak these.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dialer.profiles import TWILIO, Profile

if TYPE_CHECKING:
    from dialer.emulator.twiml import Interpreter


class LeaveQueue(Exception):
    """`<Leave>` ran in a waitUrl document."""


class TwimlFailure(Exception):
    """A document could not be used; `code` is Twilio's error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Document:
    """A parsed TwiML document and the URL it came from (None for inline `Twiml`)."""

    url: str | None
    root: ET.Element


def parse(body: str, url: str | None, profile: Profile = TWILIO) -> Document:
    """Parse and check a TwiML document, or raise TwimlFailure(12100).

    Twilio checks every verb before running any; Somleng checks each verb only when it comes to it
    (`unsupported`), so the verbs before a bad one still run.
    """
    try:
        root = ET.fromstring(body.strip().encode("utf-8"))
    except ET.ParseError as exc:
        raise TwimlFailure(12100, f"Document parse failure: not XML ({exc})") from exc
    if root.tag != "Response":
        raise TwimlFailure(12100, f"Document parse failure: root element is <{root.tag}>, not <Response>")
    if profile.validates_whole_document:
        for verb in root:
            problem = unsupported(verb, profile)
            if problem:
                raise TwimlFailure(12100, f"Document parse failure: {problem}")
    return Document(url, root)


def unsupported(verb: ET.Element, profile: Profile) -> str | None:
    """Return why the profile cannot run this verb (unknown, or a child it does not allow), or None."""
    if verb.tag not in profile.verbs:  # the profile is the one list of what a provider runs
        return f"unknown verb <{verb.tag}>"
    if verb.tag in STREAM_FORMS:
        return stream_problem(verb, profile)
    nested: dict[str, frozenset[str]] = {"Gather": profile.gather_children, "Dial": profile.dial_nouns}
    allowed = nested.get(verb.tag, frozenset())
    for child in verb:
        if child.tag not in allowed:
            return f"<{child.tag}> cannot be nested in <{verb.tag}>"
    return None


# The Media Streams verbs and the form of `Profile.media_streams` each needs (Stop stops `<Start>` streams).
STREAM_FORMS = {"Start": "start", "Stop": "start", "Connect": "connect"}
STREAM_TRACKS = ("inbound_track", "outbound_track", "both_tracks")


def stream_problem(verb: ET.Element, profile: Profile) -> str | None:
    """Return why `<Start>`, `<Stop>` or `<Connect>` with its `<Stream>` cannot run here, or None.

    Twilio's TwiML `<Stream>`: `<Start>`/`<Connect>` hold a `<Stream url>` (Connect exactly one, inbound
    audio only), `<Stop>` a `<Stream name>`; a `<Stream>` holds only `<Parameter name value>` nouns.
    """
    if STREAM_FORMS[verb.tag] not in profile.media_streams:
        return f"<{verb.tag}> is not supported by {profile.label}"
    streams = list(verb)
    if not streams or any(s.tag != "Stream" for s in streams):
        bad = next((s.tag for s in streams if s.tag != "Stream"), None)
        return f"<{bad}> cannot be nested in <{verb.tag}>" if bad else f"<{verb.tag}> needs a <Stream>"
    if verb.tag == "Connect" and len(streams) > 1:
        return "<Connect> holds one <Stream>"
    for stream in streams:
        problem = _stream_noun_problem(verb.tag, stream)
        if problem:
            return problem
    return None


def _stream_noun_problem(verb: str, stream: ET.Element) -> str | None:
    if verb != "Stop" and not (stream.get("url") or "").strip():
        return f"<Stream> in <{verb}> needs a url"
    if verb == "Stop" and not (stream.get("name") or stream.get("url")):
        return "<Stop><Stream> needs the name (or url) of the stream to stop"
    track = stream.get("track", "inbound_track")
    if track not in STREAM_TRACKS or (verb == "Connect" and track != "inbound_track"):
        return f"<Stream track={track!r}> is not allowed in <{verb}>"
    for child in stream:
        if child.tag != "Parameter":
            return f"<{child.tag}> cannot be nested in <Stream>"
        if not child.get("name") or child.get("value") is None:
            return "<Parameter> needs a name and a value"
    return None


# A verb: run one element of a document; return the next document when the verb moves on to one.
Verb = Callable[["Interpreter", ET.Element, Document], "Document | None"]
Verbs = Mapping[str, Verb]
