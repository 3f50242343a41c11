"""Builders and hypothesis strategies shared by the policy tests, plus an oracle written independently."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import chinese_calendar
from hypothesis import strategies as st

from dialer.policy.calendar import WorkCalendar
from dialer.policy.rules import DEFAULT_WINDOWS, AttemptRules, TaskTypeRules, Window
from dialer.policy.views import AttemptView, Outcome, Standing, TaskView

T = TypeVar("T")
SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = TaskTypeRules(id="claim", name="理赔回访", script="claim")
MANDATORY = TaskTypeRules(id="new_policy", name="新契约回访", script="new_policy", mandatory=True)
CALENDAR = WorkCalendar()


def sh(text: str) -> datetime:
    """Return the UTC instant of a Shanghai wall-clock time written as ISO text."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(UTC)


def at(text: str, tz: str) -> datetime:
    """Return the UTC instant of a wall-clock time in zone `tz`."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


# ── The oracle: the rules restated the plain way, so the tests do not trust the code they test ──


def oracle_in_window(t: time, windows: list[Window] | tuple[Window, ...]) -> bool:
    """Return whether `t` is inside a configured window, quiet hours aside."""
    for w in windows:
        if w.start < w.end and w.start <= t < w.end:
            return True
        if w.start > w.end and (t >= w.start or t < w.end):  # wraps past midnight
            return True
    return False


def oracle_working(day: date, calendar: WorkCalendar) -> bool | None:
    """Return whether `day` is a working day, or None when nobody knows."""
    if day in calendar.overrides:
        return calendar.overrides[day]
    if day.year in calendar.complete_years:
        return day.weekday() < 5
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


# ── Strategies ──

ZONES = st.one_of(
    st.sampled_from(
        ["Asia/Shanghai", "Asia/Shanghai", "Asia/Urumqi", "America/New_York", "Europe/London",
         "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Chatham", "America/St_Johns", "Pacific/Kiritimati"]
    ),
    st.timezone_keys(),
)  # fmt: skip
OUTCOMES = st.sampled_from([*list(Outcome), None, "something-new"])
INSTANTS = st.datetimes(datetime(2025, 6, 1), datetime(2027, 3, 31), timezones=st.just(UTC))
TIMES = st.times().map(lambda t: t.replace(microsecond=0)) | st.sampled_from(
    [time(9), time(10), time(11, 59, 59), time(12), time(15), time(16, 59, 59), time(17), time(20, 59, 59),
     time(21), time(8, 59, 59)]
)  # fmt: skip


@st.composite
def local_instants(draw: st.DrawFn, tz: str) -> datetime:
    """Draw an instant by its wall-clock time in `tz`, so windows are hit often."""
    day = draw(st.dates(date(2025, 6, 1), date(2027, 3, 31)))
    wall = datetime.combine(day, draw(TIMES), tzinfo=ZoneInfo(tz))
    return wall.astimezone(UTC)


WINDOWS = st.one_of(
    st.just(DEFAULT_WINDOWS),
    st.lists(st.builds(Window, TIMES, TIMES), max_size=4).map(tuple),
    st.just((Window(time(0), time(23, 59, 59)),)),  # a careless "all day" configuration
    st.just((Window(time(20), time(10)),)),  # wraps past midnight, straight through the quiet hours
)

ATTEMPT_RULES = st.builds(
    AttemptRules,
    max_attempts=st.integers(1, 5),
    min_distinct_days=st.integers(1, 3),
    distinct_windows=st.booleans(),
    min_gap=st.sampled_from([timedelta(0), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=5)]),
)
TYPE_RULES = st.builds(
    TaskTypeRules,
    id=st.just("t"),
    name=st.just("t"),
    script=st.just("t"),
    attempts=st.one_of(st.just(AttemptRules()), ATTEMPT_RULES),
    mandatory=st.booleans(),
)

CALENDARS = st.builds(
    WorkCalendar,
    st.dictionaries(st.dates(date(2025, 12, 1), date(2027, 3, 31)), st.booleans(), max_size=40),
    st.sets(st.sampled_from([2027])),
)


def _mostly(usual: T, other: st.SearchStrategy[T]) -> st.SearchStrategy[T]:
    """Draw `usual` four times in five, else from `other`."""
    return st.integers(0, 4).flatmap(lambda n: other if n == 0 else st.just(usual))


@st.composite
def tasks(draw: st.DrawFn, tz: str) -> TaskView:
    """Draw a task in zone `tz`: pending, opted in and fresh most of the time."""
    return TaskView(
        id=draw(st.integers(1, 10**6)),
        status=draw(_mostly(Standing.PENDING, st.sampled_from(list(Standing)))),
        timezone=tz,
        opted_out=draw(_mostly(False, st.booleans())),
        earliest_at=draw(_mostly(None, INSTANTS)),
        deadline_at=draw(st.none() | INSTANTS),
        attempt_count=draw(_mostly(0, st.integers(0, 5))),
    )


@st.composite
def histories(draw: st.DrawFn, tz: str, now: datetime) -> list[AttemptView]:
    """Draw up to five attempts, often none, mostly in the days just before `now`."""
    n = draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3, 5]))
    recent = st.integers(0, 5 * 24 * 60).map(lambda m: now - timedelta(minutes=m))
    when = st.one_of(recent, recent, local_instants(tz))
    return [AttemptView(draw(when), draw(OUTCOMES)) for _ in range(n)]


def pending(tz: str = "Asia/Shanghai", **fields: object) -> TaskView:
    """Return a fresh pending task."""
    return TaskView(id=1, timezone=tz, **fields)  # type: ignore[arg-type]
