"""`<Start><Stream>` and `<Stop>`: the gateway's side of Twilio Media Streams, against a real WebSocket server."""

from __future__ import annotations

import base64
import itertools
from pathlib import Path
from typing import Any

import pytest
from flask import Response
from twilio.rest import Client

from dialer.emulator import Emulator, audio
from dialer.emulator.inspect import summary_lines
from dialer.gateway.signature import compute_signature
from dialer.settings import Settings
from dialer.speech.tts import voice_for
from tests.emulator.conftest import ended, wait_for
from tests.emulator.ivr import FakeIvr, twiml
from tests.emulator.streams.conftest import (
    FROM,
    audioop,
    call_recording,
    event_t,
    inbound_pcm,
    loud_frames,
    verb_t,
)
from tests.emulator.streams.wsserver import Seen, StreamServer


def _start(ws: StreamServer, name: str = "a7-s1", path: str = "/stream") -> str:
    return (
        f'<Start><Stream name="{name}" url="{ws.url}{path}" track="inbound_track">'
        '<Parameter name="attempt" value="7"/><Parameter name="step" value="1"/></Stream></Start>'
    )


def _call(
    client: Client, ivr: FakeIvr, ws: StreamServer, to: str, body: str, record: bool = False
) -> tuple[Any, Seen]:
    """Place a call whose TwiML is `body`; return it, ended, and its (first) stream as the server saw it."""
    ivr.route("/voice")(lambda f: twiml(body))
    options: dict[str, Any] = {"record": True, "recording_channels": "dual"} if record else {}
    call = client.calls.create(to=to, from_=FROM, url=f"{ivr.url}/voice", **options)
    ended(client, call.sid)
    return call, wait_for(lambda: ws.seen and ws.seen[0].closed.is_set() and ws.seen[0])


def test_a_stream_speaks_twilios_messages_in_call_time(
    client: Client, emu: Emulator, ivr: FakeIvr, ws: StreamServer, settings: Settings
) -> None:
    call, seen = _call(client, ivr, ws, "+8613800000205", _start(ws) + '<Pause length="2"/><Hangup/>')
    events = seen.events()
    assert events[:2] == ["connected", "start"] and events[-1] == "stop"
    assert set(events[2:-1]) == {"media"}
    assert seen.messages[0] == {"event": "connected", "protocol": "Call", "version": "1.0.0"}
    start = seen.messages[1]
    sid = start["streamSid"]
    assert sid.startswith("MZ") and len(sid) == 34
    assert start["start"] == {
        "streamSid": sid, "accountSid": settings.twilio_account_sid, "callSid": call.sid,
        "tracks": ["inbound"], "customParameters": {"attempt": "7", "step": "1"},
        "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
    }  # fmt: skip
    assert [m["sequenceNumber"] for m in seen.messages[1:]] == [str(i) for i in range(1, len(events))]
    assert all(m["streamSid"] == sid for m in seen.messages[1:])
    media = [m["media"] for m in seen.of("media")]
    assert [m["chunk"] for m in media] == [str(i) for i in range(1, len(media) + 1)]
    assert [m["timestamp"] for m in media] == [str(20 * i) for i in range(len(media))]
    assert 99 <= len(media) <= 102  # two seconds of call time, 20 ms a frame
    assert all(base64.b64decode(m["payload"]) == b"\xff" * 160 for m in media)  # µ-law silence
    assert seen.messages[-1]["stop"] == {"accountSid": settings.twilio_account_sid, "callSid": call.sid}
    signed = compute_signature(f"{ws.url}/stream", [], settings.twilio_auth_token)
    assert seen.headers["X-Twilio-Signature"] == signed
    report = emu.call(call.sid)
    assert report["streams"][0]["status"] == "stopped"
    assert f"stream a7-s1 {ws.url}/stream → stopped ({len(media)} frames)" in "\n".join(
        summary_lines([report])
    )


def test_the_customer_is_heard_in_the_stream_and_the_recording_when_they_speak(
    client: Client, emu: Emulator, ivr: FakeIvr, ws: StreamServer
) -> None:
    call, seen = _call(
        client,
        ivr,
        ws,
        "+8613800000201",
        _start(ws) + '<Say>请问您是本人吗</Say><Pause length="5"/><Hangup/>',
        record=True,
    )
    heard = loud_frames(inbound_pcm(seen))
    report = emu.call(call.sid)
    began = report["streams"][0]["started"]
    spoken_at = verb_t(report, "Pause") + 1.5  # the persona thinks for 1.5 s after the question
    assert abs(heard[0] * 0.02 + began - spoken_at) <= 0.06
    _service, customer = call_recording(emu, call.sid)
    in_recording = loud_frames(customer)
    assert abs(in_recording[0] * 0.02 - spoken_at) <= 0.06
    aligned = loud_frames(customer[round(began * 8000) * 2 :])
    assert heard[0] == aligned[0] and len(set(heard) ^ set(aligned)) <= 2  # the same words at the same times


