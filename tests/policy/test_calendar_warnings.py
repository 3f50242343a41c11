"""Calendar warnings: loud about a year with no data, and from 1 November already about next year."""

from __future__ import annotations

from datetime import date

from dialer.policy.calendar import WorkCalendar, calendar_warnings


def test_it_is_quiet_in_october_of_a_known_year() -> None:
    assert calendar_warnings(date(2026, 10, 31)) == []


def test_from_the_first_of_november_it_warns_about_next_year() -> None:
    [warning] = calendar_warnings(date(2026, 11, 1))
    assert "2027" in warning and "不会拨打" in warning and "config/holidays.toml" in warning


def test_inside_a_year_without_data_it_warns_that_calls_are_stopped() -> None:
    [warning] = calendar_warnings(date(2027, 1, 4))
    assert "2027" in warning and "停止拨打" in warning


def test_in_november_of_an_unknown_year_it_warns_about_both_years() -> None:
    warnings = calendar_warnings(date(2027, 11, 2))
    assert len(warnings) == 2 and "2027" in warnings[0] and "2028" in warnings[1]


def test_a_year_written_out_by_the_operator_needs_no_warning() -> None:
    assert calendar_warnings(date(2026, 11, 1), WorkCalendar(complete_years=[2027])) == []
