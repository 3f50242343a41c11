"""May an agent start a call to a customer now? The scheduler's own window and calendar rules, for one instant.

An agent's call (拨打) is a deliberate follow-up, so the attempt cap and spacing rules that pace the robot do
not stop it; the nuisance-call hours, the calling windows and the working calendar do, exactly as they stop
the robot (`dialing.may_dial` uses the same functions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dialer.errors import CalendarDataMissing
from dialer.policy.calendar import WorkCalendar
from dialer.policy.dialing import Reason
from dialer.policy.rules import Window
from dialer.policy.windows import in_window, is_quiet, local, next_window_start, zone


@dataclass(frozen=True)
class CallTime:
    """Whether a call may start now, and if not, why and when the next window opens (None: unknown)."""

    ok: bool
    reason: str = Reason.OK
    next_open: datetime | None = None


def agent_call_time(
    now: datetime, timezone: str, windows: Sequence[Window], calendar: WorkCalendar
) -> CallTime:
    """Return whether an agent may start a call to a customer in `timezone` at `now` (aware UTC)."""
    tz = zone(timezone)
    wall = local(now, tz)
    reason: str | None = None
    if is_quiet(wall.time()):
        reason = Reason.QUIET_HOURS
    elif not in_window(wall.time(), windows):
        reason = Reason.OUTSIDE_WINDOW
    else:
        try:
            if not calendar.is_working_day(wall.date()):
                reason = Reason.NON_WORKING_DAY
        except CalendarDataMissing:
            return CallTime(False, Reason.NO_CALENDAR_DATA)
    if reason is None:
        return CallTime(True)
    try:
        nxt = next_window_start(now, windows, timezone, calendar)
    except CalendarDataMissing:
        nxt = None
    return CallTime(False, reason, nxt)
