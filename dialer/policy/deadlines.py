"""Deadlines: when a task becomes due, when it must be done by, and when it is at risk of missing that."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from dialer.errors import CalendarDataMissing
from dialer.policy.calendar import WorkCalendar
from dialer.policy.rules import TaskTypeRules, Window
from dialer.policy.views import Standing, TaskView
from dialer.policy.windows import local, openings, zone


class Risk(StrEnum):
    """How a pending task stands against its deadline."""

    OK = "ok"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"


def due_span(event_at: datetime, rules: TaskTypeRules) -> tuple[datetime, datetime | None]:
    """Return (earliest, deadline) for an event at `event_at`; the deadline is None if the type has none."""
    if event_at.utcoffset() is None:
        raise ValueError(f"the event time must be aware (UTC), got naive {event_at.isoformat()}")
    earliest = event_at + rules.earliest_offset
    deadline = None if rules.deadline is None else event_at + rules.deadline
    return earliest, deadline


def openings_before(
    task: TaskView,
    calendar: WorkCalendar,
    windows: Sequence[Window],
    now: datetime,
    enough: int,
) -> int:
    """Count the windows on working days from `now` to the deadline, stopping once `enough` are found."""
    if task.deadline_at is None:
        return enough
    tz = zone(task.timezone)
    start = max(now, task.earliest_at or now)
    days = (task.deadline_at - start).days + 2
    found = 0
    for opens, _closes in openings(start, tz, windows, max(days, 0)):
        if found >= enough or opens >= task.deadline_at:
            break
        try:
            if calendar.is_working_day(local(opens, tz).date()):
                found += 1
        except CalendarDataMissing:
            break  # fail closed: a day we cannot plan for is not a chance to call
    return found


def deadline_risk(
    task: TaskView,
    rules: TaskTypeRules,
    calendar: WorkCalendar,
    windows: Sequence[Window],
    now: datetime,
) -> Risk:
    """Return whether a pending task is fine, at risk of missing its deadline, or past it."""
    if task.deadline_at is None or task.status != Standing.PENDING:
        return Risk.OK
    if now >= task.deadline_at:
        return Risk.OVERDUE
    if now >= task.deadline_at - rules.at_risk_before:
        return Risk.AT_RISK
    # Holidays shrink the time left: fewer windows than attempts left means it may be missed.
    left = max(rules.attempts.max_attempts - task.attempt_count, 1)
    if openings_before(task, calendar, windows, now, left) < left:
        return Risk.AT_RISK
    return Risk.OK


def is_at_risk(
    task: TaskView,
    rules: TaskTypeRules,
    calendar: WorkCalendar,
    windows: Sequence[Window],
    now: datetime,
) -> bool:
    """Return whether the task should be reported as at risk (or already overdue)."""
    return deadline_risk(task, rules, calendar, windows, now) != Risk.OK
