"""A problem case is due DIALER_PROBLEM_SLA_DAYS working days after it opened, on the dialler's calendar.

Hard days of 2026 (chinesecalendar, the same calendar the dialler uses):
- 国庆 1–7 October are holidays: a case opened on 30 September counts nothing until 8 October;
- Saturday 10 October is a 调休 working day: it counts, though it is a Saturday;
- Sunday 20 September is a 调休 working day too, and 中秋 25 September (a Friday) is a holiday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dialer.holidays import load_work_calendar
from dialer.policy.calendar import WorkCalendar
from dialer.policy.cases import CaseRules, add_working_days, problem_due_at
from dialer.settings import PROJECT_ROOT

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = load_work_calendar(PROJECT_ROOT / "config")


def _rules(days: int = 15, calendar: WorkCalendar = CALENDAR) -> CaseRules:
    return CaseRules(
        sla_working_days=days, repeat_window_days=365, timezone="Asia/Shanghai", calendar=calendar
    )


def _opened(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).astimezone(UTC)


def _due_day(due_at: datetime) -> date:
    """Return the last working day a case may still be closed on (due_at is the midnight after it)."""
    return (due_at.astimezone(SHANGHAI) - timedelta(microseconds=1)).date()


@pytest.mark.parametrize(
    ("opened", "days", "last_day", "why"),
    [
        # 8,9,10(Sat, 调休),12–16,19–23,26,27: fifteen working days after the National Day week.
        (date(2026, 9, 30), 15, date(2026, 10, 27), "over 国庆 and the 调休 Saturday"),
        # Friday before the 调休 Saturday: 10 Oct counts, 11 Oct (Sunday) does not.
        (date(2026, 10, 9), 3, date(2026, 10, 13), "a 调休 Saturday counts"),
        # 24 Sep (Thu): 25–27 are 中秋, 28–30 count, then 国庆, then 8 and 9 October.
        (date(2026, 9, 24), 5, date(2026, 10, 9), "中秋 and 国庆 back to back"),
        # Saturday 19 Sep is a rest day; Sunday 20 Sep is a 调休 working day.
        (date(2026, 9, 19), 1, date(2026, 9, 20), "a 调休 Sunday counts"),
        # An ordinary week: Monday to Monday.
        (date(2026, 11, 23), 5, date(2026, 11, 30), "a normal week skips the weekend"),
    ],
)
def test_the_due_day_counts_working_days_on_the_dialler_calendar(
    opened: date, days: int, last_day: date, why: str
) -> None:
    due_at = problem_due_at(_opened(opened), _rules(days))

    assert _due_day(due_at) == last_day, why
    assert due_at.tzinfo is not None and due_at.utcoffset() == timedelta(0)


def test_the_default_fifteen_working_days_are_not_twenty_one_calendar_days() -> None:
    opened = _opened(date(2026, 9, 30))

    due_at = problem_due_at(opened, _rules())

    assert due_at > opened + timedelta(days=21)  # the holiday week pushes it past the old fixed date
    assert due_at == datetime(2026, 10, 28, tzinfo=SHANGHAI)


def test_a_case_opened_late_in_the_evening_counts_from_its_local_day() -> None:
    # 23:30 in Shanghai on Friday 9 Oct is 15:30 UTC the same day; the next working day is Saturday 10 Oct.
    due_at = problem_due_at(_opened(date(2026, 10, 9), hour=23), _rules(1))

    assert _due_day(due_at) == date(2026, 10, 10)


def test_the_operator_override_file_moves_the_due_day() -> None:
    # The operator declares Monday 12 October a company holiday.
    calendar = WorkCalendar.from_toml('[[day]]\ndate = 2026-10-12\nworking = false\nnote = "公司停工"\n')

    due_at = problem_due_at(_opened(date(2026, 10, 9)), _rules(2, calendar))

    assert _due_day(due_at) == date(2026, 10, 13)


def test_a_year_without_calendar_data_still_gets_a_due_day_from_the_weekdays() -> None:
    # 2099 has no data: the case must not be lost or left undated, so weekdays stand in.
    assert add_working_days(date(2099, 6, 5), 2, WorkCalendar()) == date(2099, 6, 9)


def test_a_naive_opening_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        problem_due_at(datetime(2026, 10, 9, 10), _rules())
