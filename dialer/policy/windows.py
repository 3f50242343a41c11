"""Calling windows: the local times a call may start at, with the 21:00–09:00 quiet hours always cut out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dialer.policy.calendar import WorkCalendar
from dialer.policy.rules import Window

# Nuisance-call rules (工信部信管〔2020〕81号): never dial 21:00–09:00, whatever the configuration says.
QUIET_FROM = time(21)
QUIET_UNTIL = time(9)

_US_PER_DAY = 24 * 3600 * 1_000_000
_ALLOWED = (  # the part of the local day outside the quiet hours, in microseconds since midnight
    (QUIET_UNTIL.hour * 3600 * 1_000_000, QUIET_FROM.hour * 3600 * 1_000_000),
)

Span = tuple[int, int]  # microseconds since local midnight: start inclusive, end exclusive
Opening = tuple[datetime, datetime]  # a window on one day, as UTC instants: open inclusive, close exclusive


def _us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _raw_spans(w: Window) -> list[Span]:
    start, end = _us(w.start), _us(w.end)
    if start < end:
        return [(start, end)]
    if start > end:  # the window wraps past midnight, e.g. 20:00-08:00
        return [(start, _US_PER_DAY), (0, end)]
    return []  # an empty window, e.g. 10:00-10:00


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:  # overlaps: one window; touching windows stay two
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def effective_spans(windows: Sequence[Window]) -> tuple[Span, ...]:
    """Return the windows as sorted spans of the local day, quiet hours cut out and overlaps merged."""
    return _effective_spans(tuple(windows))


@cache  # the gate asks for every task of every tick, always with the same few windows
def _effective_spans(windows: tuple[Window, ...]) -> tuple[Span, ...]:
    clipped = []
    for w in windows:
        for start, end in _raw_spans(w):
            for lo, hi in _ALLOWED:
                if max(start, lo) < min(end, hi):
                    clipped.append((max(start, lo), min(end, hi)))
    return tuple(_merge(clipped))


def is_quiet(local_time: time) -> bool:
    """Return whether this local time falls in the 21:00–09:00 quiet hours."""
    return local_time >= QUIET_FROM or local_time < QUIET_UNTIL


def window_index(local_time: time, windows: Sequence[Window]) -> int | None:
    """Return which effective window of the day this local time is in, or None."""
    t = _us(local_time)
    for i, (start, end) in enumerate(effective_spans(windows)):
        if start <= t < end:
            return i
    return None


def in_window(local_time: time, windows: Sequence[Window]) -> bool:
    """Return whether a call may start at this local time."""
    return window_index(local_time, windows) is not None


def zone(name: str) -> ZoneInfo:
    """Return the time zone named `name`, or fail with a message saying what to use."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as Asia/Shanghai") from exc


# Zones a Chinese office calls by a name of its own; any other is told by its offset from UTC.
ZONE_WORDS = {"Asia/Shanghai": "北京时间", "Asia/Chongqing": "北京时间", "PRC": "北京时间",
              "Asia/Hong_Kong": "香港时间", "Asia/Macau": "澳门时间", "Asia/Taipei": "台北时间"}  # fmt: skip


def zone_label(name: str, at: datetime) -> str:
    """Return the zone `name` as people read it at instant `at`: Asia/Shanghai is 北京时间（UTC+8）."""
    offset = at.astimezone(ZoneInfo(name)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    hours, rest = divmod(abs(minutes), 60)
    utc = f"UTC{'-' if minutes < 0 else '+'}{hours}" + (f":{rest:02d}" if rest else "")
    word = ZONE_WORDS.get(name)
    return f"{word}（{utc}）" if word else utc


def local(instant: datetime, tz: ZoneInfo) -> datetime:
    """Return an aware instant as wall-clock time in `tz`."""
    if instant.utcoffset() is None:
        raise ValueError(f"need an aware datetime (UTC), got naive {instant.isoformat()}")
    return instant.astimezone(tz)


def _at(day: date, us: int, tz: ZoneInfo) -> datetime:
    wall = datetime.combine(day, time(0), tzinfo=tz) + timedelta(microseconds=us)
    return wall.astimezone(UTC)


def openings(start: datetime, tz: ZoneInfo, windows: Sequence[Window], days: int) -> Iterator[Opening]:
    """Yield (open, close) UTC instants of each window from `start` on, over `days` local days."""
    spans = effective_spans(windows)
    first = local(start, tz).date()
    for offset in range(days):
        day = first + timedelta(days=offset)
        for lo, hi in spans:
            opens, closes = _at(day, lo, tz), _at(day, hi, tz)
            if closes > start:
                yield max(opens, start), closes


def next_window_start(
    now: datetime,
    windows: Sequence[Window],
    tz: str = "Asia/Shanghai",
    calendar: WorkCalendar | None = None,
    days: int = 366,
) -> datetime | None:
    """Return the first instant from `now` (UTC) at which a window is open, on a working day if given.

    With a calendar, a year it has no data for raises CalendarDataMissing rather than guess.
    """
    zone_ = zone(tz)
    for opens, _ in openings(now, zone_, windows, days):
        if calendar is not None and not calendar.is_working_day(local(opens, zone_).date()):
            continue
        if in_window(local(opens, zone_).time(), windows):
            return opens.astimezone(UTC)
    return None
