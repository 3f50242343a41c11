"""A scripted call (Say → Record → Gather → Enqueue / agent Dial Queue → Hangup)."""

from __future__ import annotations

import io
import wave

import requests
from twilio.rest import Client

from dialer.emulator import Emulator
from tests.emulator.conftest import ended, wait_for
from tests.emulator.ivr import FakeIvr, twiml

CUSTOMER, AGENT, FROM = "+8613800000101", "+862161230001", "+862161234567"
EVENTS = ["initiated", "ringing", "answered", "completed"]


def script(ivr: FakeIvr, client: Client) -> None:
    """The test IVR: greet, record an answer, offer an agent on key 0, queue, thank and hang up."""
    ivr.route("/voice")(
        lambda f: twiml(
            '<Say language="cmn-CN">您好，这里是回访中心。请问您是本人吗？</Say>'
            '<Record action="/record" maxLength="10" timeout="2" finishOnKey="#" '
            'recordingStatusCallback="/clip-status"/>'
        )
    )
    ivr.route("/record")(
        lambda f: twiml(
            '<Gather numDigits="1" timeout="3" action="/gather"><Say language="cmn-CN">转人工请按零</Say></Gather>'
            "<Say>No input</Say>"
        )
    )

    def gather(form: dict[str, str]) -> object:
        client.calls.create(
            to=AGENT, from_=FROM, twiml="<Response><Dial><Queue>support</Queue></Dial></Response>"
        )
        return twiml('<Enqueue waitUrl="/wait" action="/queue-done">support</Enqueue>')

    ivr.route("/gather")(gather)
    ivr.route("/wait")(lambda f: twiml('<Say language="cmn-CN">请稍候</Say>'))
    ivr.route("/queue-done")(lambda f: twiml('<Say language="cmn-CN">谢谢，再见</Say><Hangup/>'))


def place(client: Client, ivr: FakeIvr) -> str:
    call = client.calls.create(
        to=CUSTOMER, from_=FROM, url=f"{ivr.url}/voice", status_callback=f"{ivr.url}/status",
        status_callback_event=EVENTS, record=True, recording_channels="dual",
        recording_status_callback=f"{ivr.url}/call-recording",
    )  # fmt: skip
    ended(client, call.sid, timeout=60)
    wait_for(
        lambda: ivr.for_path("/call-recording", call.sid) and len(ivr.for_path("/status", call.sid)) == 4
    )
    return str(call.sid)


def test_it_runs_the_script_in_order_with_every_callback(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    script(ivr, client)
    sid = place(client, ivr)
    voice = [p for p in ivr.paths(sid) if p not in ("/status", "/clip-status", "/call-recording", "/wait")]
    assert voice == ["/voice", "/record", "/gather", "/queue-done"]
    assert "/wait" in ivr.paths(sid)
    statuses = ivr.for_path("/status", sid)
    assert [s["CallStatus"] for s in statuses] == ["initiated", "ringing", "in-progress", "completed"]
    assert [s["SequenceNumber"] for s in statuses] == ["0", "1", "2", "3"]
    assert all(s["CallbackSource"] == "call-progress-events" and s["Timestamp"] for s in statuses)
    assert statuses[-1]["CallDuration"] == str(client.calls(sid).fetch().duration)
    assert statuses[-1]["RecordingSid"].startswith("RE")
    assert ivr.for_path("/gather", sid)[0]["Digits"] == "0"
    done = ivr.for_path("/queue-done", sid)[0]
    assert done["QueueResult"] == "bridged" and done["QueueSid"].startswith("QU")
    assert all(h.signed for h in ivr.hits), [h.path for h in ivr.hits if not h.signed]


def test_the_record_action_and_clip_are_real(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    script(ivr, client)
    sid = place(client, ivr)
    action = ivr.for_path("/record", sid)[0]
    assert action["RecordingUrl"].rsplit("/", 1)[-1] == action["RecordingSid"]  # no extension
    assert int(action["RecordingDuration"]) >= 1
    clip = requests.get(action["RecordingUrl"] + ".wav", timeout=10)
    assert clip.headers["Content-Type"].startswith("audio/x-wav")
    assert clip.content[20:22] == b"\x07\x00"  # WAVE_FORMAT_MULAW
    assert int.from_bytes(clip.content[24:28], "little") == 8000
    clip_status = wait_for(lambda: ivr.for_path("/clip-status", sid))[0]
    assert clip_status["RecordingSource"] == "RecordVerb" and clip_status["RecordingChannels"] == "1"
    assert clip_status["RecordingStatus"] == "completed"


def test_the_call_recording_keeps_the_true_timeline(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    script(ivr, client)
    sid = place(client, ivr)
    rec = ivr.for_path("/call-recording", sid)[0]
    assert (rec["RecordingSource"], rec["RecordingChannels"]) == ("OutboundAPI", "2")
    with wave.open(io.BytesIO(requests.get(rec["RecordingUrl"], timeout=10).content)) as w:
        assert (w.getnchannels(), w.getframerate()) == (2, 8000)
        length = w.getnframes() / 8000
        frames = w.readframes(w.getnframes())
    events = {e["event"]: e["t"] for e in emu.call(sid)["events"]}
    assert abs(length - (events["completed"] - events["answered"])) <= 0.2
    assert length > 8  # the true call length, though it ran 25 times faster
    customer = b"".join(frames[i + 2 : i + 4] for i in range(0, len(frames), 4))
    answer = emu.engine.tts.render("네", "ko")
    assert answer in customer  # the persona's answer, sample for sample, on channel 1
