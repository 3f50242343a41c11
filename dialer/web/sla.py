"""The problem-case SLA clock: N working days (15 by default) from the day the case was opened.

Working days come from dialer.policy.calendar (chinesecalendar plus config/holidays.toml). For a year the
calendar has no data for, the clock counts Monday to Friday and says so, rather than stopping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dialer.errors import CalendarDataMissing
from dialer.policy.calendar import WorkCalendar


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


def _working(day: date, calendar: WorkCalendar) -> tuple[bool, bool]:
    """Return (is a working day, guessed from the weekday)."""
    try:
        return calendar.is_working_day(day), False
    except CalendarDataMissing:
        return day.weekday() < 5, True


def add_working_days(start: date, days: int, calendar: WorkCalendar) -> tuple[date, bool]:
    """Return the working day `days` working days after `start`, and whether any day was guessed."""
    day, guessed, count = start, False, 0
    while count < days:
        day += timedelta(days=1)
        working, g = _working(day, calendar)
        guessed |= g
        count += working
    return day, guessed


def working_days_between(a: date, b: date, calendar: WorkCalendar) -> tuple[int, bool]:
    """Return the working days after `a` up to and including `b` (negative if b is before a)."""
    sign, lo, hi = (1, a, b) if b >= a else (-1, b, a)
    count, guessed, day = 0, False, lo
    while day < hi:
        day += timedelta(days=1)
        working, g = _working(day, calendar)
        guessed |= g
        count += working
    return sign * count, guessed


def sla_due_at(opened: datetime, days: int, calendar: WorkCalendar, tz: ZoneInfo) -> datetime:
    """Return the end of the SLA's last working day, as an aware instant."""
    due, _ = add_working_days(opened.astimezone(tz).date(), days, calendar)
    return datetime.combine(due + timedelta(days=1), time(0), tz)


def sla_clock(opened: datetime, due_at: datetime | None, days: int, calendar: WorkCalendar,
              now: datetime, tz: ZoneInfo) -> SlaClock:  # fmt: skip
    """Return the SLA clock of a case opened at `opened` (its stored due_at wins if set)."""
    start = opened.astimezone(tz).date()
    if due_at is not None:
        due, guessed = (due_at - timedelta(microseconds=1)).astimezone(tz).date(), False
    else:
        due, guessed = add_working_days(start, days, calendar)
    left, g2 = working_days_between(now.astimezone(tz).date(), due, calendar)
    return SlaClock(due, left, guessed or g2)
