"""An answer heard on the stream is stored like a `<Record>` answer and moves the call to the next question."""

from __future__ import annotations

import hashlib
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from sqlalchemy import select

from dialer.model import Answer, AttemptEvent, ProblemCase, Recording

from .conftest import (
    PUBLIC,
    Line,
    StreamCustomer,
    redirect_of,
    signed_connect,
    silence,
    stream_of,
    ulaw_speech,
)


def answer_on_stream(line: Line, document: str, ulaw: bytes, expect_documents: int) -> str:
    """Be the gateway on the stream the document starts: 1 s of quiet, the answer, quiet until moved on."""
    stream = stream_of(document)
    with signed_connect(line.settings, stream["url"]) as ws:
        customer = StreamCustomer(ws, stream)
        customer.start()
        customer.say(silence(1.0) + ulaw + silence(2.0))
        docs = line.gateway.wait_for(expect_documents)
        customer.stop()
    assert len(docs) >= expect_documents, line.gateway.updates
    return docs[-1]


def test_a_yes_then_a_no_are_heard_stored_and_the_no_files_a_problem_case(
    line: Line, voice_dir: Path
) -> None:
    opening = line.open_call()
    first = stream_of(opening)
    assert first["name"] == f"a{line.attempt_id}-s1"
    assert first["url"] == line.settings.ear_url
    assert set(first["params"]) == {"attempt", "step", "token"}
    tags = [el.tag for el in ET.fromstring(opening)]
    assert (
        tags[0] == "Start" and tags[-2:] == ["Say", "Redirect"] and "Pause" in tags and "Record" not in tags
    )

    second = answer_on_stream(line, opening, ulaw_speech("네", voice_dir), 1)
    # The service stops the first question's stream and starts the next one's, in one document.
    root = ET.fromstring(second)
    assert [el.tag for el in root][:2] == ["Stop", "Start"]
    assert root.find("./Stop/Stream").get("name") == first["name"]  # type: ignore[union-attr]
    assert stream_of(second)["name"] == f"a{line.attempt_id}-s2"
    heard_url = line.gateway.updates[-1]["Url"]
    assert heard_url == f"{PUBLIC}/ivr/heard?a={line.attempt_id}&turn=1"

    answer_on_stream(line, second, ulaw_speech("아니요", voice_dir), 2)
    assert all("Url" in u for u in line.gateway.updates)  # answered after the prompt: no barge-in

    [one, two] = line.heard()
    assert (one.text, two.text) == ("是", "不是的")
    assert one.speech_start_ms is not None and one.final_ms is not None and one.speech_end_ms is not None
    assert 900 <= one.speech_start_ms <= 1100 < one.speech_end_ms < one.final_ms
    assert one.final_ms - one.speech_end_ms <= line.settings.ear_end_silence_ms + 100
    with line.db.session() as s:
        answers = list(s.scalars(select(Answer).order_by(Answer.turn)))
        assert [(a.question_id, a.label, a.final) for a in answers][:1] == [("identity", "yes", True)]
        assert answers[1].label == "no" and answers[1].transcript == "不是的"
        for answer, heard in zip(answers, (one, two), strict=True):
            clip = s.get_one(Recording, answer.clip_id)
            assert clip.id == heard.clip_id and clip.kind == "clip"
            data = (line.settings.recordings_dir / (clip.path or "")).read_bytes()
            assert data[:4] == b"RIFF" and hashlib.sha256(data).hexdigest() == clip.sha256
        [case] = s.scalars(select(ProblemCase))
        assert case.answer_id == answers[1].id and case.answer_label == "no"
        timeline = [e.data for e in s.scalars(select(AttemptEvent).where(AttemptEvent.kind == "answer"))]
        assert [d["label"] for d in timeline] == ["yes", "no"]


def test_the_same_answer_moved_on_twice_changes_nothing(line: Line, voice_dir: Path) -> None:
    opening = line.open_call()
    second = answer_on_stream(line, opening, ulaw_speech("네", voice_dir), 1)
    again = line.post(line.gateway.updates[-1]["Url"])
    assert again == second  # a stale or repeated heard answer gets the current document back
    with line.db.session() as s:
        assert len(list(s.scalars(select(Answer)))) == 1


def test_an_answer_heard_when_the_call_could_not_be_moved_is_taken_when_the_time_runs_out(
    line: Line, voice_dir: Path
) -> None:
    line.gateway.refuse_updates = True
    opening = line.open_call()
    stream = stream_of(opening)
    with signed_connect(line.settings, stream["url"]) as ws:
        customer = StreamCustomer(ws, stream)
        customer.start()
        customer.say(silence(0.5) + ulaw_speech("네", voice_dir) + silence(1.0))
        deadline = time.monotonic() + 10
        while not [h for h in line.heard() if h.status == "final"] and time.monotonic() < deadline:
            time.sleep(0.05)
        customer.stop()
    assert line.gateway.documents == []  # the gateway never took the update
    nxt = line.post(redirect_of(opening))  # the <Pause> ran out: the no-answer path
    assert stream_of(nxt)["name"] == f"a{line.attempt_id}-s2"  # not asked again: the heard 是 was taken
    with line.db.session() as s:
        [answer] = s.scalars(select(Answer))
        assert answer.label == "yes" and answer.clip_id is not None
