"""Deadlines: the due span of an event, and a task reported at risk before its deadline is missed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dialer.policy.calendar import WorkCalendar
from dialer.policy.deadlines import Risk, deadline_risk, due_span, is_at_risk
from dialer.policy.rules import DEFAULT_WINDOWS, TaskTypeRules
from dialer.policy.views import Standing, TaskView
from tests.policy.helpers import RULES, sh

REPAIR = TaskTypeRules(
    id="repair",
    name="维修回访",
    script="repair",
    earliest_offset=timedelta(days=7),
    deadline=timedelta(days=30),
)
LEAD = TaskTypeRules(id="lead", name="意向客户", script="lead", deadline=None)


def risk(task: TaskView, now: datetime, rules: TaskTypeRules = RULES) -> Risk:
    return deadline_risk(task, rules, WorkCalendar(), DEFAULT_WINDOWS, now)


def test_the_due_span_follows_the_task_type() -> None:
    done = sh("2026-11-02T14:00:00")
    assert due_span(done, REPAIR) == (sh("2026-11-09T14:00:00"), sh("2026-12-02T14:00:00"))


def test_a_type_without_deadline_has_an_open_span() -> None:
    assert due_span(sh("2026-11-02T14:00:00"), LEAD) == (sh("2026-11-02T14:00:00"), None)


def test_a_naive_event_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_span(datetime(2026, 11, 2, 14), REPAIR)


def test_a_task_with_days_of_windows_left_is_fine() -> None:
    task = TaskView(id=1, deadline_at=sh("2026-11-27T17:00:00"))
    assert risk(task, sh("2026-11-23T10:30:00")) == Risk.OK


def test_it_is_at_risk_in_the_last_day_before_the_deadline() -> None:
    task = TaskView(id=1, deadline_at=sh("2026-11-27T17:00:00"))
    assert risk(task, sh("2026-11-26T17:00:00")) == Risk.AT_RISK
    assert is_at_risk(task, RULES, WorkCalendar(), DEFAULT_WINDOWS, sh("2026-11-26T17:00:00"))


def test_it_is_overdue_once_the_deadline_passed() -> None:
    task = TaskView(id=1, deadline_at=sh("2026-11-27T17:00:00"))
    assert risk(task, sh("2026-11-27T17:00:00")) == Risk.OVERDUE


def test_national_day_puts_a_task_at_risk_a_week_early() -> None:
    # Eight calendar days to go, but only one window left before the deadline: the holiday ate the rest.
    task = TaskView(id=1, deadline_at=sh("2026-10-08T12:00:00"))
    assert risk(task, sh("2026-09-30T17:00:00")) == Risk.AT_RISK
    # The same eight days in November hold plenty of windows.
    later = TaskView(id=1, deadline_at=sh("2026-11-20T12:00:00"))
    assert risk(later, sh("2026-11-12T17:00:00")) == Risk.OK


def test_a_deadline_in_a_year_without_data_counts_no_windows_there() -> None:
    # Fail closed: windows nobody can vouch for are not a chance to call.
    task = TaskView(id=1, deadline_at=sh("2027-01-20T12:00:00"))
    assert risk(task, sh("2026-12-31T15:30:00")) == Risk.AT_RISK


def test_a_finished_or_open_ended_task_is_never_at_risk() -> None:
    assert risk(TaskView(id=1), sh("2026-11-23T10:30:00")) == Risk.OK
    done = TaskView(id=1, status=Standing.COMPLETED, deadline_at=sh("2026-11-20T12:00:00"))
    assert risk(done, sh("2026-11-23T10:30:00")) == Risk.OK
