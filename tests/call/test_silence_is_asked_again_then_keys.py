"""Silence: the question is asked again, then the customer is asked for keys (a <Gather>), and the key counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sqlalchemy import select

from dialer.model import Answer, TaskStatus
from tests.call.conftest import name_of
from tests.call.line import Line


def _documents(campaign: Line) -> list[ET.Element]:
    [attempt] = campaign.attempts(name_of("silent"))
    assert attempt.call_sid is not None
    return [ET.fromstring(d) for d in campaign.documents(attempt.call_sid)]


def test_a_silent_answer_is_asked_again_then_keys_are_asked_for(campaign: Line) -> None:
    docs = _documents(campaign)
    verbs = [[el.tag for el in doc] for doc in docs]
    reask = next(i for i, d in enumerate(docs) if "没有听清您的回答" in ET.tostring(d, encoding="unicode"))
    assert "Record" in verbs[reask]  # the re-ask still listens to speech …
    keys = next(i for i, v in enumerate(verbs) if "Gather" in v)
    assert keys > reask  # … and only then are keys asked for
    gather = docs[keys].find("Gather")
    assert gather is not None and gather.get("input") == "dtmf"
    assert "请您用电话按键回答" in ET.tostring(gather, encoding="unicode")


def test_the_key_answers_the_question_and_the_call_goes_on(campaign: Line) -> None:
    [attempt] = campaign.attempts(name_of("silent"))
    with campaign.session() as s:
        rows = s.scalars(
            select(Answer)
            .where(Answer.attempt_id == attempt.id, Answer.question_id == "purchased_personally")
            .order_by(Answer.id)
        ).all()
    assert [(a.label, a.final, a.keys) for a in rows] == [
        ("no_answer", False, ""),
        ("no_answer", False, ""),
        ("yes", True, "1"),
    ]
    assert campaign.task(name_of("silent")).status == TaskStatus.SUCCEEDED
