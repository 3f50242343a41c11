"""The wrong person: a polite close, not a word about the policy, and the task is tried again later."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dialer.ivr.script import load_scripts
from dialer.model import AttemptEvent, TaskStatus
from tests.call.conftest import name_of
from tests.call.line import NOW, PRODUCT, Line


def _matter(campaign: Line) -> list[str]:
    """Return fragments of everything the script says about the matter."""
    script = load_scripts(campaign.settings.scripts_dir)["new_policy"]
    intro = script.prompt("introduction")
    return [PRODUCT, *(q.text for q in script.questions), intro.split("{")[0], "犹豫期", "保险"]


def test_nothing_after_the_identity_question_is_about_the_matter(campaign: Line) -> None:
    [attempt] = campaign.attempts(name_of("wrong_person"))
    assert attempt.call_sid is not None
    documents = campaign.documents(attempt.call_sid)
    assert "本人吗" in documents[0]  # the identity question was asked …
    after = documents[1:]
    assert after, "the customer's answer got no reply"
    for fragment in _matter(campaign):
        assert all(fragment not in doc for doc in after), fragment
    assert "<Hangup" in after[-1] and "打扰您了" in after[-1]


def test_the_stored_documents_after_the_identity_question_say_nothing_either(campaign: Line) -> None:
    [attempt] = campaign.attempts(name_of("wrong_person"))
    with campaign.session() as s:
        stored = s.scalars(
            select(AttemptEvent.data)
            .where(AttemptEvent.attempt_id == attempt.id, AttemptEvent.kind == "twiml")
            .order_by(AttemptEvent.id)
        ).all()
    assert len(stored) == 2
    for fragment in _matter(campaign):
        assert fragment not in stored[1]["twiml"], fragment


def test_the_task_is_rescheduled_for_a_later_window(campaign: Line) -> None:
    [attempt] = campaign.attempts(name_of("wrong_person"))
    task = campaign.task(name_of("wrong_person"))
    assert attempt.outcome == "wrong_person"
    assert task.status == TaskStatus.PENDING
    assert task.next_attempt_at is not None
    assert task.next_attempt_at >= NOW + timedelta(hours=2)
    local = task.next_attempt_at.astimezone(NOW.tzinfo)
    assert (10 <= local.hour < 12) or (15 <= local.hour < 17), local