def test_a_persona_that_barges_in_talks_over_the_question(
    client: Client, emu: Emulator, ivr: FakeIvr, ws: StreamServer
) -> None:
    call, seen = _call(
        client,
        ivr,
        ws,
        "+8613800000202",
        _start(ws) + '<Say>请问您是本人吗</Say><Pause length="3"/><Hangup/>',
        record=True,
    )
    report = emu.call(call.sid)
    began = report["streams"][0]["started"]
    asked, question = verb_t(report, "Say"), verb_t(report, "Pause") - verb_t(report, "Say")
    first = loud_frames(inbound_pcm(seen))[0] * 0.02 + began
    assert abs(first - (asked + question / 2)) <= 0.06  # halfway through the question
    service, customer = call_recording(emu, call.sid)
    both = set(loud_frames(service)) & set(loud_frames(customer))
    assert both, "the customer's words and the question overlap in the recording"


def test_a_slow_answer_has_its_pause_on_the_line(
    client: Client, emu: Emulator, ivr: FakeIvr, ws: StreamServer
) -> None:
    _, seen = _call(
        client, ivr, ws, "+8613800000203", _start(ws) + '<Say>好</Say><Pause length="6"/><Hangup/>'
    )
    loud = loud_frames(inbound_pcm(seen))
    gaps = [b - a for a, b in itertools.pairwise(loud)]
    assert max(gaps) * 0.02 >= 1.5  # 음 …… 네


def test_a_key_press_is_a_dtmf_message(client: Client, emu: Emulator, ivr: FakeIvr, ws: StreamServer) -> None:
    _, seen = _call(
        client, ivr, ws, "+8613800000204", _start(ws) + '<Say>好</Say><Pause length="3"/><Hangup/>'
    )
    dtmf = seen.of("dtmf")
    assert [d["dtmf"] for d in dtmf] == [{"track": "inbound_track", "digit": "1"}]
    before = [m for m in seen.messages if m["event"] == "media"][: int(dtmf[0]["sequenceNumber"]) - 2]
    assert before and base64.b64decode(before[-1]["media"]["payload"]) != b"\xff" * 160  # the tone itself


LONG_TEXT = "您好，这里是回访中心，我们想占用您几分钟时间，确认一下您最近办理的业务情况，谢谢您的配合"


@pytest.mark.parametrize("verb", ["Say", "Play"])
def test_a_stream_keeps_running_across_a_rest_update_that_cuts_the_prompt(
    client: Client, emu: Emulator, ivr: FakeIvr, ws: StreamServer, tmp_path: Path, verb: str
) -> None:
    prompt = emu.engine.tts.render(LONG_TEXT, voice_for(None))
    wav = tmp_path / "prompt.wav"
    audio.write_pcm_wav(wav, prompt, 1)
    ivr.route("/prompt.wav")(lambda f: Response(wav.read_bytes(), mimetype="audio/wav"))
    asked = f"<Say>{LONG_TEXT}</Say>" if verb == "Say" else f"<Play>{ivr.url}/prompt.wav</Play>"
    ivr.route("/voice")(lambda f: twiml(_start(ws) + asked + '<Pause length="30"/>'))
    call = client.calls.create(
        to="+8613800000205", from_=FROM, url=f"{ivr.url}/voice", record=True, recording_channels="dual"
    )
    wait_for(lambda: ws.seen and len(ws.seen[0].of("media")) >= 75)  # 1.5 s into the call's stream
    client.calls(call.sid).update(twiml='<Response><Pause length="1"/><Hangup/></Response>')
    assert ended(client, call.sid).status == "completed"
    seen = wait_for(lambda: ws.seen[0].closed.is_set() and ws.seen[0])
    assert len(ws.seen) == 1
    media = [m["media"] for m in seen.of("media")]
    assert [m["chunk"] for m in media] == [str(i) for i in range(1, len(media) + 1)]
    report = emu.call(call.sid)
    answered, cut = event_t(report, "answered"), event_t(report, "redirected-by-api")
    began = report["streams"][0]["started"]
    assert abs(len(media) * 0.02 + began - (cut - answered + 1.0)) <= 0.1  # the stream ran to the hang-up
    service, _customer = call_recording(emu, call.sid)
    assert abs(len(service) / 16000 - (cut - answered + 1.0)) <= 0.05  # the new <Pause> ran, then the end
    lead = next(i for i in range(0, len(prompt), 2) if prompt[i : i + 2] != b"\0\0")
    start = next(i for i in range(0, len(service), 2) if service[i : i + 2] != b"\0\0") - lead
    at = round((cut - answered) * 8000) * 2  # the instant of the update (the log keeps milliseconds)
    played = next(
        (i for i in range(start, len(service), 2) if service[i : i + 2] != prompt[i - start : i - start + 2]),
        len(service),
    )
    assert abs(played - at) <= 32 or service[played:at] == b"\0" * (
        at - played
    )  # what was played, sample for sample
    assert not any(service[at + 32 :])  # and nothing of the prompt after the update
    assert at - start < len(prompt) * 0.8


