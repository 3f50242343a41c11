"""All 是: every question is answered from the customer's own words, and the task succeeds."""

from __future__ import annotations

from sqlalchemy import select

from dialer.model import Answer, ProblemCase, TaskStatus
from tests.call.conftest import name_of
from tests.call.line import Line


def test_it_succeeds_when_every_answer_is_yes(campaign: Line) -> None:
    name = name_of("all_yes")
    [attempt] = campaign.attempts(name)
    assert attempt.status == "completed"
    assert attempt.outcome == "succeeded"
    assert campaign.task(name).status == TaskStatus.SUCCEEDED


def test_each_answer_was_heard_from_speech_and_kept_with_its_clip(campaign: Line) -> None:
    [attempt] = campaign.attempts(campaign.task(name_of("all_yes")).customer.name)
    with campaign.session() as s:
        answers = list(s.scalars(select(Answer).where(Answer.attempt_id == attempt.id).order_by(Answer.id)))
        cases = s.scalars(select(ProblemCase).where(ProblemCase.attempt_id == attempt.id)).all()
        clips = [a.clip for a in answers]
    assert len(answers) == 15  # the identity question and fourteen questions
    assert [a.label for a in answers] == ["yes"] * 13 + ["no"] * 2  # "no" to kickback and promises is good
    assert all(a.keys == "" and a.transcript for a in answers)
    assert all(c is not None and c.sha256 for c in clips)
    assert cases == []
