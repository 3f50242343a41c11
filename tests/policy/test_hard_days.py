"""The days and seconds that break naive dialling code, written down one by one with the reason each is hard.

Every row is checked against chinesecalendar 1.11's real data for 2026 (which has no data for 2027).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dialer.errors import CalendarDataMissing
from dialer.policy.attempts import next_attempt_at
from dialer.policy.calendar import WorkCalendar
from dialer.policy.dialing import may_dial
from dialer.policy.rules import DEFAULT_WINDOWS, Rules, Window
from dialer.policy.views import TaskView
from tests.policy.helpers import RULES, SHANGHAI, at, sh

PLAIN = WorkCalendar()
EXTRA_HOLIDAY = WorkCalendar({date(2026, 11, 23): False})  # the company closes on an ordinary Monday
EXTRA_WORKDAY = WorkCalendar({date(2026, 11, 21): True})  # the company works an ordinary Saturday
FILLED_2027 = WorkCalendar({date(2027, 1, 1): False}, complete_years=[2027])  # operator wrote 2027 out
WIDE = (Window.parse("08:00-22:00"),)  # a careless configuration that reaches into the quiet hours

SH = "Asia/Shanghai"
NY = "America/New_York"
URUMQI = "Asia/Urumqi"

# (local wall-clock time, customer zone, calendar, windows, expected reason)
HARD_DAYS = [
    # ── Window edges on an ordinary Monday, 2026-11-23. Start inclusive, end exclusive. ──
    # One second before the morning window; already past the quiet hours, so the reason is the window.
    pytest.param("2026-11-23T09:59:59", SH, PLAIN, DEFAULT_WINDOWS, "outside_window", id="09:59:59"),
    # The first second a call may start: a `>` instead of `>=` loses it.
    pytest.param("2026-11-23T10:00:00", SH, PLAIN, DEFAULT_WINDOWS, "ok", id="10:00:00"),
    # The last second a call may start; the call itself may run past noon.
    pytest.param("2026-11-23T11:59:59", SH, PLAIN, DEFAULT_WINDOWS, "ok", id="11:59:59"),
    # Noon is already outside: "10:00–12:00" means a call may START before 12:00, not at it.
    pytest.param("2026-11-23T12:00:00", SH, PLAIN, DEFAULT_WINDOWS, "outside_window", id="12:00:00"),
    # Lunch: between the two windows, both neighbours are one second away.
    pytest.param("2026-11-23T14:59:59", SH, PLAIN, DEFAULT_WINDOWS, "outside_window", id="14:59:59"),
    pytest.param("2026-11-23T15:00:00", SH, PLAIN, DEFAULT_WINDOWS, "ok", id="15:00:00"),
    pytest.param("2026-11-23T16:59:59", SH, PLAIN, DEFAULT_WINDOWS, "ok", id="16:59:59"),
    # 17:00 is the afternoon's exclusive end.
    pytest.param("2026-11-23T17:00:00", SH, PLAIN, DEFAULT_WINDOWS, "outside_window", id="17:00:00"),
    # ── Quiet hours win over any configuration (工信部信管〔2020〕81号). ──
    # The configured window says 08:00, the rule says not before 09:00.
    pytest.param("2026-11-23T08:59:59", SH, PLAIN, WIDE, "quiet_hours", id="wide-08:59:59"),
    pytest.param("2026-11-23T09:00:00", SH, PLAIN, WIDE, "ok", id="wide-09:00:00"),
    pytest.param("2026-11-23T20:59:59", SH, PLAIN, WIDE, "ok", id="wide-20:59:59"),
    # The configured window runs to 22:00; at 21:00 sharp the quiet hours begin.
    pytest.param("2026-11-23T21:00:00", SH, PLAIN, WIDE, "quiet_hours", id="wide-21:00:00"),
    # ── National Day 2026-10-01 to 10-07: Thu, Fri, the weekend, then Mon–Wed that look like workdays. ──
    pytest.param("2026-10-01T10:30:00", SH, PLAIN, DEFAULT_WINDOWS, "non_working_day", id="national-day-thu"),
    pytest.param("2026-10-02T10:30:00", SH, PLAIN, DEFAULT_WINDOWS, "non_working_day", id="national-day-fri"),
    pytest.param("2026-10-03T15:30:00", SH, PLAIN, DEFAULT_WINDOWS, "non_working_day", id="national-day-sat"),
    pytest.param("2026-10-04T15:30:00", SH, PLAIN, DEFAULT_WINDOWS, "non_working_day", id="national-day-sun"),
    # A Monday that a weekday check would happily dial.
    pytest.param("2026-10-05T10:30:00", SH, PLAIN, DEFAULT_WINDOWS, "non_working_day", id="national-day-mon"),
    pytest.param("2026-10-06T10:30:00", SH, PLAIN, DEFAULT_WINDOWS, "non_working_day", id="national-day-tue"),
    pytest.param("2026-10-07T16:59:59", SH, PLAIN, DEFAULT_WINDOWS, "non_working_day", id="national-day-wed"),
    # The first day back.
    pytest.param("2026-10-08T10:00:00", SH, PLAIN, DEFAULT_WINDOWS, "ok", id="after-national-day"),
    # ── 调休: weekends that are working days, and a holiday on a weekday. ──
    # The working Saturday after National Day: a weekend check would skip it.
    pytest.param("2026-10-10T10:30:00", SH, PLAIN, DEFAULT_WINDOWS, "ok", id="tiaoxiu-saturday-10-10"),
    # ...while the Sunday right after it is an ordinary day off.
    pytest.param("2026-10-11T10:30:00", SH, PLAIN, DEFAULT_WINDOWS, "non_working_day", id="sunday-10-11"),
    # The working Sunday before National Day.
    pytest.param("2026-09-20T15:30:00", SH, PLAIN, DEFAULT_WINDOWS, "ok", id="tiaoxiu-sunday-09-20"),
    # Mid-Autumn Festival falls on a Friday.
    pytest.param("2026-09-25T10:30:00", SH, PLAIN, DEFAULT_WINDOWS, "non_working_day", id="mid-autumn-fri"),
    # ── An ordinary weekend. ──
    pytest.param("2026-11-21T10:30:00", SH, PLAIN, DEFAULT_WINDOWS, "non_working_day", id="weekend-saturday"),
    pytest.param("2026-11-22T15:30:00", SH, PLAIN, DEFAULT_WINDOWS, "non_working_day", id="weekend-sunday"),
    # ── The year with no data: fail closed, never guess. ──
    # The last day the package knows.
    pytest.param("2026-12-31T10:30:00", SH, PLAIN, DEFAULT_WINDOWS, "ok", id="last-known-day"),
    # An ordinary-looking Monday in 2027: nobody knows yet whether it is a working day.
    pytest.param("2027-01-04T10:30:00", SH, PLAIN, DEFAULT_WINDOWS, "no_calendar_data", id="2027-monday"),
    # ...unless the operator wrote 2027 out in full in the override file.
    pytest.param("2027-01-04T10:30:00", SH, FILLED_2027, DEFAULT_WINDOWS, "ok", id="2027-filled-in"),
    pytest.param(
        "2027-01-01T10:30:00", SH, FILLED_2027, DEFAULT_WINDOWS, "non_working_day", id="2027-new-year"
    ),
    # ── Operator overrides. ──
    # An added holiday on an ordinary Monday.
    pytest.param(
        "2026-11-23T10:30:00", SH, EXTRA_HOLIDAY, DEFAULT_WINDOWS, "non_working_day", id="added-holiday"
    ),
    # An added working Saturday.
    pytest.param("2026-11-21T10:30:00", SH, EXTRA_WORKDAY, DEFAULT_WINDOWS, "ok", id="added-workday"),
    # ── Customers in other time zones: the window is THEIR 10:00–12:00. ──
    # 10:30 in New York is 23:30 in Shanghai: fine for them, the dead of night for a Shanghai customer.
    pytest.param("2026-11-23T10:30:00", NY, PLAIN, DEFAULT_WINDOWS, "ok", id="new-york-10:30"),
    # 10:30 in Urumqi (tzdata gives Xinjiang time, UTC+6) is 12:30 in Shanghai: outside the window there.
    pytest.param("2026-11-23T10:30:00", URUMQI, PLAIN, DEFAULT_WINDOWS, "ok", id="urumqi-10:30"),
    # New York's Wednesday 15:30 is already Shanghai's National Day: the customer's own date decides.
    pytest.param("2026-09-30T15:30:00", NY, PLAIN, DEFAULT_WINDOWS, "ok", id="new-york-day-before"),
    # The Monday after the US clocks moved forward: a fixed UTC-5 offset would put 10:00 at 11:00.
    pytest.param(
        "2026-03-09T09:59:59", NY, PLAIN, DEFAULT_WINDOWS, "outside_window", id="new-york-dst-09:59:59"
    ),
    pytest.param("2026-03-09T10:00:00", NY, PLAIN, DEFAULT_WINDOWS, "ok", id="new-york-dst-10:00"),
]


@pytest.mark.parametrize(("wall", "tz", "calendar", "windows", "expected"), HARD_DAYS)
def test_it_decides_each_hard_day_as_written(
    wall: str, tz: str, calendar: WorkCalendar, windows: tuple[Window, ...], expected: str
) -> None:
    task = TaskView(id=1, timezone=tz)
    assert may_dial(task, [], Rules(RULES, calendar, windows), at(wall, tz)).reason == expected


def test_new_yorks_morning_is_shanghais_night() -> None:
    instant = at("2026-11-23T10:30:00", NY)  # 23:30 in Shanghai
    assert may_dial(TaskView(id=1, timezone=NY), [], Rules(RULES, PLAIN, DEFAULT_WINDOWS), instant).ok
    assert may_dial(TaskView(id=1), [], Rules(RULES, PLAIN, DEFAULT_WINDOWS), instant).reason == "quiet_hours"


def test_urumqis_morning_is_shanghais_lunch() -> None:
    instant = at("2026-11-23T10:30:00", URUMQI)  # 12:30 in Shanghai
    assert may_dial(TaskView(id=1, timezone=URUMQI), [], Rules(RULES, PLAIN, DEFAULT_WINDOWS), instant).ok
    assert (
        may_dial(TaskView(id=1), [], Rules(RULES, PLAIN, DEFAULT_WINDOWS), instant).reason == "outside_window"
    )


def test_it_skips_national_day() -> None:
    # Asked on the evening before the holiday, the next call waits for the first window after it.
    nxt = next_attempt_at(TaskView(id=1), [], Rules(RULES, PLAIN, DEFAULT_WINDOWS), sh("2026-09-30T17:00:00"))
    assert nxt == sh("2026-10-08T10:00:00")


def test_it_calls_on_the_tiaoxiu_saturday() -> None:
    nxt = next_attempt_at(TaskView(id=1), [], Rules(RULES, PLAIN, DEFAULT_WINDOWS), sh("2026-10-09T17:00:00"))
    assert nxt == sh("2026-10-10T10:00:00")


def test_it_stops_at_the_end_of_the_known_calendar() -> None:
    # After the last window of 2026 there is no instant anyone can vouch for.
    assert (
        next_attempt_at(TaskView(id=1), [], Rules(RULES, PLAIN, DEFAULT_WINDOWS), sh("2026-12-31T17:00:00"))
        is None
    )


def test_it_names_the_missing_year() -> None:
    with pytest.raises(CalendarDataMissing, match="2027") as caught:
        PLAIN.is_working_day(date(2027, 6, 1))
    assert caught.value.year == 2027 and "config/holidays.toml" in str(caught.value)


def test_an_override_wins_over_the_package_on_national_day() -> None:
    # An operator may open a holiday (e.g. an emergency recall campaign); the override is the last word.
    opened = WorkCalendar({date(2026, 10, 5): True})
    when = datetime(2026, 10, 5, 10, 30, tzinfo=SHANGHAI)
    assert may_dial(TaskView(id=1), [], Rules(RULES, opened, DEFAULT_WINDOWS), when).ok
