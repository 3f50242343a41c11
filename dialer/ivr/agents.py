"""Live escalation's webhooks: the caller waits in a queue of their own while an agent's phone is dialled.

Each escalation has its own queue name, so the agent who answers is bridged to exactly that caller. When no
agent answers within DIALER_AGENT_WAIT_SECONDS the caller leaves the queue, hears an apology, and an agent
callback is filed. Where the profile has no queues (Somleng) the caller's `<Dial>` rings the agent and its
action (`DialCallStatus`) comes to the same result webhook, with the same apology and callback.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, Response, request
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import Dial, VoiceResponse

from dialer.ivr.conversation import Conversation
from dialer.ivr.escalation import latest_escalation
from dialer.ivr.http import (
    EMPTY,
    attempt_named,
    escalation_named,
    find_attempt,
    form_count,
    say,
    signed,
    twiml,
)
from dialer.ivr.twiml import Urls, silence
from dialer.ivr.values import AgentBridged, AgentUnavailable
from dialer.model import Attempt, AttemptEvent, Callback, Escalation
from dialer.model.outcomes import record_event
from dialer.model.states import ESCALATIONS_HOLDING_AGENT, ESCALATIONS_RINGING, EscalationStatus
from dialer.services import services

bp = Blueprint("ivr_agents", __name__, url_prefix="/ivr")
WAIT_LINE = "您好，正在为您转接人工客服，请不要挂机。"
AGENT_LINE = "您有一位客户转人工，正在为您接通。"
AGENT_TOO_LATE = "客户已结束等待，本次转接取消，谢谢。"
GAVE_UP = (EscalationStatus.AGENT_FAILED, EscalationStatus.TIMEOUT)
AGENT_LEG_ENDED = ("busy", "no-answer", "failed", "canceled")


@bp.post("/queue/wait")
@signed
def queue_wait() -> Response:
    """Hold audio while the caller waits; leave the queue once the wait is over or no agent can come."""
    svc = services()
    response = VoiceResponse()
    with svc.db.session() as s:
        attempt = find_attempt(s)
        esc = None if attempt is None else latest_escalation(s, attempt)
        waited = form_count(request.form.get("QueueTime"), 0)
        if esc is None or esc.status in GAVE_UP or waited >= svc.settings.agent_wait_seconds:
            response.leave()
        else:
            say(response, svc.settings, WAIT_LINE)
            audio_base = svc.settings.public_url.rstrip("/") + "/ivr/audio"
            silence(response, 3, Urls(answer="", queue_wait="", audio_base=audio_base), svc.settings.profile)
    return twiml(str(response.to_xml(xml_declaration=True)))


@bp.post("/queue/result")
@signed
def queue_result() -> Response:
    """The caller left the queue: bridged and done, or no agent came (apologise, file a callback)."""
    svc = services()
    now = svc.clock.now()
    form = request.form
    # <Enqueue> says QueueResult; a direct <Dial> says DialCallStatus; a <Redirect> (no agent free) neither.
    result = form.get("QueueResult") or form.get("DialCallStatus") or "no-agent"
    with svc.db.session() as s, s.begin():
        attempt = find_attempt(s)
        if attempt is None or not attempt.ivr_state.get("state"):
            return twiml(EMPTY)
        if attempt.ivr_state.get("queue_result"):
            return twiml(attempt.ivr_state.get("twiml") or EMPTY)  # a retried callback
        esc = latest_escalation(s, attempt)
        record_event(s, attempt, "queue", result, request.form.to_dict(), at=now)
        bridged = result in ("bridged", "redirected-from-bridged", "completed")
        if esc is not None:
            # The call's end may have closed a direct <Dial> already, with its callback filed.
            closed = esc.status == EscalationStatus.TIMEOUT
            _dialled(esc, form.get("DialCallSid"), form.get("DialCallDuration"), bridged, now)
            esc.status = EscalationStatus.ENDED if bridged else EscalationStatus.TIMEOUT
            esc.ended_at = now
            if not bridged and not closed:
                s.add(Callback(task_id=attempt.task_id, attempt_id=attempt.id, reason=f"转人工未接通（{esc.reason}）",
                               due_at=now + timedelta(days=1), created_at=now))  # fmt: skip
        event = AgentBridged() if bridged else AgentUnavailable()
        body = Conversation(svc).advance(s, attempt, event, now)
        attempt.ivr_state = {**attempt.ivr_state, "queue_result": result}
    return twiml(body)


def _dialled(esc: Escalation, sid: str | None, duration: str | None, bridged: bool, now: datetime) -> None:
    """Note a direct <Dial>'s agent leg: its id, and when the bridge began (its talk time before now)."""
    if sid:
        esc.agent_call_sid = sid
    if bridged and esc.bridged_at is None:
        esc.bridged_at = now - timedelta(seconds=form_count(duration, 0))


@bp.post("/agent")
@signed
def agent_leg() -> Response:
    """The agent answered: bridge them to the caller waiting in this escalation's queue (recorded)."""
    svc = services()
    settings = svc.settings
    response = VoiceResponse()
    with svc.db.session() as s, s.begin():
        attempt = attempt_named(s)
        esc = escalation_named(s)
        if attempt is None or esc is None or esc.attempt_id != attempt.id:
            return twiml(EMPTY)
        if esc.status not in ESCALATIONS_HOLDING_AGENT:  # the caller has gone (or a late replay): no bridge
            say(response, settings, AGENT_TOO_LATE)
            response.hangup()
            return twiml(str(response.to_xml(xml_declaration=True)))
        if esc.status != EscalationStatus.BRIDGED:  # a retried request must not move the bridge time
            esc.status, esc.bridged_at = EscalationStatus.BRIDGED, svc.clock.now()
        say(response, settings, AGENT_LINE)
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
        esc = escalation_named(s)
        if esc is None:
            return twiml(EMPTY)
        attempt = s.get(Attempt, esc.attempt_id)
        if attempt is None or _seen(s, attempt, status, seq):
            return twiml(EMPTY)  # a retried callback
        if status in AGENT_LEG_ENDED and esc.status in (*ESCALATIONS_RINGING, EscalationStatus.WAITING):
            esc.status = EscalationStatus.AGENT_FAILED
        record_event(s, attempt, "agent", status, form.to_dict(), at=svc.clock.now(), sequence=seq)
    return twiml(EMPTY)


def _seen(s: Session, attempt: Attempt, status: str, seq: int | None) -> bool:
    """Return whether this agent-leg status was noted already (same status, same sequence number)."""
    q = select(AttemptEvent.id).where(
        AttemptEvent.attempt_id == attempt.id, AttemptEvent.kind == "agent", AttemptEvent.name == status
    )
    q = q.where(AttemptEvent.sequence.is_(None) if seq is None else AttemptEvent.sequence == seq)
    return s.scalar(q.limit(1)) is not None
