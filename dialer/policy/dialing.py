"""The one gate every call passes: may this task be dialled at this instant? And which task goes first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dialer.errors import CalendarDataMissing
from dialer.policy.calendar import WorkCalendar
from dialer.policy.rules import AttemptRules, Rules, TaskTypeRules, Window
from dialer.policy.views import AttemptView, Standing, TaskView
from dialer.policy.windows import effective_spans, in_window, is_quiet, local, window_index, zone

# After a transient gateway error (20429, 5xx, timeout) the call never left: wait this long, then retry.
TRANSIENT_RETRY_GAP = timedelta(minutes=5)


class Reason(StrEnum):
    """Why a task may not be dialled now: short, stable codes for logs and `tick --json`."""

    OK = "ok"
    NOT_PENDING = "not_pending"
    OPTED_OUT = "opted_out"
    ATTEMPT_CAP = "attempt_cap"
    IN_FLIGHT = "in_flight"
    UNKNOWN_TIMEZONE = "unknown_timezone"
    NOT_YET_EARLIEST = "not_yet_earliest"
    QUIET_HOURS = "quiet_hours"
    OUTSIDE_WINDOW = "outside_window"
    NO_CALENDAR_DATA = "no_calendar_data"
    NON_WORKING_DAY = "non_working_day"
    TOO_SOON = "too_soon"
    SAME_WINDOW = "same_window"
    SAME_DAY = "same_day"


# Reasons that time alone never lifts: waiting for a later instant cannot help.
STANDING_REASONS = frozenset(
    {Reason.NOT_PENDING, Reason.OPTED_OUT, Reason.ATTEMPT_CAP, Reason.IN_FLIGHT, Reason.UNKNOWN_TIMEZONE}
)


@dataclass(frozen=True)
class Decision:
    """The gate's answer: ok, or the reason it is not."""

    ok: bool
    reason: str


def used_attempts(task: TaskView, attempts: Sequence[AttemptView]) -> int:
    """Return how many attempts the task has used, trusting the larger of the two counts."""
    return max(task.attempt_count, sum(1 for a in attempts if a.counts))


def may_dial(task: TaskView, attempts: Sequence[AttemptView], rules: Rules, now: datetime) -> Decision:
    """Return whether a call to this task may start at `now` (aware UTC), and if not, why."""
    if now.utcoffset() is None:
        raise ValueError(f"may_dial needs an aware `now` (UTC), got naive {now.isoformat()}")
    reason = _standing_reason(task, attempts, rules.task_type)
    if reason is None:
        try:
            tz = zone(task.timezone)
        except ValueError:
            return Decision(False, Reason.UNKNOWN_TIMEZONE)
        reason = _time_reason(task, rules.calendar, rules.windows, now, tz) or _spacing_reason(
            task, attempts, rules.task_type.attempts, rules.windows, now, tz
        )
    return Decision(reason is None, reason or Reason.OK)


def _standing_reason(task: TaskView, attempts: Sequence[AttemptView], rules: TaskTypeRules) -> str | None:
    if task.status != Standing.PENDING:
        return Reason.NOT_PENDING
    if task.opted_out and not rules.mandatory:
        return Reason.OPTED_OUT
    if used_attempts(task, attempts) >= rules.attempts.max_attempts:
        return Reason.ATTEMPT_CAP
    if any(a.in_flight for a in attempts):
        return Reason.IN_FLIGHT
    return None


def _time_reason(
    task: TaskView, calendar: WorkCalendar, windows: Sequence[Window], now: datetime, tz: ZoneInfo
) -> str | None:
    if task.earliest_at is not None and now < task.earliest_at:
        return Reason.NOT_YET_EARLIEST
    wall = local(now, tz)
    if is_quiet(wall.time()):
        return Reason.QUIET_HOURS
    if not in_window(wall.time(), windows):
        return Reason.OUTSIDE_WINDOW
    try:
        working = calendar.is_working_day(wall.date())
    except CalendarDataMissing:
        return Reason.NO_CALENDAR_DATA
    return None if working else Reason.NON_WORKING_DAY


def _spacing_reason(
    task: TaskView,
    attempts: Sequence[AttemptView],
    rules: AttemptRules,
    windows: Sequence[Window],
    now: datetime,
    tz: ZoneInfo,
) -> str | None:
    transient = [a.started_at for a in attempts if not a.counts]
    if transient and now - max(transient) < TRANSIENT_RETRY_GAP:
        return Reason.TOO_SOON
    used = [a.started_at for a in attempts if a.counts]
    if not used:
        return None
    last = max(used)
    if now - last < rules.min_gap:
        return Reason.TOO_SOON
    wall = local(now, tz)
    # With a single window there is no other window to move to; the rule cannot apply.
    if rules.distinct_windows and len(effective_spans(windows)) > 1:
        before = window_index(local(last, tz).time(), windows)
        if before is not None and before == window_index(wall.time(), windows):
            return Reason.SAME_WINDOW
    days = {local(t, tz).date() for t in used}
    if wall.date() in days:
        # Calling on a used day is fine only while the attempts left can still reach new days.
        left_after = rules.max_attempts - used_attempts(task, attempts) - 1
        if len(days) + left_after < rules.min_distinct_days:
            return Reason.SAME_DAY
    return None


_NEVER = datetime.max.replace(tzinfo=UTC)
_ALWAYS = datetime.min.replace(tzinfo=UTC)
PriorityKey = tuple[bool, datetime, datetime, tuple[int, int, str]]


def priority_key(task: TaskView) -> PriorityKey:
    """Return the sort key that puts the earliest deadline first (no deadline last, then by id)."""
    ident = (0, task.id, "") if isinstance(task.id, int) else (1, 0, str(task.id))
    return (
        task.deadline_at is None,
        task.deadline_at or _NEVER,
        task.earliest_at or _ALWAYS,
        ident,
    )
