"""A customer who hangs up mid-call, and voicemail answered with machine detection."""

from __future__ import annotations

from twilio.rest import Client

from dialer.emulator import Emulator
from tests.emulator.conftest import ended, wait_for
from tests.emulator.ivr import FakeIvr, twiml

FROM = "+862161234567"


def test_a_customer_hangs_up_mid_call(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    ivr.route("/voice")(lambda f: twiml('<Pause length="60"/><Say>never heard</Say>'))
    call = client.calls.create(to="+8613800000107", from_=FROM, url=f"{ivr.url}/voice")
    done = ended(client, call.sid)
    assert (done.status, done.duration) == ("completed", "5")
    hangup = next(e for e in emu.call(call.sid)["events"] if e["event"] == "hangup")
    assert hangup["reason"] == "caller"


def test_voicemail_is_detected_as_a_machine(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    ivr.route("/voice")(lambda f: twiml("<Hangup/>"))
    call = client.calls.create(
        to="+8613800000106", from_=FROM, url=f"{ivr.url}/voice", machine_detection="DetectMessageEnd"
    )
    ended(client, call.sid)
    assert ivr.for_path("/voice", call.sid)[0]["AnsweredBy"] == "machine_end_beep"


def test_async_detection_reports_on_its_own_callback(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    ivr.route("/voice")(lambda f: twiml('<Pause length="10"/>'))
    call = client.calls.create(
        to="+8613800000106", from_=FROM, url=f"{ivr.url}/voice", machine_detection="Enable",
        async_amd="true", async_amd_status_callback=f"{ivr.url}/amd",
    )  # fmt: skip
    ended(client, call.sid)
    amd = wait_for(lambda: ivr.for_path("/amd", call.sid))[0]
    assert amd["AnsweredBy"] == "machine_start" and int(amd["MachineDetectionDuration"]) > 0
    assert "AnsweredBy" not in ivr.for_path("/voice", call.sid)[0]
