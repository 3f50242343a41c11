"""The official twilio SDK creates, fetches, updates and lists calls and recordings."""

from __future__ import annotations

import io
import wave

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from dialer.emulator import Emulator
from tests.emulator.conftest import ended, wait_for
from tests.emulator.ivr import FakeIvr, twiml

FROM = "+862161234567"
RECORD_ONCE = '<Say>Hello</Say><Record maxLength="5" timeout="1" action="/done"/>'


def test_it_creates_fetches_and_lists_calls(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    ivr.route("/voice")(lambda f: twiml("<Say>Hi</Say>"))
    call = client.calls.create(to="+8613800000102", from_=FROM, url=f"{ivr.url}/voice")
    assert call.sid.startswith("CA") and len(call.sid) == 34
    assert call.status == "queued" and call.direction == "outbound-api"
    done = ended(client, call.sid)
    assert done.status == "completed" and int(done.duration) >= 1
    assert done.start_time is not None and done.end_time >= done.start_time
    assert [c.sid for c in client.calls.list(to="+8613800000102")] == [call.sid]
    assert client.calls.list(status="busy") == []


def test_it_pages_through_a_long_list(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    made = {client.calls.create(to="+8613800000103", from_=FROM, url=f"{ivr.url}/v").sid for _ in range(5)}
    listed = [c.sid for c in client.calls.stream(page_size=2)]
    assert set(listed) == made and len(listed) == 5


def test_it_hangs_up_and_redirects_live_calls(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    ivr.route("/voice")(lambda f: twiml('<Pause length="600"/>'))
    ivr.route("/next")(lambda f: twiml("<Say>Moved</Say>"))
    call = client.calls.create(to="+8613800000102", from_=FROM, url=f"{ivr.url}/voice")
    wait_for(lambda: client.calls(call.sid).fetch().status == "in-progress")
    client.calls(call.sid).update(url=f"{ivr.url}/next", method="POST")
    wait_for(lambda: ivr.for_path("/next", call.sid))
    assert ended(client, call.sid).status == "completed"
    with pytest.raises(TwilioRestException) as err:
        client.calls(call.sid).update(twiml="<Response><Say>late</Say></Response>")
    assert (err.value.status, err.value.code) == (400, 21220)
    second = client.calls.create(to="+8613800000102", from_=FROM, url=f"{ivr.url}/voice")
    wait_for(lambda: client.calls(second.sid).fetch().status == "in-progress")
    assert client.calls(second.sid).update(status="completed").sid == second.sid
    assert ended(client, second.sid).status == "completed"


def test_it_cancels_a_ringing_call(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    call = client.calls.create(to="+8613800000105", from_=FROM, url=f"{ivr.url}/v", timeout=600)
    wait_for(lambda: client.calls(call.sid).fetch().status == "ringing")
    client.calls(call.sid).update(status="canceled")
    assert ended(client, call.sid).status == "canceled"


def test_it_lists_fetches_serves_and_deletes_recordings(client: Client, emu: Emulator, ivr: FakeIvr) -> None:
    ivr.route("/voice")(lambda f: twiml(RECORD_ONCE))
    ivr.route("/done")(lambda f: twiml("<Hangup/>"))
    call = client.calls.create(to="+8613800000101", from_=FROM, url=f"{ivr.url}/voice", record=True)
    ended(client, call.sid)
    recs = wait_for(
        lambda: (
            len(client.recordings.list(call_sid=call.sid)) == 2 and client.recordings.list(call_sid=call.sid)
        )
    )
    assert {r.source for r in recs} == {"RecordVerb", "OutboundAPI"}
    assert len(client.calls(call.sid).recordings.list()) == 2
    clip = next(r for r in recs if r.source == "RecordVerb")
    assert client.recordings(clip.sid).fetch().channels == 1
    base = f"{emu.url}/2010-04-01/Accounts/{client.account_sid}/Recordings/{clip.sid}"
    bare, wav, mp3 = (requests.get(base + ext, timeout=30) for ext in ("", ".wav", ".mp3"))
    assert bare.content == wav.content and wav.headers["Content-Type"].startswith("audio/x-wav")
    assert mp3.headers["Content-Type"] == "audio/mpeg" and len(mp3.content) > 500
    whole = next(r for r in recs if r.source == "OutboundAPI")
    with wave.open(io.BytesIO(requests.get(f"{emu.url}{whole.uri[:-5]}.wav", timeout=10).content)) as w:
        assert w.getnchannels() == 1  # RecordingChannels defaults to mono, as on Twilio
    assert client.recordings(clip.sid).delete() is True
    with pytest.raises(TwilioRestException) as err:
        client.recordings(clip.sid).fetch()
    assert (err.value.status, err.value.code) == (404, 20404)


def test_it_answers_twilio_errors(client: Client, emu: Emulator, settings: object) -> None:
    cases = [
        (dict(to="+1bad", from_=FROM, url="http://127.0.0.1:1/x"), 400, 21211),
        (dict(to="", from_=FROM, url="http://127.0.0.1:1/x"), 400, 21201),
        (dict(to="+8613800000102", from_="", url="http://127.0.0.1:1/x"), 400, 21213),
        (dict(to="+8613800000102", from_=FROM), 400, 21205),
        (dict(to="+8613800000102", from_=FROM, url="not a url"), 400, 21205),
    ]
    for kwargs, status, code in cases:
        with pytest.raises(TwilioRestException) as err:
            client.calls.create(**kwargs)
        assert (err.value.status, err.value.code) == (status, code), kwargs
    with pytest.raises(TwilioRestException) as err:
        client.calls("CA" + "0" * 32).fetch()
    assert (err.value.status, err.value.code) == (404, 20404)
    bad = Client(client.account_sid, "wrong-token")
    bad.api.base_url = emu.url
    with pytest.raises(TwilioRestException) as err:
        bad.calls("CA" + "0" * 32).fetch()
    assert (err.value.status, err.value.code) == (401, 20003)