def test_stop_ends_the_named_stream_and_a_fifth_stream_is_refused(
    client: Client, emu: Emulator, ivr: FakeIvr, ws: StreamServer
) -> None:
    five = "".join(_start(ws, name=f"s{i}", path=f"/s{i}") for i in range(5))
    ivr.route("/voice")(lambda f: twiml(five + '<Pause length="1"/><Stop><Stream name="s0"/></Stop>'
                                        '<Pause length="1"/><Hangup/>'))  # fmt: skip
    call = client.calls.create(to="+8613800000205", from_=FROM, url=f"{ivr.url}/voice")
    ended(client, call.sid)
    wait_for(lambda: len(ws.seen) == 4 and all(s.closed.is_set() for s in ws.seen))
    by_path = {s.path: s for s in ws.seen}
    assert sorted(by_path) == ["/s0", "/s1", "/s2", "/s3"]
    stopped, running = len(by_path["/s0"].of("media")), len(by_path["/s1"].of("media"))
    assert 48 <= stopped <= 52 and 98 <= running <= 102
    assert by_path["/s0"].events()[-1] == "stop"
    events = emu.call(call.sid)["events"]
    assert [e["name"] for e in events if e["event"] == "stream-stopped"] == ["s0"]
    assert any(e["event"] == "stream-refused" for e in events)


def test_a_stream_that_cannot_connect_is_logged_and_the_call_goes_on(
    client: Client, emu: Emulator, ivr: FakeIvr, ws: StreamServer
) -> None:
    ws.refuse.add("/nope")
    ivr.route("/voice")(
        lambda f: twiml(_start(ws, path="/nope") + '<Pause length="1"/><Redirect>/after</Redirect>')
    )
    ivr.route("/after")(lambda f: twiml("<Hangup/>"))
    call = client.calls.create(to="+8613800000205", from_=FROM, url=f"{ivr.url}/voice")
    assert ended(client, call.sid).status == "completed"
    assert ivr.paths(call.sid) == ["/voice", "/after"]
    errors = [e for e in emu.call(call.sid)["events"] if e["event"] == "error"]
    assert errors[0]["code"] == 31920 and "403" in errors[0]["message"]


def test_both_tracks_carry_the_prompt_as_it_plays_and_the_customer(
    client: Client, emu: Emulator, ivr: FakeIvr, ws: StreamServer
) -> None:
    stream = f'<Start><Stream name="both" url="{ws.url}/both" track="both_tracks"/></Start>'
    call, seen = _call(
        client,
        ivr,
        ws,
        "+8613800000201",
        stream + '<Say>请问您是本人吗</Say><Pause length="4"/><Hangup/>',
        record=True,
    )
    assert seen.messages[1]["start"]["tracks"] == ["inbound", "outbound"]
    media = [m["media"] for m in seen.of("media")]
    assert [m["track"] for m in media[:2]] == ["inbound", "outbound"] and media[0]["chunk"] == media[1][
        "chunk"
    ]
    outbound = b"".join(
        audioop.ulaw2lin(base64.b64decode(m["payload"]), 2) for m in media if m["track"] == "outbound"
    )
    began = round(emu.call(call.sid)["streams"][0]["started"] * 8000) * 2
    service, customer = call_recording(emu, call.sid)
    for streamed, recorded in ((outbound, service), (inbound_pcm(seen), customer)):
        frames, kept = loud_frames(streamed), loud_frames(recorded[began:])
        # the same sound at the same times (µ-law blurs the quietest frames)
        assert frames[0] == kept[0] and len(set(frames) ^ set(kept)) <= 2, sorted(set(frames) ^ set(kept))


def test_the_stream_status_callback_tells_when_a_stream_starts_stops_or_fails(
    client: Client, emu: Emulator, ivr: FakeIvr, ws: StreamServer
) -> None:
    ws.refuse.add("/nope")
    streams = "".join(
        f'<Stream name="{n}" url="{ws.url}/{n}" statusCallback="/stream-status"/>' for n in ("ok", "nope")
    )
    call, _seen = _call(client, ivr, ws, "+8613800000205", f'<Start>{streams}</Start><Pause length="1"/>')
    hits = wait_for(
        lambda: len(ivr.for_path("/stream-status", call.sid)) == 3 and ivr.for_path("/stream-status")
    )
    events = {(h["StreamName"], h["StreamEvent"]) for h in hits}
    assert events == {("ok", "stream-started"), ("ok", "stream-stopped"), ("nope", "stream-error")}
    error = next(h for h in hits if h["StreamEvent"] == "stream-error")
    assert error["StreamError"].startswith("31920") and error["StreamSid"].startswith("MZ")
    assert all(h.signed for h in ivr.hits if h.path == "/stream-status")
