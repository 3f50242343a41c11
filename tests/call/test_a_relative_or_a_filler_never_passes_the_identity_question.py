"""Someone else picks up: a spouse who starts with 是, a greeting and then the mother. Real calls on the emulator,
heard by real Vosk (the stand-in model): neither hears a word about the matter, and both are tried again later."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialer.ivr.script import load_scripts
from dialer.model import Answer, AttemptEvent, ProblemCase, TaskStatus
from tests.call.conftest import name_of
from tests.call.line import PRODUCT, Line


def _matter(campaign: Line) -> list[str]:
    script = load_scripts(campaign.settings.scripts_dir)["new_policy"]
    intro = script.prompt("introduction")
    return [PRODUCT, *(q.text[:12] for q in script.questions), intro.split("{")[0], "犹豫期", "保险", "投保"]


def _identity_answers(campaign: Line, scenario: str) -> list[Answer]:
    [attempt] = campaign.attempts(name_of(scenario))
    with campaign.session() as s:
        rows = list(s.scalars(select(Answer).where(Answer.attempt_id == attempt.id).order_by(Answer.id)))
        s.expunge_all()
    return rows


@pytest.mark.parametrize("scenario", ["spouse", "mother"])
def test_nothing_about_the_matter_is_said_to_someone_else(campaign: Line, scenario: str) -> None:
    [attempt] = campaign.attempts(name_of(scenario))
    assert attempt.call_sid is not None
    documents = campaign.documents(attempt.call_sid)
    assert "本人吗" in documents[0]
    for fragment in _matter(campaign):
        assert all(fragment not in doc for doc in documents), fragment
    with campaign.session() as s:
        stored = s.scalars(
            select(AttemptEvent.data).where(
                AttemptEvent.attempt_id == attempt.id, AttemptEvent.kind == "twiml"
            )
        ).all()
    assert stored and all(f not in d["twiml"] for d in stored for f in _matter(campaign))
    assert "<Hangup" in documents[-1] and "打扰您了" in documents[-1]


def test_the_spouse_who_starts_with_yes_is_heard_as_the_wrong_person(campaign: Line) -> None:
    [answer] = _identity_answers(campaign, "spouse")

    assert answer.question_id == "identity" and answer.label == "no"
    assert "爱人" in answer.transcript.replace(" ", "")  # heard by the recognizer, not folded into 是


def test_a_greeting_is_asked_again_and_the_mother_is_the_wrong_person(campaign: Line) -> None:
    first, second = _identity_answers(campaign, "mother")

    assert (first.label, first.final) == ("unclear", False)
    assert second.label == "no" and "妈妈" in second.transcript.replace(" ", "")


@pytest.mark.parametrize("scenario", ["spouse", "mother"])
def test_the_task_waits_for_the_customer_with_no_problem_case(campaign: Line, scenario: str) -> None:
    [attempt] = campaign.attempts(name_of(scenario))
    task = campaign.task(name_of(scenario))

    assert attempt.outcome == "wrong_person"
    assert task.status == TaskStatus.PENDING and task.next_attempt_at is not None
    with campaign.session() as s:
        assert not s.scalars(select(ProblemCase).where(ProblemCase.task_id == task.id)).all()
