"""Key 0: the caller waits in the agent queue, the agent's phone is dialled and bridged, both legs are kept."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from dialer.model import AttemptEvent, Escalation, Recording
from tests.call.conftest import name_of
from tests.call.line import Line

AGENT = "+862161230001"


def test_the_caller_is_put_in_a_queue_of_their_own(campaign: Line) -> None:
    [attempt] = campaign.attempts(name_of("key_zero"))
    assert attempt.call_sid is not None
    documents = campaign.documents(attempt.call_sid)
    queued = [d for d in documents if "<Enqueue" in d]
    assert len(queued) == 1 and f">agents-{attempt.id}</Enqueue>" in queued[0]
    assert "正在为您转接人工客服" in queued[0]
    assert documents[-1] == "<Response><Hangup /></Response>"  # after the agent's talk: the queue result


def test_the_agent_persona_is_dialled_and_bridged(campaign: Line) -> None:
    [attempt] = campaign.attempts(name_of("key_zero"))
    with campaign.session() as s:
        [esc] = s.scalars(select(Escalation).where(Escalation.attempt_id == attempt.id)).all()
        results = s.scalars(
            select(AttemptEvent.name).where(
                AttemptEvent.attempt_id == attempt.id, AttemptEvent.kind == "queue"
            )
        ).all()
    assert esc.reason == "agent" and esc.agent_phone == AGENT
    assert esc.status == "ended" and esc.bridged_at is not None
    assert results == ["bridged"]
    agent_call = campaign.emu.call(esc.agent_call_sid or "")
    assert agent_call["to"] == AGENT and agent_call["persona"] == "agent-wang"
    assert agent_call["status"] == "completed"
    assert any(
        "<Queue" in d["twiml"] and f"agents-{attempt.id}" in d["twiml"] for d in agent_call["documents"]
    )


def test_a_call_handed_over_with_its_items_unasked_stays_open(campaign: Line) -> None:
    [attempt] = campaign.attempts(name_of("key_zero"))
    task = campaign.task(name_of("key_zero"))
    # Being handed to a person answers nothing: the agent recorded no answers, so the items stay open and the
    # task goes on by the attempt rules instead of counting as succeeded.
    assert attempt.outcome == "open"
    assert task.status == "pending" and task.next_attempt_at is not None


def test_both_legs_are_recorded_in_two_channels_and_stored_with_their_checksum(campaign: Line) -> None:
    [attempt] = campaign.attempts(name_of("key_zero"))
    with campaign.session() as s:
        rows = s.scalars(
            select(Recording).where(Recording.attempt_id == attempt.id, Recording.kind != "clip")
        ).all()
    assert sorted(r.kind for r in rows) == ["agent_leg", "call"]
    for rec in rows:
        assert rec.status == "stored" and rec.channels == 2 and rec.path
        data = (campaign.settings.recordings_dir / rec.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == rec.sha256
