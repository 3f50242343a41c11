"""Windows: what the configured spans become once the quiet hours are cut out, and when the next one opens."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from dialer.policy.calendar import WorkCalendar
from dialer.policy.rules import DEFAULT_WINDOWS, Window
from dialer.policy.windows import (
    effective_spans,
    in_window,
    next_window_start,
    window_index,
    zone,
    zone_label,
)
from tests.policy.helpers import at, sh

H = 3600 * 1_000_000  # one hour in microseconds


def spans(*texts: str) -> tuple[tuple[int, int], ...]:
    return effective_spans([Window.parse(t) for t in texts])


def test_the_default_windows_are_a_morning_and_an_afternoon() -> None:
    assert spans("10:00-12:00", "15:00-17:00") == ((10 * H, 12 * H), (15 * H, 17 * H))


def test_it_cuts_the_quiet_hours_out_of_any_window() -> None:
    assert spans("07:00-23:00") == ((9 * H, 21 * H),)


def test_a_window_past_midnight_keeps_only_its_daytime_part() -> None:
    assert spans("20:00-10:00") == ((9 * H, 10 * H), (20 * H, 21 * H))


def test_a_window_inside_the_quiet_hours_is_no_window() -> None:
    assert spans("22:00-23:30", "10:00-10:00") == ()
    assert not in_window(time(22, 30), [Window.parse("22:00-23:30")])


def test_overlapping_windows_merge_but_touching_ones_stay_two() -> None:
    assert spans("10:00-12:00", "11:00-13:00") == ((10 * H, 13 * H),)
    assert spans("10:00-12:00", "12:00-14:00") == ((10 * H, 12 * H), (12 * H, 14 * H))


def test_it_numbers_the_windows_of_the_day() -> None:
    assert window_index(time(10, 30), DEFAULT_WINDOWS) == 0
    assert window_index(time(16, 59, 59), DEFAULT_WINDOWS) == 1
    assert window_index(time(13), DEFAULT_WINDOWS) is None


def test_inside_a_window_the_next_start_is_now() -> None:
    now = sh("2026-11-23T10:30:00")
    assert next_window_start(now, DEFAULT_WINDOWS) == now


def test_after_the_morning_the_next_start_is_the_afternoon() -> None:
    assert next_window_start(sh("2026-11-23T12:00:00"), DEFAULT_WINDOWS) == sh("2026-11-23T15:00:00")


def test_in_the_evening_the_next_start_is_tomorrow_morning() -> None:
    assert next_window_start(sh("2026-11-23T21:30:00"), DEFAULT_WINDOWS) == sh("2026-11-24T10:00:00")


def test_with_a_calendar_it_skips_the_weekend() -> None:
    nxt = next_window_start(sh("2026-11-20T17:00:00"), DEFAULT_WINDOWS, calendar=WorkCalendar())
    assert nxt == sh("2026-11-23T10:00:00")


def test_it_opens_at_the_customers_ten_oclock() -> None:
    ny = "America/New_York"
    assert next_window_start(at("2026-11-23T08:00:00", ny), DEFAULT_WINDOWS, ny) == at(
        "2026-11-23T10:00:00", ny
    )


def test_with_no_usable_window_there_is_no_next_start() -> None:
    assert next_window_start(sh("2026-11-23T10:30:00"), [Window.parse("22:00-23:00")]) is None


def test_an_unknown_zone_says_what_to_use() -> None:
    with pytest.raises(ValueError, match="Asia/Shanghai"):
        zone("Asia/Beijing")


def test_a_zone_is_told_by_the_name_people_use_and_its_offset() -> None:
    july = datetime(2026, 7, 1, 4, 0, tzinfo=UTC)
    assert zone_label("Asia/Shanghai", july) == "北京时间（UTC+8）"
    assert zone_label("Asia/Kolkata", july) == "UTC+5:30"
    assert zone_label("America/New_York", july) == "UTC-4"  # summer time
    assert zone_label("UTC", july) == "UTC+0"
