"""Agents: `<Dial><Number>` rings an agent persona that talks, then hangs up."""

from __future__ import annotations

import io
import wave

import requests
from twilio.rest import Client

from dialer.emulator import Emulator
from tests.emulator.conftest import ended, wait_for
from tests.emulator.ivr import FakeIvr, twiml


def test_dialling_an_agent_bridges_and_records_their_talk(
    client: Client, emu: Emulator, ivr: FakeIvr
) -> None:
    ivr.route("/voice")(
        lambda f: twiml('<Dial action="/dialed" record="record-from-answer-dual">+862161230001</Dial>')
    )
    ivr.route("/dialed")(lambda f: twiml("<Hangup/>"))
    call = client.calls.create(
        to="+8613800000102",
        from_="+862161234567",
        url=f"{ivr.url}/voice",
        record=True,
        recording_channels="dual",
    )
    ended(client, call.sid)
    dialed = wait_for(lambda: ivr.for_path("/dialed", call.sid))[0]
    assert dialed["DialCallStatus"] == "completed" and dialed["DialCallDuration"] == "4"
    child = client.calls(dialed["DialCallSid"]).fetch()
    assert (child.direction, child.parent_call_sid, child.status) == ("outbound-dial", call.sid, "completed")
    recs = wait_for(
        lambda: (
            len(client.recordings.list(call_sid=call.sid)) == 2 and client.recordings.list(call_sid=call.sid)
        )
    )
    whole = next(r for r in recs if r.source == "OutboundAPI")
    with wave.open(io.BytesIO(requests.get(f"{emu.url}{whole.uri[:-5]}", timeout=10).content)) as w:
        frames = w.readframes(w.getnframes())
    service = b"".join(frames[i : i + 2] for i in range(0, len(frames), 4))
    sentence = emu.engine.tts.render("您好，我是人工客服，请问有什么可以帮您？", "cmn-latn-pinyin")
    assert sentence[:8000] in service  # the agent's voice is heard on the service channel
    assert {r.source for r in recs} == {"OutboundAPI", "DialVerb"}
