"""`dialer emulator --profile`: what a provider does not have is refused or left out, as that provider does.

Somleng (somleng-switch `execute_twiml.rb`, somleng `phone_call_request_schema.rb` and
`voice_status_callback_serializer.rb`): no `<Pause>`, `<Enqueue>` or `<Dial><Queue>` (an error that ends the
document where it stands), a Calls API that drops Record, StatusCallbackEvent and MachineDetection, only the
final status callback with SequenceNumber "0", UUID ids, and a `<Record>` action without RecordingSid or
Digits. SignalWire: its REST API under /api/laml, UUID ids, webhooks signed with the signing key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from dialer.emulator import Emulator, run_emulator
from dialer.settings import Settings
from tests.emulator.conftest import SPEED, TTS_CACHE, ended, wait_for
from tests.emulator.ivr import FakeIvr, serve_ivr, twiml

CUSTOMER, SILENT, FROM = "+8613800000101", "+8613800000102", "+862161234567"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SIGNING_KEY = "PSK-test-signing-key"


def _emulator(settings: Settings, personas: Path, tmp_path: Path, profile: str) -> Iterator[Emulator]:
    chosen = settings.replace(gateway_profile=profile, gateway_signing_key=SIGNING_KEY)
    with run_emulator(chosen, personas=personas, speed=SPEED, data_dir=tmp_path / "emu", cps=200) as e:
        e.engine.tts.cache_dir = TTS_CACHE
        yield e


def _client(settings: Settings, emu: Emulator) -> Client:
    for name in ("TWILIO_EDGE", "TWILIO_REGION"):
        os.environ.pop(name, None)
    c = Client(settings.twilio_account_sid, settings.twilio_auth_token)
    c.api.base_url = emu.engine.api_url
    return c


@pytest.fixture
def somleng(settings: Settings, personas_file: Path, tmp_path: Path) -> Iterator[Emulator]:
    yield from _emulator(settings, personas_file, tmp_path, "somleng")


@pytest.fixture
def signalwire(settings: Settings, personas_file: Path, tmp_path: Path) -> Iterator[Emulator]:
    yield from _emulator(settings, personas_file, tmp_path, "signalwire")


def _verbs(emu: Emulator, sid: str) -> list[str]:
    return [e["verb"] for e in emu.call(sid)["events"] if e["event"] == "verb"]


@pytest.mark.parametrize(
    "refused",
    ['<Pause length="1"/>', "<Enqueue>agents</Enqueue>", "<Dial><Queue>agents</Queue></Dial>",
     '<Gather numDigits="1"><Pause length="1"/></Gather>'],
    ids=["pause", "enqueue", "dial-queue", "pause-in-gather"],
)  # fmt: skip
def test_somleng_ends_the_document_at_a_verb_it_does_not_have(
    settings: Settings, somleng: Emulator, ivr: FakeIvr, refused: str
) -> None:
    ivr.route("/voice")(lambda f: twiml(f"<Say>before</Say>{refused}<Say>after</Say>"))
    client = _client(settings, somleng)
    call = client.calls.create(
        to=SILENT, from_=FROM, url=f"{ivr.url}/voice", fallback_url=f"{ivr.url}/fallback"
    )
    ended(client, call.sid)
    errors = [e for e in somleng.call(call.sid)["events"] if e["event"] == "error"]
    assert _verbs(somleng, call.sid)[0] == "Say" and len(_verbs(somleng, call.sid)) == 2  # "after" never ran
    assert errors and errors[0]["code"] == 12100
    assert "/fallback" not in ivr.paths()  # Somleng's Calls API has no FallbackUrl


def test_twilio_refuses_the_same_document_before_running_any_verb(
    client: Client, ivr: FakeIvr, emu: Emulator
) -> None:
    ivr.route("/voice")(lambda f: twiml("<Say>before</Say><Foo/><Say>after</Say>"))
    call = client.calls.create(to=SILENT, from_=FROM, url=f"{ivr.url}/voice")
    ended(client, call.sid)
    assert _verbs(emu, call.sid) == []  # a parse failure: not one verb of the document ran


def test_somleng_drops_what_its_calls_api_does_not_read(
    settings: Settings, somleng: Emulator, ivr: FakeIvr
) -> None:
    ivr.route("/voice")(lambda f: twiml("<Say>您好</Say><Hangup/>"))
    client = _client(settings, somleng)
    call = client.calls.create(
        to=CUSTOMER, from_=FROM, url=f"{ivr.url}/voice", status_callback=f"{ivr.url}/status",
        status_callback_event=["initiated", "ringing", "answered", "completed"], record=True,
        recording_status_callback=f"{ivr.url}/recording", machine_detection="Enable",
    )  # fmt: skip
    assert UUID.match(call.sid), call.sid
    ended(client, call.sid)
    statuses = wait_for(lambda: ivr.for_path("/status", call.sid))
    assert [(s["CallStatus"], s["SequenceNumber"]) for s in statuses] == [("completed", "0")]
    assert "AnsweredBy" not in statuses[0] and "AnsweredBy" not in ivr.for_path("/voice", call.sid)[0]
    assert client.recordings.list(call_sid=call.sid) == []  # no whole-call recording
    assert "/recording" not in ivr.paths()


@pytest.mark.parametrize("profile", ["twilio", "somleng"])
def test_a_key_that_ends_a_recording_is_told_only_where_the_provider_tells_it(
    settings: Settings, personas_file: Path, tmp_path: Path, ivr: FakeIvr, profile: str
) -> None:
    # The persona says 네 into the first recording, then presses 0 in the second, which ends it.
    ivr.route("/voice")(lambda f: twiml('<Record action="/first" timeout="2" maxLength="5"/>'))
    ivr.route("/first")(
        lambda f: twiml('<Record action="/second" finishOnKey="0" timeout="3" maxLength="5"/>')
    )
    ivr.route("/second")(lambda f: twiml("<Hangup/>"))
    for emu in _emulator(settings, personas_file, tmp_path, profile):
        client = _client(settings, emu)
        call = client.calls.create(to=CUSTOMER, from_=FROM, url=f"{ivr.url}/voice")
        ended(client, call.sid)
    [first] = wait_for(lambda: ivr.for_path("/first", call.sid))
    [second] = wait_for(lambda: ivr.for_path("/second", call.sid))
    assert first["RecordingUrl"] and int(first["RecordingDuration"]) >= 1
    if profile == "somleng":
        assert "RecordingSid" not in first and "Digits" not in second
    else:
        assert first["RecordingSid"] and second["Digits"] == "0"


def test_a_silent_somleng_record_still_posts_its_action(
    settings: Settings, somleng: Emulator, ivr: FakeIvr
) -> None:
    ivr.route("/voice")(
        lambda f: twiml('<Record action="/answer" timeout="1" maxLength="3"/><Say>fallback</Say>')
    )
    ivr.route("/answer")(lambda f: twiml("<Hangup/>"))
    client = _client(settings, somleng)
    call = client.calls.create(to=SILENT, from_=FROM, url=f"{ivr.url}/voice")
    ended(client, call.sid)
    assert len(wait_for(lambda: ivr.for_path("/answer", call.sid))) == 1
    assert _verbs(somleng, call.sid) == ["Record", "Hangup"]  # the fallback after <Record> never ran


def test_signalwire_serves_its_api_under_its_prefix_with_uuid_ids(
    settings: Settings, signalwire: Emulator
) -> None:
    ivr_twiml = "<Response><Hangup/></Response>"
    call = _client(settings, signalwire).calls.create(to=SILENT, from_=FROM, twiml=ivr_twiml)
    assert UUID.match(call.sid), call.sid
    bare = Client(settings.twilio_account_sid, settings.twilio_auth_token)
    bare.api.base_url = signalwire.url  # without /api/laml: Twilio's paths are not SignalWire's
    with pytest.raises(TwilioRestException) as caught:
        bare.calls.create(to=SILENT, from_=FROM, twiml=ivr_twiml)
    assert caught.value.status == 404


def test_signalwire_signs_webhooks_with_the_signing_key(settings: Settings, signalwire: Emulator) -> None:
    with serve_ivr(SIGNING_KEY) as ivr:
        ivr.route("/voice")(lambda f: twiml("<Hangup/>"))
        client = _client(settings, signalwire)
        call = client.calls.create(to=SILENT, from_=FROM, url=f"{ivr.url}/voice")
        ended(client, call.sid)
        [hit] = [h for h in ivr.hits if h.path == "/voice"]
    assert hit.signed  # X-Twilio-Signature checked with the signing key
    assert hit.headers["X-Signalwire-Signature"] == hit.headers["X-Twilio-Signature"]
    [sent] = [w for w in signalwire.call(call.sid)["webhooks"] if w["kind"] == "voice"]
    by_token = RequestValidator(settings.twilio_auth_token)
    assert not by_token.validate(sent["url"], sent["params"], hit.headers["X-Twilio-Signature"])
