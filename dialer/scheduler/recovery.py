"""Recover claims whose process died: re-open tasks never dialled, reconcile calls already placed.

A claim's lease runs on the wall clock. The gateway is asked outside any transaction; what it said is
applied only if the task is still stale and unchanged, under the task's row lock (PostgreSQL) or the
database's write lock (SQLite). A live placer renews its claim before calling (`placing.confirm_claim`),
so once a task is re-opened here, the process that claimed it can no longer place its call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.clock import utcnow
from dialer.errors import GatewayError
from dialer.gateway.client import ADOPT_SLACK, CallInfo, Gateway
from dialer.model import Attempt, AttemptOutcome, Database, Task, TaskStatus
from dialer.model.outcomes import (
    TERMINAL_CALL_STATUSES,
    apply_call_status,
    finish_attempt,
    record_event,
    settle_task,
)
from dialer.model.pacing import lock_pacer
from dialer.model.states import CALLS_IN_FLIGHT
from dialer.policy.rules import DialRules

log = logging.getLogger("dialer.scheduler")
RECOVER_BATCH = 200
# A call still ringing or talking is checked again this much later, if no final callback came first.
LIVE_RECHECK = timedelta(minutes=5)


@dataclass(frozen=True)
class Seen:
    """The open attempt of a stale task, as read before asking the gateway."""

    attempt_id: int
    call_sid: str | None
    to: str
    created_at: datetime


def recover_stale_claims(db: Database, gateway: Gateway, rules: DialRules, now: datetime, worker: str) -> int:
    """Handle every task whose claim lease ran out; return how many were recovered."""
    with db.session() as s:
        ids = list(s.scalars(
            select(Task.id).where(Task.status == TaskStatus.DIALLING, Task.claim_expires_at < utcnow())
            .order_by(Task.claim_expires_at).limit(RECOVER_BATCH)
        ))  # fmt: skip
    recovered = 0
    for task_id in ids:
        try:
            recovered += _recover(db, gateway, rules, task_id, now)
        except GatewayError as exc:
            log.warning("task %s: cannot reconcile with the gateway yet: %s", task_id, exc)
    return recovered


def _recover(db: Database, gateway: Gateway, rules: DialRules, task_id: int, now: datetime) -> bool:
    seen = _open_attempt(db, task_id)
    info = None if seen is None else _gateway_call(db, gateway, seen)
    with db.session() as s, s.begin():
        task = _lock_if_stale(s, db, task_id)
        if task is None:
            return False  # renewed, finished or recovered by someone else meanwhile
        attempt = task.attempts[-1] if task.attempts else None
        if attempt is None or attempt.status not in CALLS_IN_FLIGHT:
            settle_task(s, task, rules, now)
            return True
        if seen is None or attempt.id != seen.attempt_id or attempt.call_sid != seen.call_sid:
            return False  # it changed after we asked the gateway; the next pass looks again
        if info is None:
            log.warning("task %s: claim expired before its call was placed; reopening it", task_id)
            record_event(s, attempt, "note", "claim_expired", {"worker": attempt.claimed_by}, at=utcnow())
            finish_attempt(s, attempt, AttemptOutcome.ERROR, rules, now)
            return True
        _reconcile(s, task, attempt, info, rules, now)
        return True


def _open_attempt(db: Database, task_id: int) -> Seen | None:
    with db.session() as s:
        a = s.scalars(
            select(Attempt).where(Attempt.task_id == task_id).order_by(Attempt.number.desc())
        ).first()
    if a is None or a.status not in CALLS_IN_FLIGHT:
        return None  # the call has ended: nothing to ask the gateway
    return Seen(a.id, a.call_sid, a.to_number, a.created_at)


def _lock_if_stale(s: Session, db: Database, task_id: int) -> Task | None:
    if not db.is_postgres:
        lock_pacer(s, utcnow())  # SQLite: take the write lock now, before reading what we will change
    s.execute(select(Task.id).where(Task.id == task_id).with_for_update())  # the task row alone, not its join
    task = s.get(Task, task_id, populate_existing=True)
    if task is None or task.status != TaskStatus.DIALLING:
        return None
    if task.claim_expires_at is None or task.claim_expires_at >= utcnow():
        return None
    return task


def _reconcile(
    s: Session, task: Task, attempt: Attempt, info: CallInfo, rules: DialRules, now: datetime
) -> None:
    """Bring the attempt up to what the gateway says about its call."""
    attempt.call_sid = attempt.call_sid or info.sid
    record_event(s, attempt, "note", "reconciled", {"CallSid": info.sid, "status": info.status}, at=utcnow())
    if info.status in TERMINAL_CALL_STATUSES:
        if info.status == "completed" and attempt.answered_at is None:
            attempt.answered_at = info.start_time or now  # "completed" means it was answered
        params = {"CallSid": info.sid, "CallStatus": info.status, "CallDuration": str(info.duration or 0)}
        s.flush()  # apply_call_status re-reads the attempt under its lock: keep what we just set
        apply_call_status(s, attempt, params, rules, now)
        return
    # Still ringing or talking: its status callbacks will finish it; look again later if they do not.
    task.claim_expires_at = utcnow() + LIVE_RECHECK
    if attempt.status == "placing":
        attempt.status = info.status or "queued"


def _gateway_call(db: Database, gateway: Gateway, seen: Seen) -> CallInfo | None:
    """Find the attempt's call at the gateway: by its id, or among recent calls to the number."""
    if seen.call_sid:
        try:
            return gateway.fetch_call(seen.call_sid)
        except GatewayError as exc:
            if exc.status != 404:
                raise
            log.warning("call %s is unknown to the gateway; closing its attempt as failed", seen.call_sid)
            return CallInfo(sid=seen.call_sid, status="failed")
    candidates = [c for c in gateway.find_calls(seen.to)
                  if c.created is not None and c.created >= seen.created_at - ADOPT_SLACK]  # fmt: skip
    if not candidates:
        return None
    with db.session() as s:
        taken = set(
            s.scalars(select(Attempt.call_sid).where(Attempt.call_sid.in_([c.sid for c in candidates])))
        )
    # The oldest call not already another attempt's: the one placed first after this claim.
    return next((c for c in sorted(candidates, key=lambda c: c.created) if c.sid not in taken), None)
