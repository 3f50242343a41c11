"""Handing a caller to a person, without Flask: open the escalation, find a free agent phone, ring it.

Each escalation has its own queue name, so the agent who answers is bridged to exactly that caller.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.model import Attempt, Callback, Escalation
from dialer.model.outcomes import record_event
from dialer.model.states import ESCALATIONS_ACTIVE, ESCALATIONS_HOLDING_AGENT, EscalationStatus
from dialer.services import Services


def queue_name(attempt: Attempt) -> str:
    return f"agents-{attempt.id}"


def _busy_phones(s: Session) -> set[str]:
    rows = s.scalars(select(Escalation.agent_phone).where(Escalation.status.in_(ESCALATIONS_HOLDING_AGENT)))
    return {p for p in rows if p}


def escalate(s: Session, svc: Services, attempt: Attempt, reason: str, now: datetime) -> Escalation:
    """Open an escalation for the caller and ask for the first free agent phone to be rung.

    The agent is rung by the scheduler's worker (`ring_requested_agents`) once this transaction has
    committed, never inside the webhook request: placing a call can take far longer than a webhook may.
    Where the profile has no queues the caller's TwiML dials the agent itself, so the escalation is
    "ringing" at once and no agent leg is placed.
    """
    esc = s.scalar(
        select(Escalation).where(
            Escalation.attempt_id == attempt.id, Escalation.status.in_(ESCALATIONS_ACTIVE)
        )
    )
    if esc is not None:
        return esc
    esc = Escalation(attempt_id=attempt.id, reason=reason, queue=queue_name(attempt), enqueued_at=now)
    s.add(esc)
    s.flush()
    free = [p for p in svc.settings.agent_phones if p not in _busy_phones(s)]
    if free:
        # Without queues (Somleng) the caller's own <Dial> rings the agent: no agent leg is placed.
        direct = not svc.settings.profile.enqueue
        esc.status = EscalationStatus.RINGING if direct else EscalationStatus.AGENT_REQUESTED
        esc.agent_phone = free[0]
    record_event(
        s, attempt, "note", "escalated", {"reason": reason, "agent": free[0] if free else None}, at=now
    )
    return esc


def close_direct_dial(s: Session, attempt: Attempt, now: datetime) -> None:
    """The caller's call ended while its own <Dial> still held the agent and no result came: free the
    agent's phone and file a callback, as when a caller leaves a queue unbridged."""
    esc = latest_escalation(s, attempt)
    if esc is None or esc.status != EscalationStatus.RINGING:
        return
    esc.status, esc.ended_at = EscalationStatus.TIMEOUT, now
    s.add(Callback(task_id=attempt.task_id, attempt_id=attempt.id, reason=f"转人工未接通（{esc.reason}）",
                   due_at=now + timedelta(days=1), created_at=now))  # fmt: skip
    record_event(s, attempt, "queue", "caller-gone", {"escalation": esc.id}, at=now)


def latest_escalation(s: Session, attempt: Attempt) -> Escalation | None:
    return s.scalar(
        select(Escalation).where(Escalation.attempt_id == attempt.id).order_by(Escalation.id.desc())
    )
