"""Problem cases (问题件): when one is due and whether it repeats an earlier one. Pure: values in, values out.

Due date: `DIALER_PROBLEM_SLA_DAYS` working days after the day the case was opened, on the dialler's own
calendar (chinesecalendar plus config/holidays.toml), so a National Day week or a 调休 Saturday moves it the
way it moves the calls. The case is due by the end of that last working day (local midnight after it).

Repeats (DOMAIN.md, "Verdicts, precisely"): the same customer with a problem on the same question twice or
more within the window is a repeat complaint; the same repair three times or more within the window is a
repeat repair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dialer.errors import CalendarDataMissing
from dialer.policy.calendar import WorkCalendar

REPAIR_TYPES = ("repair",)


class RepeatKind(StrEnum):
    """Why a problem case is flagged as a repeat."""

    COMPLAINT = "complaint"  # same customer, same question, twice or more in the window
    REPAIR = "repair"  # same customer, same repair, three times or more in the window


@dataclass(frozen=True)
class CaseRules:
    """The settings a new problem case needs: its SLA, the repeat window and the calendar."""

    sla_working_days: int
    repeat_window_days: int
    timezone: str
    calendar: WorkCalendar
    complaint_repeats_at: int = 2
    repair_repeats_at: int = 3

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def window_start(self, opened: datetime) -> datetime:
        """Return the earliest instant an earlier case or repair counts towards a repeat."""
        return opened - timedelta(days=self.repeat_window_days)


def working_day(day: date, calendar: WorkCalendar) -> tuple[bool, bool]:
    """Return (whether `day` is a working day, whether that was guessed because its year has no data)."""
    try:
        return calendar.is_working_day(day), False
    except CalendarDataMissing:
        # A case must always get a due date; the dialler alone fails closed on a missing year.
        return day.weekday() < 5, True


def is_working_day(day: date, calendar: WorkCalendar) -> bool:
    """Return whether `day` is a working day; a year with no data counts Monday to Friday, not nothing."""
    return working_day(day, calendar)[0]


def add_working_days(start: date, days: int, calendar: WorkCalendar) -> date:
    """Return the day that is `days` working days after `start` (`start` itself never counts)."""
    day, count = start, 0
    while count < days:
        day += timedelta(days=1)
        count += is_working_day(day, calendar)
    return day


def working_days_between(a: date, b: date, calendar: WorkCalendar) -> tuple[int, bool]:
    """Return the working days after `a` up to and including `b` (negative if b is before a), and whether
    any of them was guessed from the weekday."""
    sign, lo, hi = (1, a, b) if b >= a else (-1, b, a)
    count, guessed, day = 0, False, lo
    while day < hi:
        day += timedelta(days=1)
        working, g = working_day(day, calendar)
        guessed |= g
        count += working
    return sign * count, guessed


def problem_due_at(opened: datetime, rules: CaseRules) -> datetime:
    """Return when a case opened at `opened` is due: the end of its last SLA working day, in UTC."""
    if opened.utcoffset() is None:
        raise ValueError(f"the opening time must be aware (UTC), got naive {opened.isoformat()}")
    tz = rules.tz
    last = add_working_days(opened.astimezone(tz).date(), rules.sla_working_days, rules.calendar)
    return datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(UTC)


def repeat_kind(
    task_type: str, earlier_same_question: int, repairs_of_same_item: int, rules: CaseRules
) -> RepeatKind | None:
    """Return why a new case is a repeat, given what the window holds besides it, or None."""
    if earlier_same_question + 1 >= rules.complaint_repeats_at:
        return RepeatKind.COMPLAINT
    if task_type in REPAIR_TYPES and repairs_of_same_item >= rules.repair_repeats_at:
        return RepeatKind.REPAIR
    return None


def same_item(product: str | None, others: Sequence[str | None]) -> int:
    """Count the repairs among `others` that are of the same item as `product` (no name: any repair)."""
    if not product:
        return len(others)
    return sum(1 for other in others if not other or other == product)
