"""The `Placer`: for one claimed call, wait for a pacing slot, confirm the claim, call the gateway, record it."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.orm import Session

from dialer.clock import utcnow
from dialer.errors import GatewayError
from dialer.gateway.client import CallInfo, CallRequest, Gateway, InvalidNumber
from dialer.model import Attempt, AttemptEvent, AttemptOutcome, CallStatus, Database, Task, TaskStatus
from dialer.model.outcomes import finish_attempt
from dialer.model.pacing import reserve_slot
from dialer.policy.rules import DialRules
from dialer.settings import Settings

if TYPE_CHECKING:
    from dialer.scheduler.tick import PlannedCall

log = logging.getLogger("dialer.scheduler")


class Placer:
    """Places the calls one scheduler process has claimed: pacing, claim renewal, the gateway, the record."""

    def __init__(
        self, settings: Settings, db: Database, gateway: Gateway, rules: DialRules, worker: str
    ) -> None:
        self.settings = settings
        self.db = db
        self.gateway = gateway
        self.rules = rules
        self.worker = worker

    def place(self, call: PlannedCall, now: datetime) -> bool:
        """Place one claimed call, unless its claim ran out meanwhile; return False to end the pass early."""
        assert call.attempt_id is not None
        if not self.take_slot(call):
            log.warning("task %s: claim lost before placing the call; not dialling it", call.task_id)
            call.status = "claim_lost"
            return True
        try:
            info = self.dial(call)
        except GatewayError as exc:
            failed(self.db, call, exc, self.rules, now)
            # Our own configuration is wrong (caller ID, account, URL) when a permanent error is not about
            # the number: every further call would fail the same way, so stop this pass.
            return not exc.permanent or isinstance(exc, InvalidNumber)
        self.record(call, info)
        return True

    def take_slot(self, call: PlannedCall) -> bool:
        """Wait for this call's pacing slot, then renew its claim; return False if the claim was lost."""
        lease = self.settings.claim_lease_seconds
        with self.db.session() as s, s.begin():
            slot = reserve_slot(s, utcnow(), self.settings.max_calls_per_second)
            if slot <= utcnow():  # no wait: renew the claim in the same transaction, one commit fewer
                return _renew(s, call, self.worker, lease)
        time.sleep(max(0.0, (slot - utcnow()).total_seconds()))
        return confirm_claim(self.db, call, self.worker, lease)

    def dial(self, call: PlannedCall) -> CallInfo:
        """Ask the gateway for the call."""
        return self.gateway.place_call(request(self.settings, call), since=call.claimed_at)

    def record(self, call: PlannedCall, info: CallInfo) -> None:
        """Note the placed call's id on its attempt."""
        placed(self.db, call, info, self.settings.ring_timeout + self.settings.claim_lease_seconds)

    def release(self, call: PlannedCall) -> None:
        """Give back a claim whose call was never placed (the scheduler is stopping)."""
        release(self.db, call, self.worker)


def confirm_claim(db: Database, call: PlannedCall, worker: str, lease_seconds: int) -> bool:
    """Renew the claim if it is still ours and alive; recovery cannot reopen the task after this."""
    with db.session() as s, s.begin():
        return _renew(s, call, worker, lease_seconds)


def _renew(s: Session, call: PlannedCall, worker: str, lease_seconds: int) -> bool:
    wall = utcnow()
    result = s.execute(
        update(Task)
        .where(
            Task.id == call.task_id,
            Task.status == TaskStatus.DIALLING,
            Task.claimed_by == worker,
            Task.claim_expires_at > wall,
        )
        .values(claim_expires_at=wall + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def request(settings: Settings, call: PlannedCall) -> CallRequest:
    """Build the gateway request: webhooks carry our attempt id, so a callback finds its attempt."""
    base = settings.public_url.rstrip("/")
    q = f"?a={call.attempt_id}"
    return CallRequest(
        to=call.to,
        voice_url=f"{base}/ivr/voice{q}",
        status_callback=f"{base}/ivr/status{q}",
        recording_status_callback=f"{base}/ivr/recording{q}",
        timeout=settings.ring_timeout,
        machine_detection=settings.machine_detection,
        amd_callback=f"{base}/ivr/amd{q}",
    )


def placed(db: Database, call: PlannedCall, info: CallInfo, check_after: float) -> None:
    """Note the call's id; recovery asks the gateway about it if no final status arrives in time."""
    status = info.status or "queued"
    with db.session() as s, s.begin():
        # The task first, then the attempt: the order a status callback locks them in, so no deadlock.
        s.execute(update(Task).where(Task.id == call.task_id, Task.status == TaskStatus.DIALLING)
                  .values(claim_expires_at=utcnow() + timedelta(seconds=check_after)))  # fmt: skip
        # A status callback may already have moved the attempt on: keep what it set, never undo it.
        s.execute(
            update(Attempt)
            .where(Attempt.id == call.attempt_id)
            .values(
                call_sid=func.coalesce(Attempt.call_sid, info.sid),
                status=case((Attempt.status == CallStatus.PLACING, status), else_=Attempt.status),
            )
        )
        s.execute(insert(AttemptEvent).values(attempt_id=call.attempt_id, kind="dial", name="placed", at=utcnow(),
                                              data={"CallSid": info.sid, "status": info.status}))  # fmt: skip
    call.call_sid, call.status = info.sid, status


def failed(db: Database, call: PlannedCall, exc: GatewayError, rules: DialRules, now: datetime) -> None:
    """Close the attempt: an invalid number closes the task; anything else retries it later."""
    if exc.permanent and not isinstance(exc, InvalidNumber):
        log.error(
            "the gateway refused a call for a reason no retry fixes: %s; check the TWILIO_* settings", exc
        )
    else:
        log.warning("task %s: call to %s failed: %s", call.task_id, call.to, exc)
    with db.session() as s, s.begin():
        s.execute(select(Task.id).where(Task.id == call.task_id).with_for_update())  # task, then attempt
        attempt = s.get_one(Attempt, call.attempt_id, with_for_update=True)
        attempt.status = CallStatus.FAILED
        attempt.error_code, attempt.error_message, attempt.error_permanent = exc.code, str(exc), exc.permanent
        attempt.task.last_error = str(exc)
        outcome = AttemptOutcome.INVALID if isinstance(exc, InvalidNumber) else AttemptOutcome.ERROR
        finish_attempt(s, attempt, outcome, rules, now)
    call.status, call.error = "failed", str(exc)


def release(db: Database, call: PlannedCall, worker: str) -> None:
    """Give back a claim whose call was never placed (the scheduler is stopping): no attempt was made."""
    with db.session() as s, s.begin():
        result = s.execute(
            update(Task)
            .where(Task.id == call.task_id, Task.status == TaskStatus.DIALLING, Task.claimed_by == worker)
            .values(
                status=TaskStatus.PENDING,
                claimed_by=None,
                claim_expires_at=None,
                attempt_count=Task.attempt_count - 1,
            )
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            s.execute(
                delete(Attempt).where(Attempt.id == call.attempt_id, Attempt.status == CallStatus.PLACING)
            )
    call.status = "released"
