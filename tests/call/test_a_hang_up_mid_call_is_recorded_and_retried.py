"""A hang-up in the middle of the questions: the attempt is kept as hung up, and a retry is scheduled."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dialer.model import Answer, ProblemCase, Recording, TaskStatus
from tests.call.conftest import name_of
from tests.call.line import NOW, Line


def test_the_attempt_is_recorded_as_hung_up(campaign: Line) -> None:
    [attempt] = campaign.attempts(name_of("hangs_up"))
    assert attempt.status == "completed" and attempt.outcome == "hung_up"
    assert attempt.answered_at is not None and attempt.ended_at is not None
    with campaign.session() as s:
        answered = s.scalars(select(Answer.label).where(Answer.attempt_id == attempt.id)).all()
        kinds = s.scalars(select(Recording.kind).where(Recording.attempt_id == attempt.id)).all()
        cases = s.scalars(select(ProblemCase.id).where(ProblemCase.attempt_id == attempt.id)).all()
    assert answered == ["yes", "yes"]  # identity and the first question, before the hang-up
    assert "call" in kinds
    assert cases == []


def test_a_retry_is_scheduled(campaign: Line) -> None:
    task = campaign.task(name_of("hangs_up"))
    assert task.status == TaskStatus.PENDING
    assert task.attempt_count == 1
    assert task.next_attempt_at is not None and task.next_attempt_at >= NOW + timedelta(hours=2)
