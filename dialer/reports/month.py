"""A calendar month in the service's time zone: parsing `YYYY-MM`, its UTC bounds, the month before."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from dialer.errors import DialerError

MONTH_FORM = re.compile(r"^(\d{4})-(\d{2})$")
DAY_FORM = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class ReportInputError(DialerError):
    """A report was asked for with a malformed month or filter."""


def parse_day(text: str) -> date:
    """Return the local day written as `YYYY-MM-DD`, or refuse with the expected form in plain words."""
    found = DAY_FORM.match(text.strip())
    try:
        if found is None:
            raise ValueError(text)
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        raise ReportInputError(
            f"日期“{text}”不对：请写成 年-月-日 的形式，并且是日历上有的日子，例如 2026-11-23。"
        ) from None


@dataclass(frozen=True, order=True)
class Month:
    """One calendar month, e.g. Month(2026, 11)."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Return the month written as `YYYY-MM`, or refuse with the expected form in plain words."""
        found = MONTH_FORM.match(text.strip())
        if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
            raise ReportInputError(
                f"月份“{text}”格式不对：请写成 年-月 的形式，四位年份加两位月份，例如 2026-11。"
            )
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def containing(cls, instant: datetime, tz: ZoneInfo) -> Month:
        """Return the local month that contains `instant`."""
        local = instant.astimezone(tz)
        return cls(local.year, local.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """Return the month in Chinese words, e.g. 2026年11月."""
        return f"{self.year}年{self.month}月"

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def start(self, tz: ZoneInfo) -> datetime:
        """Return the first instant of the month in `tz`, as an aware datetime."""
        return datetime.combine(self.first_day(), time(0), tz)

    def end(self, tz: ZoneInfo) -> datetime:
        """Return the first instant after the month in `tz`."""
        return self.next().start(tz)
