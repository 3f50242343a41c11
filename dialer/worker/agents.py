"""Ring the agents escalations ask for: webhooks and pages only record "agent_requested", this process dials.

An escalation in a call (key 0, a bad answer) and an agent who clicks "Take this call" on the board both
only write `Escalation.status = "agent_requested"` with the agent's phone in `agent_phone`: no webhook or
page request ever places a call. The scheduler process calls `ring_requested_agents` about every second;
it places the agent's leg (recorded, like every call) whose TwiML bridges it to the caller's queue, after
waiting for a slot of the same pacer customer calls use (DIALER_MAX_CPS), so agent legs never push the
account over its calls-per-second limit.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dialer.clock import utcnow
from dialer.errors import GatewayError
from dialer.gateway.client import CallRequest, Gateway
from dialer.model import Attempt, Database, Escalation
from dialer.model.outcomes import record_event
from dialer.model.pacing import reserve_slot
from dialer.model.states import EscalationStatus
from dialer.settings import Settings

log = logging.getLogger("dialer.worker")
BATCH = 20
RINGING = EscalationStatus.RINGING
# An agent's leg being asked for or placed, or a caller still waiting: placing the leg makes it "ringing".
NOT_YET_RINGING = (
    EscalationStatus.AGENT_REQUESTED,
    EscalationStatus.DIALLING_AGENT,
    EscalationStatus.WAITING,
)


def agent_leg_request(settings: Settings, attempt_id: int, escalation_id: int, phone: str) -> CallRequest:
    """Build the agent's call: its webhooks name the attempt and the escalation, and it is recorded."""
    base = settings.public_url.rstrip("/")
    q = f"?a={attempt_id}&e={escalation_id}"
    return CallRequest(
        to=phone,
        voice_url=f"{base}/ivr/agent{q}",
        status_callback=f"{base}/ivr/agent/status{q}",
        recording_status_callback=f"{base}/ivr/recording{q}",
        timeout=settings.ring_timeout,
    )


def ring_agent(s: Session, settings: Settings, gateway: Gateway, esc: Escalation, phone: str) -> bool:
    """Place the agent's leg for `esc` and note it; return False (status agent_failed) if it failed."""
    try:
        info = gateway.place_call(agent_leg_request(settings, esc.attempt_id, esc.id, phone))
    except GatewayError as exc:
        log.warning("escalation %s: agent %s could not be dialled: %s", esc.id, phone, exc)
        esc.status = EscalationStatus.AGENT_FAILED
        return False
    # Only a leg still being placed becomes "ringing": a failure its status callback already noted stays.
    s.execute(
        update(Escalation)
        .where(Escalation.id == esc.id, Escalation.status.in_(NOT_YET_RINGING))
        .values(status=RINGING, agent_phone=phone, agent_call_sid=info.sid)
        .execution_options(synchronize_session=False)
    )
    s.refresh(esc)
    return True


def ring_requested_agents(settings: Settings, db: Database, gateway: Gateway) -> int:
    """Dial every agent a console user asked to be bridged; return how many legs were placed."""
    with db.session() as s:
        ids = list(s.scalars(
            select(Escalation.id).where(Escalation.status == EscalationStatus.AGENT_REQUESTED)
            .order_by(Escalation.id).limit(BATCH)
        ))  # fmt: skip
    return sum(_ring_one(settings, db, gateway, eid) for eid in ids)


def _ring_one(settings: Settings, db: Database, gateway: Gateway, eid: int) -> bool:
    # Claim it first (conditional update), so two scheduler processes never ring the same agent twice.
    with db.session() as s, s.begin():
        won = s.execute(
            update(Escalation)
            .where(Escalation.id == eid, Escalation.status == EscalationStatus.AGENT_REQUESTED)
            .values(status=EscalationStatus.DIALLING_AGENT)
            .execution_options(synchronize_session=False)
        )
        if won.rowcount != 1:  # type: ignore[attr-defined]
            return False
    _wait_for_slot(settings, db)
    with db.session() as s, s.begin():
        esc = s.get_one(Escalation, eid)
        phone = esc.agent_phone or ""
        attempt = s.get_one(Attempt, esc.attempt_id)
        if not phone:
            esc.status = EscalationStatus.AGENT_FAILED
            return False
        placed = ring_agent(s, settings, gateway, esc, phone)
        detail = {"agent": phone, "escalation": eid, "placed": placed}
        record_event(s, attempt, "note", "agent_rung", detail, at=utcnow())
        return placed


def _wait_for_slot(settings: Settings, db: Database) -> None:
    """Wait for this leg's turn at the pacer every scheduler process shares with customer calls."""
    with db.session() as s, s.begin():
        slot = reserve_slot(s, utcnow(), settings.max_calls_per_second)
    time.sleep(max(0.0, (slot - utcnow()).total_seconds()))
