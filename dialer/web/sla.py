"""The problem-case SLA clock: where a case stands against its due date, in working days.

The due date itself is the policy's (`dialer.policy.cases.problem_due_at`, stored on the case when it is
filed); working days are counted on the same calendar by the same functions. For a year the calendar has no
data for, the clock counts Monday to Friday and says so, rather than stopping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dialer.policy.calendar import WorkCalendar
from dialer.policy.cases import add_working_days, working_days_between


@dataclass(frozen=True)
class SlaClock:
    """Where a case stands against its SLA."""

    due: date
    left: int  # working days left; negative when overdue
    guessed: bool  # True if weekdays stood in for missing calendar data

    @property
    def overdue(self) -> bool:
        return self.left < 0

    def label(self) -> str:
        """Return the clock in words, as the queue shows it."""
        text = f"已超期 {-self.left} 个工作日" if self.overdue else f"剩余 {self.left} 个工作日"
        return text + ("（按周一至周五估算）" if self.guessed else "")


def sla_clock(opened: datetime, due_at: datetime | None, days: int, calendar: WorkCalendar,
              now: datetime, tz: ZoneInfo) -> SlaClock:  # fmt: skip
    """Return the SLA clock of a case opened at `opened` (its stored due_at wins if set)."""
    start = opened.astimezone(tz).date()
    if due_at is not None:  # due at local midnight after its last working day
        due, guessed = (due_at - timedelta(microseconds=1)).astimezone(tz).date(), False
    else:  # a case filed before due dates were stored
        due = add_working_days(start, days, calendar)
        guessed = working_days_between(start, due, calendar)[1]
    left, g2 = working_days_between(now.astimezone(tz).date(), due, calendar)
    return SlaClock(due, left, guessed or g2)
