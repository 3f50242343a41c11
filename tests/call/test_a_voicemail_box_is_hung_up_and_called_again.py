"""Every customer call asks for answering-machine detection; a voicemail box is hung up, never hears a
question, never reaches an agent, and the task is called again by the attempt rules.

Detection is asynchronous (DIALER_MACHINE_DETECTION=async, the default): the call's TwiML starts at once and
the verdict arrives at /ivr/amd; the worker (here `Line.settle`, as the scheduler does) ends the call. The
emulator, like Twilio, reports `AnsweredBy` only on calls that asked for detection.
"""

from __future__ import annotations

from sqlalchemy import select

from dialer.model import Answer, AttemptEvent, Escalation
from tests.call.conftest import name_of
from tests.call.line import Line


def test_every_customer_call_asks_for_asynchronous_detection(campaign: Line) -> None:
    customers = [c for c in campaign.emu.calls() if c["persona"] != "agent-wang"]
    assert len(customers) >= 9
    for call in customers:
        options = campaign.emu.engine.store.call(call["sid"]).options  # type: ignore[union-attr]
        assert options.machine_detection == "Enable" and options.async_amd, call["to"]
        assert (options.async_amd_callback or "").startswith(campaign.settings.public_url + "/ivr/amd?a=")


def test_the_voicemail_box_is_recognised_and_the_attempt_is_a_voicemail(campaign: Line) -> None:
    [attempt] = campaign.attempts(name_of("voicemail"))
    assert (attempt.answered_by or "").startswith("machine")
    assert attempt.outcome == "voicemail" and attempt.status == "completed"
    with campaign.session() as s:
        verdicts = s.scalars(
            select(AttemptEvent.name).where(AttemptEvent.attempt_id == attempt.id, AttemptEvent.kind == "amd")
        ).all()
        hung_up = s.scalars(
            select(AttemptEvent.name).where(
                AttemptEvent.attempt_id == attempt.id, AttemptEvent.name == "machine_hung_up"
            )
        ).all()
    assert verdicts == [attempt.answered_by] and hung_up == ["machine_hung_up"]


def test_the_voicemail_box_hears_no_question_and_reaches_no_agent(campaign: Line) -> None:
    [attempt] = campaign.attempts(name_of("voicemail"))
    with campaign.session() as s:
        answers = s.scalars(select(Answer.id).where(Answer.attempt_id == attempt.id)).all()
        escalations = s.scalars(select(Escalation.id).where(Escalation.attempt_id == attempt.id)).all()
    assert answers == [] and escalations == []
    call = campaign.emu.call(attempt.call_sid or "")
    assert not any(w["kind"] == "action:Record" for w in call["webhooks"])  # no answer was ever posted
    assert call["duration"] < 40  # hung up by the service, long before the box would have hung up


def test_the_task_is_called_again_later(campaign: Line) -> None:
    task = campaign.task(name_of("voicemail"))
    assert task.status == "pending" and task.attempt_count == 1
    assert task.next_attempt_at is not None and task.next_attempt_at > campaign.clock.now()


def test_people_are_told_apart_from_machines(campaign: Line) -> None:
    [attempt] = campaign.attempts(name_of("all_yes"))
    assert attempt.answered_by == "human" and attempt.outcome == "succeeded"


def test_an_agent_leg_asks_for_no_detection_and_gets_no_verdict(campaign: Line) -> None:
    [agent] = [c for c in campaign.emu.calls() if c["persona"] == "agent-wang"]
    assert agent["answered_by"] is None
    assert not any("AnsweredBy" in w["params"] for w in agent["webhooks"])
