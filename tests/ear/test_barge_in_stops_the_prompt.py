"""A customer who answers while the question is still being asked is heard, and the prompt is stopped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from .conftest import PUBLIC, Line, StreamCustomer, signed_connect, silence, stream_of, ulaw_speech


def test_speech_during_the_prompt_stops_it_then_the_answer_moves_the_call_on(
    line: Line, voice_dir: Path
) -> None:
    opening = line.open_call()
    stream = stream_of(opening)
    with signed_connect(line.settings, stream["url"]) as ws:
        customer = StreamCustomer(ws, stream)
        customer.start()
        # The question is still being asked (the outbound track sounds) when the customer answers, at 0.3 s.
        question = ulaw_speech("고객님 안녕하세요 본인 맞으십니까", voice_dir)
        customer.say(silence(0.3) + ulaw_speech("네", voice_dir) + silence(1.5), pace=0.002, prompt=question)
        docs = line.gateway.wait_for(2)
        customer.stop()
    wait, moved_on = line.gateway.updates[:2]
    # First the call is updated to a document that only waits: the prompt in progress is cut at once …
    root = ET.fromstring(wait["Twiml"])
    assert [el.tag for el in root] == ["Pause", "Redirect"]
    assert int(root[0].get("length", "0")) >= 5
    assert root[1].text == f"{PUBLIC}/ivr/answer?a={line.attempt_id}&turn=1&no_input=1"
    # … then, once the answer is over, to the IVR's heard webhook, which asks the next question.
    assert moved_on["Url"] == f"{PUBLIC}/ivr/heard?a={line.attempt_id}&turn=1"
    assert stream_of(docs[1])["name"] == f"a{line.attempt_id}-s2"
    [heard] = line.heard()
    assert heard.barged_in and heard.text == "是" and heard.speech_start_ms is not None
    assert heard.speech_start_ms < 500


def test_speech_after_the_prompt_needs_no_update_to_stop_it(line: Line, voice_dir: Path) -> None:
    stream = stream_of(line.open_call())
    with signed_connect(line.settings, stream["url"]) as ws:
        customer = StreamCustomer(ws, stream)
        customer.start()
        question = ulaw_speech("본인 맞으십니까", voice_dir)
        quiet = silence(len(question) / 8000 + 0.6)
        customer.say(quiet + ulaw_speech("네", voice_dir) + silence(1.5), prompt=question)
        line.gateway.wait_for(1)
        customer.stop()
    assert [list(u) for u in line.gateway.updates] == [["Url", "Method"]]
    [heard] = line.heard()
    assert not heard.barged_in and heard.text == "是"
