"""Live escalation: the caller waits in a queue of their own while an agent's phone is dialled and bridged.

Each escalation has its own queue name, so the agent who answers is bridged to exactly that caller. When no
agent answers within DIALER_AGENT_WAIT_SECONDS the caller leaves the queue, hears an apology, and an agent
callback is filed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import Response, request
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import Dial, VoiceResponse

from dialer.ivr.values import AgentBridged, AgentUnavailable
from dialer.ivr.webhooks import EMPTY, bp, find_attempt, form_count, signed, twiml
from dialer.model import Attempt, AttemptEvent, Callback, Escalation, parse_id
from dialer.model.outcomes import record_event
from dialer.services import Services, services
from dialer.worker.agents import ring_requested_agents

log = logging.getLogger("dialer.ivr")
ACTIVE = ("waiting", "agent_requested", "dialling_agent", "ringing", "bridged")
WAIT_LINE = "您好，正在为您转接人工客服，请不要挂机。"
AGENT_LINE = "您有一位客户转人工，正在为您接通。"
AGENT_TOO_LATE = "客户已结束等待，本次转接取消，谢谢。"
RINGING = ("agent_requested", "dialling_agent", "ringing")


def queue_name(attempt: Attempt) -> str:
    return f"agents-{attempt.id}"


def _busy_phones(s: Session) -> set[str]:
    rows = s.scalars(select(Escalation.agent_phone).where(Escalation.status.in_((*RINGING, "bridged"))))
    return {p for p in rows if p}


def escalate(s: Session, svc: Services, attempt: Attempt, reason: str, now: datetime) -> Escalation:
    """Open an escalation for the caller and ask for the first free agent phone to be rung.

    The agent is rung by `ring_agents` once this transaction has committed: the agent leg's webhooks must
    find the escalation they name.
    """
    esc = s.scalar(
        select(Escalation).where(Escalation.attempt_id == attempt.id, Escalation.status.in_(ACTIVE))
    )
    if esc is not None:
        return esc
    esc = Escalation(attempt_id=attempt.id, reason=reason, queue=queue_name(attempt), enqueued_at=now)
    s.add(esc)
    s.flush()
    free = [p for p in svc.settings.agent_phones if p not in _busy_phones(s)]
    if free:
        esc.status, esc.agent_phone = "agent_requested", free[0]
    record_event(
        s, attempt, "note", "escalated", {"reason": reason, "agent": free[0] if free else None}, at=now
    )
    return esc


def ring_agents(svc: Services) -> None:
    """Place the agent legs asked for (after the escalation is committed); their TwiML dials the queue."""
    from dialer.ivr.turns import gateway

    ring_requested_agents(svc.settings, svc.db, gateway(svc))


@bp.post("/queue/wait")
@signed
def queue_wait() -> Response:
    """Hold audio while the caller waits; leave the queue once the wait is over or no agent can come."""
    svc = services()
    response = VoiceResponse()
    with svc.db.session() as s:
        attempt = find_attempt(s)
        esc = None if attempt is None else _escalation(s, attempt)
        waited = form_count(request.form.get("QueueTime"), 0)
        if (
            esc is None
            or esc.status in ("agent_failed", "timeout")
            or waited >= svc.settings.agent_wait_seconds
        ):
            response.leave()
        else:
            response.say(WAIT_LINE, voice=svc.settings.say_voice, language=svc.settings.say_language)
            response.pause(length=3)
    return twiml(str(response.to_xml(xml_declaration=True)))


@bp.post("/queue/result")
@signed
def queue_result() -> Response:
    """The caller left the queue: bridged and done, or no agent came (apologise, file a callback)."""
    from dialer.ivr.callflow import continue_after_queue

    svc = services()
    now = svc.clock.now()
    result = request.form.get("QueueResult", "")
    with svc.db.session() as s, s.begin():
        attempt = find_attempt(s)
        if attempt is None or not attempt.ivr_state.get("state"):
            return twiml(EMPTY)
        if attempt.ivr_state.get("queue_result"):
            return twiml(attempt.ivr_state.get("twiml") or EMPTY)  # a retried callback
        esc = _escalation(s, attempt)
        record_event(s, attempt, "queue", result, request.form.to_dict(), at=now)
        bridged = result in ("bridged", "redirected-from-bridged")
        if esc is not None:
            esc.status = "ended" if bridged else "timeout"
            esc.ended_at = now
            if not bridged:
                s.add(Callback(task_id=attempt.task_id, attempt_id=attempt.id, reason=f"转人工未接通（{esc.reason}）",
                               due_at=now + timedelta(days=1), created_at=now))  # fmt: skip
        body = continue_after_queue(s, svc, attempt, AgentBridged() if bridged else AgentUnavailable(), now)
        attempt.ivr_state = {**attempt.ivr_state, "queue_result": result}
    return twiml(body)


@bp.post("/agent")
@signed
def agent_leg() -> Response:
    """The agent answered: bridge them to the caller waiting in this escalation's queue (recorded)."""
    svc = services()
    settings = svc.settings
    response = VoiceResponse()
    with svc.db.session() as s, s.begin():
        attempt = find_attempt_for_agent(s)
        esc = _by_id(s)
        if attempt is None or esc is None or esc.attempt_id != attempt.id:
            return twiml(EMPTY)
        if esc.status not in (*RINGING, "bridged"):  # the caller has gone (or a late replay): no bridge
            response.say(AGENT_TOO_LATE, voice=settings.say_voice, language=settings.say_language)
            response.hangup()
            return twiml(str(response.to_xml(xml_declaration=True)))
        if esc.status != "bridged":  # a retried request must not move the bridge time
            esc.status, esc.bridged_at = "bridged", svc.clock.now()
        response.say(AGENT_LINE, voice=settings.say_voice, language=settings.say_language)
        dial = Dial()
        dial.queue(esc.queue)
        response.append(dial)
    return twiml(str(response.to_xml(xml_declaration=True)))


