"""`<Start>`, `<Stop>` and `<Connect>` with `<Stream>`: checked per profile before any verb runs."""

from __future__ import annotations

import pytest

from dialer.emulator.documents import TwimlFailure, parse, unsupported
from dialer.profiles import SIGNALWIRE, SOMLENG, TWILIO

START = (
    '<Response><Start><Stream name="a1-s1" url="ws://127.0.0.1:9/stream" track="inbound_track">'
    '<Parameter name="attempt" value="1"/><Parameter name="step" value="1"/></Stream></Start>'
    '<Play>https://x/q.wav</Play><Pause length="5"/></Response>'
)
STOP = '<Response><Stop><Stream name="a1-s1"/></Stop></Response>'
CONNECT = (
    '<Response><Connect><Stream url="wss://ear.example/stream"><Parameter name="a" value="1"/></Stream>'
    "</Connect><Say>after</Say></Response>"
)


@pytest.mark.parametrize("profile", [TWILIO, SIGNALWIRE])
@pytest.mark.parametrize("body", [START, STOP, CONNECT])
def test_twilio_and_signalwire_take_every_stream_form(profile, body) -> None:  # type: ignore[no-untyped-def]
    assert parse(body, "http://x/", profile).root.tag == "Response"


def test_somleng_takes_connect_only() -> None:
    doc = parse(CONNECT, "http://x/", SOMLENG)
    assert unsupported(doc.root[0], SOMLENG) is None
    for body in (START, STOP):
        root = parse(body, "http://x/", SOMLENG).root  # Somleng checks each verb when it comes to it
        assert unsupported(root[0], SOMLENG) == f"unknown verb <{root[0].tag}>"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("<Start/>", "<Start> needs a <Stream>"),
        ('<Start><Stream name="x"/></Start>', "needs a url"),
        ('<Start><Stream url="ws://h/s"><Say>x</Say></Stream></Start>', "<Say> cannot be nested in <Stream>"),
        ('<Start><Stream url="ws://h/s"><Parameter name="a"/></Stream></Start>', "needs a name and a value"),
        ("<Start><Say>x</Say></Start>", "<Say> cannot be nested in <Start>"),
        ("<Stop><Stream/></Stop>", "name (or url)"),
        ('<Connect><Stream url="ws://h/s" track="both_tracks"/></Connect>', "not allowed in <Connect>"),
        ('<Connect><Stream url="ws://h/a"/><Stream url="ws://h/b"/></Connect>', "holds one <Stream>"),
        ('<Start><Stream url="ws://h/s" track="sideways"/></Start>', "not allowed in <Start>"),
    ],
)
def test_a_malformed_stream_fails_the_document(body: str, why: str) -> None:
    with pytest.raises(TwimlFailure) as failure:
        parse(f"<Response>{body}</Response>", "http://x/", TWILIO)
    assert failure.value.code == 12100 and why in failure.value.message
