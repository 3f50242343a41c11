"""The gate names why it says no, with one short stable code per rule."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from dialer.policy.calendar import WorkCalendar
from dialer.policy.dialing import Decision, may_dial
from dialer.policy.rules import DEFAULT_WINDOWS, AttemptRules, Rules, TaskTypeRules, Window
from dialer.policy.views import AttemptView, Outcome, Standing, TaskView
from tests.policy.helpers import MANDATORY, RULES, sh

MONDAY_1030 = sh("2026-11-23T10:30:00")


def gate(
    task: TaskView, attempts: list[AttemptView], rules: TaskTypeRules = RULES, now: datetime = MONDAY_1030
) -> Decision:
    return may_dial(task, attempts, Rules(rules, WorkCalendar(), DEFAULT_WINDOWS), now)


def tried(*walls: str) -> list[AttemptView]:
    return [AttemptView(sh(w), Outcome.NO_ANSWER) for w in walls]


def test_a_fresh_task_in_a_window_on_a_working_day_may_be_dialled() -> None:
    assert gate(TaskView(id=1), []) == Decision(True, "ok")


@pytest.mark.parametrize("status", [s for s in Standing if s != Standing.PENDING])
def test_only_a_pending_task_is_dialled(status: Standing) -> None:
    assert gate(TaskView(id=1, status=status), []).reason == "not_pending"


def test_it_never_dials_an_opted_out_customer_for_an_optional_type() -> None:
    assert gate(TaskView(id=1, opted_out=True), []).reason == "opted_out"


def test_a_mandatory_type_is_dialled_despite_an_opt_out() -> None:
    assert gate(TaskView(id=1, opted_out=True), [], MANDATORY).ok


def test_it_stops_at_the_attempt_cap_from_the_history() -> None:
    attempts = tried("2026-11-19T10:30:00", "2026-11-19T15:30:00", "2026-11-20T10:30:00")
    assert gate(TaskView(id=1), attempts).reason == "attempt_cap"


def test_it_stops_at_the_attempt_cap_from_the_tasks_own_count() -> None:
    # The larger count wins: a history that lost a row must not buy a fourth call.
    assert gate(TaskView(id=1, attempt_count=3), tried("2026-11-20T10:30:00")).reason == "attempt_cap"


def test_it_never_dials_while_a_call_is_in_flight() -> None:
    assert gate(TaskView(id=1), [AttemptView(sh("2026-11-20T10:30:00"))]).reason == "in_flight"


def test_an_unknown_zone_stops_the_task() -> None:
    assert gate(TaskView(id=1, timezone="Mars/Olympus"), []).reason == "unknown_timezone"


def test_it_waits_for_the_earliest_time() -> None:
    task = TaskView(id=1, earliest_at=MONDAY_1030 + timedelta(seconds=1))
    assert gate(task, []).reason == "not_yet_earliest"


def test_it_keeps_the_gap_between_attempts() -> None:
    # A wide window so that only the gap is in the way.
    rules = TaskTypeRules(id="t", name="t", script="t", attempts=AttemptRules(distinct_windows=False))
    attempts = tried("2026-11-23T09:00:01")
    assert gate(TaskView(id=1), attempts, rules, sh("2026-11-23T11:00:00")).reason == "too_soon"
    assert gate(TaskView(id=1), attempts, rules, sh("2026-11-23T11:00:01")).ok


def test_it_does_not_call_twice_in_the_same_window_of_the_day() -> None:
    # Yesterday's morning was tried, so today it must be an afternoon.
    attempts = tried("2026-11-20T10:30:00")
    assert gate(TaskView(id=1), attempts).reason == "same_window"
    assert gate(TaskView(id=1), attempts, now=sh("2026-11-23T15:30:00")).ok


def test_the_last_attempt_goes_to_a_new_day() -> None:
    # Two attempts today leave one, and it must reach a second day; a day-long window tempts otherwise.
    day_long = (Window.parse("09:00-21:00"),)
    attempts = tried("2026-11-23T09:00:00", "2026-11-23T11:00:00")
    decision = may_dial(
        TaskView(id=1), attempts, Rules(RULES, WorkCalendar(), day_long), sh("2026-11-23T13:00:00")
    )
    assert decision.reason == "same_day"


def test_with_one_window_the_different_window_rule_waives_itself() -> None:
    one = (Window.parse("10:00-12:00"),)
    attempts = tried("2026-11-20T10:30:00")
    assert may_dial(TaskView(id=1), attempts, Rules(RULES, WorkCalendar(), one), MONDAY_1030).ok


def test_a_naive_now_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="aware"):
        gate(TaskView(id=1), [], now=datetime(2026, 11, 23, 10, 30))