@bp.post("/agent/status")
@signed
def agent_status() -> Response:
    """An agent leg ended or failed; a caller still waiting then leaves the queue at the next wait poll."""
    svc = services()
    form = request.form
    status = form.get("CallStatus", "")
    raw_seq = form.get("SequenceNumber", "")
    seq = int(raw_seq) if raw_seq.isascii() and raw_seq.isdigit() and len(raw_seq) < 10 else None
    with svc.db.session() as s, s.begin():
        esc = _by_id(s)
        if esc is None:
            return twiml(EMPTY)
        attempt = s.get(Attempt, esc.attempt_id)
        if attempt is None or _seen(s, attempt, status, seq):
            return twiml(EMPTY)  # a retried callback
        if status in ("busy", "no-answer", "failed", "canceled") and esc.status in (*RINGING, "waiting"):
            esc.status = "agent_failed"
        record_event(s, attempt, "agent", status, form.to_dict(), at=svc.clock.now(), sequence=seq)
    return twiml(EMPTY)


def _seen(s: Session, attempt: Attempt, status: str, seq: int | None) -> bool:
    """Return whether this agent-leg status was noted already (same status, same sequence number)."""
    q = select(AttemptEvent.id).where(
        AttemptEvent.attempt_id == attempt.id, AttemptEvent.kind == "agent", AttemptEvent.name == status
    )
    q = q.where(AttemptEvent.sequence.is_(None) if seq is None else AttemptEvent.sequence == seq)
    return s.scalar(q.limit(1)) is not None


def find_attempt_for_agent(s: Session) -> Attempt | None:
    a = parse_id(request.args.get("a"))
    return None if a is None else s.get(Attempt, a)


def _by_id(s: Session) -> Escalation | None:
    e = parse_id(request.args.get("e"))
    return None if e is None else s.get(Escalation, e)


def _escalation(s: Session, attempt: Attempt) -> Escalation | None:
    return s.scalar(
        select(Escalation).where(Escalation.attempt_id == attempt.id).order_by(Escalation.id.desc())
    )
