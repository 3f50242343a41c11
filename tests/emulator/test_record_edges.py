"""`<Record>` edges from Twilio docs: TwiML <Record>, and machine detection."""

from __future__ import annotations

from twilio.rest import Client

from dialer.emulator import Emulator
from tests.emulator.conftest import ended, wait_for
from tests.emulator.ivr import FakeIvr, twiml

FROM = "+862161234567"


def test_a_hang_up_during_record_posts_digits_hangup(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    ivr.route("/voice")(lambda f: twiml('<Record action="/rec" timeout="3"/><Say>never reached</Say>'))
    ivr.route("/rec")(lambda f: twiml("<Say>ignored, the caller is gone</Say>"))
    call = client.calls.create(
        to="+8613800000104", from_=FROM, url=f"{ivr.url}/voice", status_callback=f"{ivr.url}/s"
    )
    assert ended(client, call.sid).status == "completed"
    action = wait_for(lambda: ivr.for_path("/rec", call.sid))[0]
    assert action["Digits"] == "hangup" and action["CallStatus"] == "completed"
    assert action["RecordingSid"].startswith("RE")
    assert not any(d["url"] == f"{ivr.url}/rec" for d in emu.call(call.sid)["documents"])


def test_a_silent_record_is_skipped_and_the_call_falls_through(
    client: Client, emu: Emulator, ivr: FakeIvr
) -> None:
    ivr.route("/voice")(lambda f: twiml('<Record action="/rec" timeout="2"/><Redirect>/after</Redirect>'))
    ivr.route("/after")(lambda f: twiml("<Hangup/>"))
    call = client.calls.create(to="+8613800000102", from_=FROM, url=f"{ivr.url}/voice")
    ended(client, call.sid)
    assert ivr.paths(call.sid) == ["/voice", "/after"]
    assert any(e["event"] == "record-empty" for e in emu.call(call.sid)["events"])


def test_a_silent_untrimmed_record_is_posted(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    ivr.route("/voice")(lambda f: twiml('<Record action="/rec" timeout="2" trim="do-not-trim"/>'))
    call = client.calls.create(to="+8613800000102", from_=FROM, url=f"{ivr.url}/voice")
    ended(client, call.sid)
    assert wait_for(lambda: ivr.for_path("/rec", call.sid))[0]["RecordingDuration"] == "2"


def test_machine_detection_sends_answered_by(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    ivr.route("/voice")(lambda f: twiml("<Hangup/>"))
    call = client.calls.create(
        to="+8613800000102", from_=FROM, url=f"{ivr.url}/voice", machine_detection="Enable"
    )
    ended(client, call.sid)
    assert ivr.for_path("/voice", call.sid)[0]["AnsweredBy"] == "human"
    assert client.calls(call.sid).fetch().answered_by == "human"
