"""Working days: chinesecalendar's holidays and 调休 workdays, corrected by the operator's override table.

A year neither source knows is not guessed: asking about it raises CalendarDataMissing, so no call is placed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

import chinese_calendar

from dialer.errors import CalendarDataMissing, SettingsError

OVERRIDES_FILE = "config/holidays.toml"
WARN_FROM_MONTH = 11  # from 1 November, warn that next year has no data yet
_DAY_KEYS = {"date", "working", "note"}
_TOP_KEYS = {"complete_years", "day"}


@cache
def package_has_year(year: int) -> bool:
    """Return whether the installed chinesecalendar has holiday data for `year`."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Answer "is this local date a working day?" from chinesecalendar plus per-date overrides."""

    def __init__(self, overrides: Mapping[date, bool] | None = None, complete_years: Iterable[int] = ()):
        self.overrides: dict[date, bool] = dict(overrides or {})
        # Years the operator wrote out in full: days not listed follow the normal week.
        self.complete_years = frozenset(complete_years)

    @classmethod
    def from_toml(cls, text: str, source: str = OVERRIDES_FILE) -> WorkCalendar:
        """Build a calendar from the text of the override file; `source` names it in errors."""
        overrides, years = parse_overrides(text, source)
        return cls(overrides, years)

    def has_data(self, year: int) -> bool:
        """Return whether working days of `year` are known."""
        return year in self.complete_years or package_has_year(year)

    def is_working_day(self, day: date) -> bool:
        """Return whether calls may be placed on this local date; raise CalendarDataMissing if unknown."""
        if isinstance(day, datetime):
            day = day.date()
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.complete_years:
            return day.weekday() < 5
        if not package_has_year(day.year):
            raise CalendarDataMissing(day.year)
        return bool(chinese_calendar.is_workday(day))

    def warnings(self, today: date) -> list[str]:
        """Return the loud warnings about missing calendar data, as of this local date."""
        out = []
        if not self.has_data(today.year):
            out.append(f"{CalendarDataMissing(today.year)}")
        if today.month >= WARN_FROM_MONTH and not self.has_data(today.year + 1):
            nxt = today.year + 1
            out.append(
                f"还没有 {nxt} 年的节假日数据：从 {nxt}-01-01 起将不会拨打任何电话。"
                f"请在 {nxt} 年节假日公布后升级 chinesecalendar 软件包，或在管理页面的节假日日历中录入，"
                f"或把 {nxt} 年的假日和调休上班日写入 {OVERRIDES_FILE} 并在 complete_years 中列出 {nxt}。"
            )
        return out


def calendar_warnings(today: date, calendar: WorkCalendar | None = None) -> list[str]:
    """Return the loud warnings about missing calendar data, as of this local date."""
    return (calendar or WorkCalendar()).warnings(today)


def parse_overrides(text: str, source: str = OVERRIDES_FILE) -> tuple[dict[date, bool], frozenset[int]]:
    """Parse the override file's text into ({date: is working day}, complete years)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{source}: not valid TOML ({exc}); fix the line it names") from exc
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise SettingsError(f"{source}: unknown key(s) {sorted(unknown)}; use only {sorted(_TOP_KEYS)}")
    days = data.get("day", [])
    if not isinstance(days, list):
        raise SettingsError(f"{source}: 'day' must be a list of [[day]] tables")
    overrides: dict[date, bool] = {}
    for n, entry in enumerate(days, start=1):
        day, working = _parse_day(entry, f"{source}: [[day]] #{n}")
        if day in overrides:
            raise SettingsError(f"{source}: [[day]] #{n}: {day} is listed twice; keep one entry")
        overrides[day] = working
    return overrides, _parse_years(data.get("complete_years", []), source)


def _parse_day(entry: Any, where: str) -> tuple[date, bool]:
    if not isinstance(entry, dict):
        raise SettingsError(f"{where}: must be a table with 'date' and 'working'")
    unknown = set(entry) - _DAY_KEYS
    if unknown:
        raise SettingsError(f"{where}: unknown key(s) {sorted(unknown)}; use only {sorted(_DAY_KEYS)}")
    day, working = entry.get("date"), entry.get("working")
    # A TOML date-time is a datetime, which is also a date: refuse it, a day has no time.
    if not isinstance(day, date) or isinstance(day, datetime):
        raise SettingsError(f"{where}: 'date' must be a bare TOML date such as 2026-10-09, got {day!r}")
    if not isinstance(working, bool):
        raise SettingsError(
            f"{where} ({day}): 'working' must be true (calls allowed) or false (no calls), got {working!r}"
        )
    return day, working


def _parse_years(years: Any, source: str) -> frozenset[int]:
    ok = isinstance(years, list) and all(isinstance(y, int) and 2000 <= y <= 2200 for y in years)
    if not ok:
        raise SettingsError(
            f"{source}: 'complete_years' must be a list of years such as [2027], got {years!r}"
        )
    return frozenset(years)
