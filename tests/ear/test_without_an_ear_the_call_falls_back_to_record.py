"""No ear reachable: the question's `<Pause>` runs out to the no-answer path, and the rest of the call is heard
with `<Record>`, so the customer is asked again and the call completes."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

from sqlalchemy import select

from dialer.model import AttemptEvent

from .conftest import Line, StreamCustomer, redirect_of, signed_connect, silence, stream_of


def test_a_streamed_question_nobody_heard_is_asked_again_with_record(line: Line) -> None:
    opening = line.open_call()
    stream = stream_of(opening)  # the gateway could not reach the ear: nothing connects
    again = line.post(redirect_of(opening))  # the <Pause> ran out: the no-answer path
    root = ET.fromstring(again)
    assert root[0].tag == "Stop" and root.find("./Stop/Stream").get("name") == stream["name"]  # type: ignore[union-attr]
    assert root.find("Start") is None and root.find("Record") is not None
    with line.db.session() as s:
        [note] = s.scalars(select(AttemptEvent).where(AttemptEvent.name == "ear_missing"))
        assert note.data == {"stream": stream["name"]}
    assert line.attempt().ivr_state["listen"] == "record"
    # The next answer keeps to <Record>: a key here, as a customer may press one.
    record = root.find("Record")
    assert record is not None
    nxt = line.post(record.get("action", ""), {"Digits": "1", "RecordingUrl": "", "RecordingDuration": "0"})
    nroot = ET.fromstring(nxt)
    assert nroot.find("Start") is None and nroot.find("Record") is not None
    assert line.attempt().ivr_state["listen"] == "record"


def test_a_silent_customer_on_a_listening_ear_stays_on_the_stream(line: Line) -> None:
    opening = line.open_call()
    stream = stream_of(opening)
    with signed_connect(line.settings, stream["url"]) as ws:
        customer = StreamCustomer(ws, stream)
        customer.start()
        customer.say(silence(0.5))
        deadline = time.monotonic() + 10
        while not line.heard() and time.monotonic() < deadline:
            time.sleep(0.05)
        again = line.post(redirect_of(opening))  # silence: the <Pause> ran out
        customer.stop()
    assert stream_of(again)["name"] == f"a{line.attempt_id}-s2"  # asked again, still heard live
    assert "listen" not in line.attempt().ivr_state
