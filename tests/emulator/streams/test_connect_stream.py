"""`<Connect><Stream>`: the service plays audio into the call over the socket, with marks and clear."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from twilio.rest import Client
from websockets.sync.server import ServerConnection

from dialer.emulator import Emulator, audio
from dialer.settings import Settings
from tests.emulator.conftest import ended, wait_for
from tests.emulator.ivr import FakeIvr, twiml
from tests.emulator.streams.conftest import FROM, audioop, call_recording, loud_frames, slow_emulator, verb_t
from tests.emulator.streams.wsserver import Seen, StreamServer

TONE = audio.tone((440.0,), 1.0)


def _send_audio(conn: ServerConnection, sid: str, pcm: bytes) -> None:
    for i in range(0, len(pcm), 320):
        payload = base64.b64encode(audioop.lin2ulaw(pcm[i : i + 320], 2)).decode()
        conn.send(json.dumps({"event": "media", "streamSid": sid, "media": {"payload": payload}}))


def _mark(conn: ServerConnection, sid: str, name: str) -> None:
    conn.send(json.dumps({"event": "mark", "streamSid": sid, "mark": {"name": name}}))


def _wait(check: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)


def _connect(ws: StreamServer, path: str) -> str:
    return f'<Connect><Stream url="{ws.url}{path}"><Parameter name="attempt" value="9"/></Stream></Connect>'


@pytest.fixture(params=["twilio", "somleng"])
def profile_emu(
    request: pytest.FixtureRequest, settings: Settings, personas_file: Path, tmp_path: Path
) -> Iterator[Emulator]:
    yield from slow_emulator(settings, personas_file, tmp_path, profile=request.param)


@pytest.fixture
def profile_client(settings: Settings, profile_emu: Emulator) -> Client:
    c = Client(settings.twilio_account_sid, settings.twilio_auth_token)
    c.api.base_url = profile_emu.url
    return c


def test_the_service_plays_audio_and_its_mark_comes_back_once_played(
    profile_client: Client, profile_emu: Emulator, ivr: FakeIvr, ws: StreamServer
) -> None:
    @ws.on("/two-way")
    def play(conn: ServerConnection, seen: Seen) -> None:
        sid = seen.messages[1]["streamSid"]
        _send_audio(conn, sid, TONE)
        _mark(conn, sid, "tone-played")
        _wait(lambda: seen.of("mark"))
        conn.close()

    ivr.route("/voice")(lambda f: twiml(_connect(ws, "/two-way") + "<Redirect>/after</Redirect>"))
    ivr.route("/after")(lambda f: twiml("<Hangup/>"))
    call = profile_client.calls.create(
        to="+8613800000205", from_=FROM, url=f"{ivr.url}/voice", record=True, recording_channels="dual"
    )
    assert ended(profile_client, call.sid).status == "completed"
    seen = wait_for(lambda: ws.seen and ws.seen[0].closed.is_set() and ws.seen[0])
    assert seen.messages[1]["start"]["customParameters"] == {"attempt": "9"}
    marks = seen.of("mark")
    assert [m["mark"] for m in marks] == [{"name": "tone-played"}]
    frames_before_mark = [m for m in seen.messages[: seen.messages.index(marks[0])] if m["event"] == "media"]
    assert len(frames_before_mark) >= 49  # the mark came back only after the second of tone had played
    assert ivr.paths(call.sid) == ["/voice", "/after"]  # the TwiML after <Connect> ran when the socket closed
    if profile_emu.engine.profile.call_recording:
        service, _customer = call_recording(profile_emu, call.sid)
        loud = loud_frames(service)
        report = profile_emu.call(call.sid)
        # the tone starts once it has crossed the socket (a few ms, times the speed-up), and lasts its second
        assert 48 <= len(loud) <= 51 and -0.03 <= loud[0] * 0.02 - verb_t(report, "Connect") <= 0.4


def test_clear_drops_the_queued_audio_at_once_and_answers_its_marks(
    client: Client, emu: Emulator, ivr: FakeIvr, ws: StreamServer
) -> None:
    @ws.on("/two-way")
    def talk_then_clear(conn: ServerConnection, seen: Seen) -> None:
        sid = seen.messages[1]["streamSid"]
        _send_audio(conn, sid, TONE * 5)
        _mark(conn, sid, "all-played")
        _wait(lambda: len(seen.of("media")) >= 50)  # a second of call time into the tone
        conn.send(json.dumps({"event": "clear", "streamSid": sid}))
        _wait(lambda: seen.of("mark"))
        conn.close()

    ivr.route("/voice")(lambda f: twiml(_connect(ws, "/two-way") + "<Hangup/>"))
    call = client.calls.create(
        to="+8613800000205", from_=FROM, url=f"{ivr.url}/voice", record=True, recording_channels="dual"
    )
    ended(client, call.sid)
    seen = wait_for(lambda: ws.seen and ws.seen[0].closed.is_set() and ws.seen[0])
    assert [m["mark"]["name"] for m in seen.of("mark")] == ["all-played"]
    service, _customer = call_recording(emu, call.sid)
    played = len(loud_frames(service)) * 0.02
    assert 0.9 <= played <= 1.5  # cut at the clear, not the five seconds sent


def test_somleng_refuses_start_as_it_always_has(
    settings: Settings, personas_file: Path, tmp_path: Path, ivr: FakeIvr, ws: StreamServer
) -> None:
    for emu in slow_emulator(settings, personas_file, tmp_path, profile="somleng"):
        c = Client(settings.twilio_account_sid, settings.twilio_auth_token)
        c.api.base_url = emu.url
        ivr.route("/voice")(
            lambda f: twiml(f'<Say>好</Say><Start><Stream url="{ws.url}/s"/></Start><Say>x</Say>')
        )
        call = c.calls.create(to="+8613800000205", from_=FROM, url=f"{ivr.url}/voice")
        ended(c, call.sid)
        errors = [e for e in emu.call(call.sid)["events"] if e["event"] == "error"]
        assert errors[0]["code"] == 12100 and "<Start>" in errors[0]["message"]
        assert not ws.seen
