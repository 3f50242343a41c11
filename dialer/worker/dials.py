"""Place the agents' own calls (拨打): ring the agent's phone, whose TwiML then dials the customer.

A page only writes an `AgentDial` ("requested") and its attempt. The scheduler process calls
`place_agent_dials` about every second, beside `ring_requested_agents`: it claims each request with a
conditional update (two schedulers never ring an agent twice), waits while DIALER_MAX_CONCURRENT_CALLS
calls are live, takes its turn at the pacer customer calls use (DIALER_MAX_CPS), checks once more that a
calling window is open, and places the agent's leg. The webhooks in `dialer.ivr.dials` do the rest.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dialer.errors import GatewayError
from dialer.gateway.client import CallRequest, Gateway
from dialer.model import Attempt, AttemptOutcome, Database
from dialer.model.dials import DIAL_LEASE, AgentDial
from dialer.model.outcomes import finish_attempt, record_event
from dialer.model.pacing import calls_in_flight
from dialer.model.states import CALLS_IN_FLIGHT, AgentDialStatus, CallStatus
from dialer.policy.agentdial import agent_call_time
from dialer.policy.rules import DialRules
from dialer.settings import Settings
from dialer.worker.agents import _wait_for_slot

log = logging.getLogger("dialer.worker")
BATCH = 20


def agent_dial_request(settings: Settings, dial_id: int, phone: str) -> CallRequest:
    """Build the agent's leg: not recorded itself (the `<Dial>` to the customer records both parties)."""
    base = settings.public_url.rstrip("/")
    return CallRequest(
        to=phone,
        voice_url=f"{base}/ivr/dial/agent?d={dial_id}",
        status_callback=f"{base}/ivr/dial/agent/status?d={dial_id}",
        recording_status_callback="",
        timeout=settings.ring_timeout,
        record=False,
    )


def place_agent_dials(
    settings: Settings, db: Database, gateway: Gateway, rules: DialRules, now: datetime
) -> int:
    """Place every requested agent call the concurrency cap allows at `now`; return how many legs were placed."""
    with db.session() as s:
        ids = list(s.scalars(
            select(AgentDial.id).where(AgentDial.status == AgentDialStatus.REQUESTED)
            .order_by(AgentDial.id).limit(BATCH)
        ))  # fmt: skip
    expire_stale_dials(db, rules, now)
    placed = 0
    for dial_id in ids:
        if not _claim(db, settings, dial_id):
            continue
        placed += _place(settings, db, gateway, rules, dial_id, now)
    return placed


def expire_stale_dials(db: Database, rules: DialRules, now: datetime) -> int:
    """End the agent calls still shown live long after any call could last (a process died, a callback was
    lost), so they hold no line and block no new call; return how many."""
    stuck = (
        AgentDialStatus.PLACING,
        AgentDialStatus.RINGING_AGENT,
        AgentDialStatus.BRIDGING,
        AgentDialStatus.CONNECTED,
    )
    with db.session() as s, s.begin():
        dials = list(s.scalars(
            select(AgentDial).where(AgentDial.status.in_(stuck), AgentDial.requested_at < now - DIAL_LEASE)
            .limit(BATCH).with_for_update()
        ))  # fmt: skip
        for dial in dials:
            attempt = s.get_one(Attempt, dial.attempt_id)
            dial.status, dial.ended_at = AgentDialStatus.FAILED, now
            dial.error = "通话状态长时间没有更新，已按未接通结束。如需联系客户，请重新拨打。"
            record_event(s, attempt, "dial", "expired", {"dial": dial.id}, at=now)
            if attempt.status in CALLS_IN_FLIGHT:
                finish_attempt(s, attempt, AttemptOutcome.ERROR, rules, now)
    return len(dials)


def _claim(db: Database, settings: Settings, dial_id: int) -> bool:
    """Claim one request, unless the calls already live fill DIALER_MAX_CONCURRENT_CALLS (it waits then)."""
    with db.session() as s, s.begin():
        # The request's own attempt is one of the calls in flight: it may go when the count is within the cap.
        if calls_in_flight(s) > settings.max_concurrent_calls:
            return False
        won = s.execute(
            update(AgentDial)
            .where(AgentDial.id == dial_id, AgentDial.status == AgentDialStatus.REQUESTED)
            .values(status=AgentDialStatus.PLACING)
            .execution_options(synchronize_session=False)
        )
        return won.rowcount == 1  # type: ignore[attr-defined]


def _place(
    settings: Settings, db: Database, gateway: Gateway, rules: DialRules, dial_id: int, now: datetime
) -> bool:
    _wait_for_slot(settings, db)
    with db.session() as s, s.begin():
        dial = s.get_one(AgentDial, dial_id)
        attempt = s.get_one(Attempt, dial.attempt_id)
        when = agent_call_time(now, attempt.task.customer.timezone, rules.windows, rules.calendar)
        if not when.ok:  # the window closed between the press and this pass: no call starts outside it
            why = "拨打时已不在可拨打时段，未呼叫。请在下一个时段再拨打。"
            _give_up(s, dial, attempt, rules, why, when.reason, now)
            return False
        attempt.status = CallStatus.PLACING
    try:
        info = gateway.place_call(agent_dial_request(settings, dial_id, dial.agent_phone))
    except GatewayError as exc:
        log.warning("agent dial %s: the agent's phone could not be rung: %s", dial_id, exc)
        with db.session() as s, s.begin():
            dial = s.get_one(AgentDial, dial_id)
            why = "无法呼叫您登记的电话，请检查号码后重试。"
            _give_up(s, dial, s.get_one(Attempt, dial.attempt_id), rules, why, str(exc), now)
        return False
    with db.session() as s, s.begin():
        # A status callback may have moved the call on already: only a leg still being placed becomes ringing.
        s.execute(
            update(AgentDial).where(AgentDial.id == dial_id, AgentDial.status == AgentDialStatus.PLACING)
            .values(status=AgentDialStatus.RINGING_AGENT).execution_options(synchronize_session=False)
        )  # fmt: skip
        dial = s.get_one(AgentDial, dial_id, populate_existing=True)
        dial.agent_call_sid = info.sid
        attempt = s.get_one(Attempt, dial.attempt_id)
        attempt.call_sid = attempt.call_sid or info.sid
        attempt.placed_at = now
        if attempt.status == CallStatus.PLACING:
            attempt.status = CallStatus.QUEUED
        record_event(s, attempt, "dial", "agent_rung", {"dial": dial_id, "CallSid": info.sid}, at=now)
    return True


def _give_up(
    s: Session, dial: AgentDial, attempt: Attempt, rules: DialRules, why: str, detail: str, now: datetime
) -> None:
    """End a request whose agent leg never left: the customer was not called, so it is no attempt."""
    dial.status, dial.error, dial.ended_at = AgentDialStatus.AGENT_MISSED, why, now
    record_event(s, attempt, "dial", "agent_not_rung", {"dial": dial.id, "why": detail}, at=now)
    finish_attempt(s, attempt, AttemptOutcome.ERROR, rules, now)
