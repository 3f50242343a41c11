"""Attempts: when the next one may start, and what an attempt's outcome makes of the task."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from dialer.policy.dialing import (
    STANDING_REASONS,
    TRANSIENT_RETRY_GAP,
    Reason,
    may_dial,
    used_attempts,
)
from dialer.policy.rules import Rules, TaskTypeRules
from dialer.policy.views import AttemptView, Outcome, Standing, TaskView
from dialer.policy.windows import openings, zone

SEARCH_DAYS = 366  # look this many local days ahead for a free window; beyond that, give up
NO_SLOT = "no_slot"
FINAL_STATUSES = frozenset({Standing.COMPLETED, Standing.UNREACHABLE, Standing.INVALID, Standing.OPTED_OUT})


@dataclass(frozen=True)
class NextStep:
    """What becomes of a task: its status, when to dial it next (if ever), and why."""

    status: str
    next_at: datetime | None
    reason: str


def next_attempt_at(
    task: TaskView, attempts: Sequence[AttemptView], rules: Rules, now: datetime
) -> datetime | None:
    """Return the first instant from `now` at which `may_dial` says yes, or None if there is none."""
    return _search(task, attempts, rules, now)[0]


def _search(
    task: TaskView, attempts: Sequence[AttemptView], rules: Rules, now: datetime
) -> tuple[datetime | None, str]:
    first = may_dial(task, attempts, rules, now)
    if first.ok:
        return now.astimezone(UTC), Reason.OK
    if first.reason in STANDING_REASONS or first.reason == Reason.NO_CALENDAR_DATA:
        return None, first.reason
    # Within one window on one day, every rule only loosens as time passes, so the first
    # acceptable instant is either this lower bound or the opening of a later window.
    lower = _lower_bound(task, attempts, rules.task_type, now)
    for opens, _closes in openings(lower, zone(task.timezone), rules.windows, SEARCH_DAYS):
        decision = may_dial(task, attempts, rules, opens)
        if decision.ok:
            return opens, Reason.OK
        if decision.reason == Reason.NO_CALENDAR_DATA:
            return None, decision.reason
    return None, NO_SLOT


def _lower_bound(
    task: TaskView, attempts: Sequence[AttemptView], rules: TaskTypeRules, now: datetime
) -> datetime:
    bounds = [now]
    if task.earliest_at is not None:
        bounds.append(task.earliest_at)
    used = [a.started_at for a in attempts if a.counts]
    if used:
        bounds.append(max(used) + rules.attempts.min_gap)
    transient = [a.started_at for a in attempts if not a.counts]
    if transient:
        bounds.append(max(transient) + TRANSIENT_RETRY_GAP)
    return max(bounds)


def after_attempt(task: TaskView, attempts: Sequence[AttemptView], rules: Rules, now: datetime) -> NextStep:
    """Return what the latest attempt's outcome makes of the task: a next attempt or a final state."""
    if task.status in FINAL_STATUSES:
        return NextStep(task.status, None, "final")
    last = max(attempts, key=lambda a: a.started_at, default=None)
    if last is not None and last.in_flight:
        return NextStep(Standing.CALLING, None, Reason.IN_FLIGHT)
    if last is not None and last.outcome == Outcome.ANSWERED:
        return NextStep(Standing.COMPLETED, None, Outcome.ANSWERED)
    if last is not None and last.outcome == Outcome.INVALID_NUMBER:
        return NextStep(Standing.INVALID, None, Outcome.INVALID_NUMBER)
    if task.opted_out and not rules.task_type.mandatory:
        return NextStep(Standing.OPTED_OUT, None, Reason.OPTED_OUT)
    if used_attempts(task, attempts) >= rules.task_type.attempts.max_attempts:
        return NextStep(Standing.UNREACHABLE, None, Reason.ATTEMPT_CAP)
    # The task is between attempts now, whatever status the caller held it in while dialling.
    pending = dataclasses.replace(task, status=Standing.PENDING)
    at, reason = _search(pending, attempts, rules, now)
    if at is not None:
        return NextStep(Standing.PENDING, at, "retry")
    if reason == Reason.NO_CALENDAR_DATA:
        # Not the customer's fault: keep the task, calls resume once the calendar is filled in.
        return NextStep(Standing.PENDING, None, reason)
    return NextStep(Standing.UNREACHABLE, None, reason)
