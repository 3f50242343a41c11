"""A customer who answers while the question is still being asked is heard, and the prompt is stopped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from .conftest import PUBLIC, Line, StreamCustomer, signed_connect, silence, stream_of, ulaw_speech


def test_speech_during_the_prompt_stops_it_then_the_answer_moves_the_call_on(line: Line, voice_dir: Path) -> None:
    opening = line.open_call()
    stream = stream_of(opening)
    with signed_connect(line.settings, stream["url"]) as ws:
        customer = StreamCustomer(ws, stream)
        customer.start()
        # The greeting, the recording notice and the question take several seconds: answer after 0.3 s.
        customer.say(silence(0.3) + ulaw_speech("네", voice_dir) + silence(1.5), pace=0.002)
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
