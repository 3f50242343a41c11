"""Move attempts and tasks along: status callbacks in, the policy's verdict on the task out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, object_session

from dialer.clock import utcnow
from dialer.model.base import FINAL_STATUSES, AttemptOutcome, TaskStatus
from dialer.model.calls import Attempt, AttemptEvent
from dialer.model.db import MAX_ID
from dialer.model.facts import refresh_report_facts
from dialer.model.people import OptOut
from dialer.model.series import schedule_next_call
from dialer.model.states import CALL_RANK, CALLS_FINISHED, CALLS_IN_FLIGHT, CallStatus
from dialer.model.tasks import Task
from dialer.policy.attempts import after_attempt
from dialer.policy.rules import DialRules
from dialer.policy.verdicts import Verdict
from dialer.policy.views import AttemptView, Outcome, Standing, TaskView

# Kept under their former names for the rooms that import them.
TERMINAL_CALL_STATUSES = CALLS_FINISHED
IN_FLIGHT_STATUSES = CALLS_IN_FLIGHT
CALL_STATUS_OUTCOME = {
    "busy": AttemptOutcome.BUSY,
    "no-answer": AttemptOutcome.NO_ANSWER,
    "failed": AttemptOutcome.FAILED,
    "canceled": AttemptOutcome.CANCELED,
}
# Our attempt outcomes in the policy's words; the rest keep their name (and count as an attempt).
POLICY_OUTCOME = {
    AttemptOutcome.SUCCEEDED: Outcome.ANSWERED,
    AttemptOutcome.PROBLEM: Outcome.ANSWERED,
    AttemptOutcome.WRONG_PERSON: Outcome.NOT_CUSTOMER,
    AttemptOutcome.INVALID: Outcome.INVALID_NUMBER,
    AttemptOutcome.ERROR: Outcome.GATEWAY_ERROR,
}
NO_CALENDAR_RECHECK = timedelta(hours=6)


def is_opted_out(session: Session, task: Task) -> bool:
    q = select(OptOut.id).where(
        OptOut.phone == task.customer.phone, or_(OptOut.task_type.is_(None), OptOut.task_type == task.type)
    )
    return session.scalar(q.limit(1)) is not None


def opted_out_pairs(session: Session, phones: Sequence[str]) -> set[tuple[str, str | None]]:
    """Return (phone, task type or None for every optional type) for each opt-out of these numbers."""
    found: set[tuple[str, str | None]] = set()
    unique = sorted(set(phones))
    for i in range(0, len(unique), 500):
        q = select(OptOut.phone, OptOut.task_type).where(OptOut.phone.in_(unique[i : i + 500]))
        found.update((phone, kind) for phone, kind in session.execute(q))
    return found


def task_view(task: Task, opted_out: bool) -> TaskView:
    status = Standing.PENDING if task.status == TaskStatus.PENDING else Standing.CALLING
    return TaskView(
        id=task.id,
        status=status,
        timezone=task.customer.timezone,
        opted_out=opted_out,
        earliest_at=task.earliest_at,
        deadline_at=task.deadline_at,
        attempt_count=task.attempt_count,
    )


def attempt_views(attempts: Sequence[Attempt]) -> list[AttemptView]:
    views = []
    for a in attempts:
        started = a.placed_at or a.created_at
        outcome = None if a.outcome is None else POLICY_OUTCOME.get(AttemptOutcome(a.outcome), a.outcome)
        views.append(AttemptView(started_at=started, outcome=outcome))
    return views


def record_event(
    session: Session, attempt: Attempt, kind: str, name: str, data: dict[str, Any], *, at: datetime,
    sequence: int | None = None,
) -> None:  # fmt: skip
    session.add(
        AttemptEvent(attempt_id=attempt.id, kind=kind, name=name, data=data, at=at, sequence=sequence)
    )


def apply_call_status(
    session: Session, attempt: Attempt, params: Mapping[str, str], rules: DialRules, now: datetime,
    *, sequenced: bool = True,
) -> bool:  # fmt: skip
    """Apply one status callback; return False when it is a duplicate or arrived out of order.

    `sequenced=False` (Somleng, whose SequenceNumber is "0" on every callback): the number says nothing,
    so only the order of the statuses themselves keeps a late callback from moving the call back.
    """
    # Lock the task, then the attempt (PostgreSQL; the order recovery uses too), so two callbacks for one
    # call delivered at once apply one after the other instead of the later one undoing the earlier.
    session.execute(select(Task.id).where(Task.id == attempt.task_id).with_for_update())
    session.refresh(attempt, with_for_update=True)
    raw_seq = params.get("SequenceNumber", "")
    seq = int(raw_seq) if raw_seq.isascii() and raw_seq.isdigit() and int(raw_seq) <= MAX_ID else None
    seq = seq if sequenced else None
    status = params.get("CallStatus", "")
    status = (
        status if status in TERMINAL_CALL_STATUSES | IN_FLIGHT_STATUSES else ""
    )  # unknown words move nothing
    if seq is not None and seq <= attempt.last_sequence:
        return False
    if not _moves_forward(attempt.status, status):
        return False  # a late callback (e.g. "ringing" after "in-progress") never moves a call back
    record_event(session, attempt, "status", status, dict(params), at=now, sequence=seq)
    if seq is not None:
        attempt.last_sequence = seq
    if not attempt.call_sid and params.get("CallSid"):
        attempt.call_sid = params["CallSid"]
    if params.get("AnsweredBy"):
        attempt.answered_by = params["AnsweredBy"]
    if status == "in-progress" and attempt.answered_at is None:
        attempt.answered_at = now
    attempt.status = status if status in CALL_RANK else attempt.status
    if status in TERMINAL_CALL_STATUSES:
        duration = params.get("CallDuration")
        attempt.duration = int(duration) if duration and duration.isdigit() else attempt.duration
        attempt.ended_at = _ended_at(attempt, now)
        finish_attempt(session, attempt, _terminal_outcome(attempt, status), rules, now)
    return True


def is_machine(answered_by: str | None) -> bool:
    """Return whether answering-machine detection found a machine or fax (Twilio's `AnsweredBy` words)."""
    return (answered_by or "").startswith(("machine", "fax"))


def note_answered_by(
    session: Session, attempt: Attempt, params: Mapping[str, str], now: datetime
) -> None:  # fmt: skip
    """Note the asynchronous answering-machine verdict; a machine or fax makes the attempt a voicemail."""
    answered_by = params.get("AnsweredBy", "")[:30]
    if not answered_by:
        return
    if attempt.answered_by != answered_by:  # else a retried callback, or a status callback said it first
        record_event(session, attempt, "amd", answered_by, dict(params), at=now)
        attempt.answered_by = answered_by
    if is_machine(answered_by) and attempt.outcome is None:
        attempt.outcome = AttemptOutcome.VOICEMAIL  # never reaches an agent; retried by the rules


def _ended_at(attempt: Attempt, now: datetime) -> datetime:
    """Return when the call ended: its answer plus the gateway's own talk time, when both are known."""
    if attempt.answered_at is None or not attempt.duration:
        return now
    answered = attempt.answered_at if attempt.answered_at.tzinfo else attempt.answered_at.replace(tzinfo=UTC)
    return answered + timedelta(seconds=attempt.duration)


def _moves_forward(current: str, new: str) -> bool:
    """Return whether a callback's status comes later in a call's life than the attempt's status."""
    if current in CALLS_FINISHED:
        return False
    if new not in CALL_RANK:
        return True  # an unknown word (or none) is put on the timeline; `status` keeps what it was
    return CALL_RANK[new] > CALL_RANK.get(current, -1)


def _terminal_outcome(attempt: Attempt, status: str) -> AttemptOutcome:
    if attempt.outcome:  # the IVR already decided: succeeded, problem or wrong person
        return AttemptOutcome(attempt.outcome)
    if status in CALL_STATUS_OUTCOME:
        return CALL_STATUS_OUTCOME[status]
    if is_machine(attempt.answered_by):
        return AttemptOutcome.VOICEMAIL
    # A talk time proves the call was answered even when `completed` overtook the `in-progress` callback.
    answered = attempt.answered_at is not None or (attempt.duration or 0) > 0
    return AttemptOutcome.HUNG_UP if answered else AttemptOutcome.NO_ANSWER


def finish_attempt(
    session: Session, attempt: Attempt, outcome: AttemptOutcome, rules: DialRules, now: datetime
) -> None:
    """Close the attempt with `outcome` and let the policy decide the task's next attempt or final state."""
    attempt.outcome = outcome
    attempt.ended_at = attempt.ended_at or now
    if attempt.status in CALLS_IN_FLIGHT:
        # Closed without the gateway ending it (the call never left): it no longer holds a dialling slot.
        attempt.status = CallStatus.FAILED
    task = attempt.task
    if task.status not in FINAL_STATUSES:
        _after_attempt(session, task, outcome, rules, now)
    refresh_report_facts(session, task)  # the monthly report counts the task by what its calls did


def _after_attempt(
    session: Session, task: Task, outcome: AttemptOutcome, rules: DialRules, now: datetime
) -> None:
    if outcome == AttemptOutcome.ERROR:
        task.attempt_count = max(0, task.attempt_count - 1)  # the call never left: it does not count
    if outcome in (AttemptOutcome.SUCCEEDED, AttemptOutcome.PROBLEM):
        _close(task, TaskStatus(outcome.value), now)
        return
    settle_task(session, task, rules, now)


def settle_task(session: Session, task: Task, rules: DialRules, now: datetime) -> None:
    """Set a task that is between attempts to pending with its next attempt, or to its final state."""
    view = task_view(task, is_opted_out(session, task))
    step = after_attempt(view, attempt_views(task.attempts), rules.for_type(task.type), now)
    task.claimed_by, task.claim_expires_at = None, None
    if step.status == Standing.PENDING:
        task.status = TaskStatus.PENDING
        task.next_attempt_at = step.next_at or now + NO_CALENDAR_RECHECK
    elif step.status == Standing.CALLING:
        # An attempt has no outcome yet: hold the task and let recovery ask the gateway about that call
        # now (an expired claim), rather than dial again or close a task whose call may be ringing.
        task.status = TaskStatus.DIALLING
        task.claim_expires_at = utcnow()
    elif step.status == Standing.UNREACHABLE:
        task.manual_followup = True
        _close(task, TaskStatus.UNREACHABLE, now)
    elif step.status == Standing.INVALID:
        _close(task, TaskStatus.INVALID, now)
    elif step.status == Standing.OPTED_OUT:
        _close(task, TaskStatus.CANCELLED, now)
    else:  # COMPLETED: the last attempt reached the customer; keep its verdict (succeeded or problem)
        last = task.attempts[-1].outcome if task.attempts else None
        _close(task, TaskStatus.PROBLEM if last == AttemptOutcome.PROBLEM else TaskStatus.SUCCEEDED, now)
    if task.status in FINAL_STATUSES:  # an open-ended series (a lead) dates its next call from this one
        schedule_next_call(session, task, rules.types[task.type], now)


# Tasks an agent's answers may still decide: between attempts, or closed for want of a reachable customer.
DECIDABLE = (TaskStatus.PENDING, TaskStatus.UNREACHABLE)


def settle_by_verdict(attempt: Attempt, verdict: Verdict, now: datetime) -> None:
    """Let answers recorded after the robot's part decide the call and, once it has ended, the task.

    A call still live keeps its outcome open to the conversation; an open verdict leaves the task to the
    attempt rules (callback, or unreachable at the end); a decided one closes it.
    """
    if attempt.outcome is None:
        return  # the queue's result has not come: the conversation reads these answers then
    if attempt.outcome in (AttemptOutcome.SUCCEEDED, AttemptOutcome.PROBLEM, AttemptOutcome.OPEN):
        attempt.outcome = AttemptOutcome(verdict.value)
    task = attempt.task
    if attempt.status in CALLS_FINISHED and task.status in DECIDABLE and verdict != Verdict.OPEN:
        _close(task, TaskStatus(verdict.value), now)
    session = object_session(attempt)
    if session is not None:  # an agent's answers and cases count in the monthly report like the robot's
        session.flush()
        refresh_report_facts(session, task)


def _close(task: Task, status: TaskStatus, now: datetime) -> None:
    task.status = status
    task.next_attempt_at = None
    task.claimed_by, task.claim_expires_at = None, None
    task.closed_at = now
