"""After an attempt: the outcome leads to the next attempt or to a final state."""

from __future__ import annotations

from datetime import timedelta

from dialer.policy.attempts import NextStep, after_attempt
from dialer.policy.calendar import WorkCalendar
from dialer.policy.rules import DEFAULT_WINDOWS, Rules, TaskTypeRules
from dialer.policy.views import AttemptView, Outcome, Standing, TaskView
from tests.policy.helpers import MANDATORY, RULES, sh

TASK = TaskView(id=7, status=Standing.CALLING, attempt_count=1)


def step(attempts: list[AttemptView], task: TaskView = TASK, rules: TaskTypeRules = RULES) -> NextStep:
    return after_attempt(
        task, attempts, Rules(rules, WorkCalendar(), DEFAULT_WINDOWS), attempts[-1].started_at
    )


def test_an_answered_call_completes_the_task() -> None:
    result = step([AttemptView(sh("2026-11-23T10:30:00"), Outcome.ANSWERED)])
    assert (result.status, result.next_at) == (Standing.COMPLETED, None)


def test_an_invalid_number_is_final_and_never_retried() -> None:
    result = step([AttemptView(sh("2026-11-23T10:30:00"), Outcome.INVALID_NUMBER)])
    assert (result.status, result.next_at, result.reason) == (Standing.INVALID, None, "invalid_number")


def test_a_busy_line_is_tried_again_in_the_afternoon() -> None:
    result = step([AttemptView(sh("2026-11-23T10:30:00"), Outcome.BUSY)])
    assert (result.status, result.next_at) == (Standing.PENDING, sh("2026-11-23T15:00:00"))


def test_someone_else_answering_is_tried_again_too() -> None:
    result = step([AttemptView(sh("2026-11-23T15:10:00"), Outcome.NOT_CUSTOMER)])
    assert result.next_at == sh("2026-11-24T10:00:00")


def test_after_the_last_attempt_the_task_is_unreachable() -> None:
    attempts = [
        AttemptView(sh("2026-11-23T10:30:00"), Outcome.NO_ANSWER),
        AttemptView(sh("2026-11-23T15:00:00"), Outcome.BUSY),
        AttemptView(sh("2026-11-24T10:00:00"), Outcome.VOICEMAIL),
    ]
    result = step(attempts, TaskView(id=7, status=Standing.CALLING, attempt_count=3))
    assert (result.status, result.next_at, result.reason) == (Standing.UNREACHABLE, None, "attempt_cap")


def test_a_transient_gateway_error_does_not_use_up_an_attempt() -> None:
    # The call never left: retry within the same window, after a short pause, still as attempt one.
    failed = AttemptView(sh("2026-11-23T10:30:00"), Outcome.GATEWAY_ERROR)
    result = step([failed], TaskView(id=7, status=Standing.CALLING))
    assert result.status == Standing.PENDING
    assert result.next_at == failed.started_at + timedelta(minutes=5)


def test_a_call_still_in_flight_decides_nothing_yet() -> None:
    result = step([AttemptView(sh("2026-11-23T10:30:00"))])
    assert (result.status, result.next_at, result.reason) == (Standing.CALLING, None, "in_flight")


def test_a_customer_who_opts_out_during_the_call_is_not_called_again() -> None:
    task = TaskView(id=7, status=Standing.CALLING, opted_out=True, attempt_count=1)
    assert step([AttemptView(sh("2026-11-23T10:30:00"), Outcome.BUSY)], task).status == Standing.OPTED_OUT


def test_an_opt_out_does_not_stop_a_mandatory_callback() -> None:
    task = TaskView(id=7, status=Standing.CALLING, opted_out=True, attempt_count=1)
    result = step([AttemptView(sh("2026-11-23T10:30:00"), Outcome.BUSY)], task, MANDATORY)
    assert result.status == Standing.PENDING and result.next_at is not None


def test_at_the_end_of_the_known_calendar_the_task_waits_instead_of_giving_up() -> None:
    # Not the customer's fault: it stays pending, with no time, until 2027's calendar is known.
    result = step([AttemptView(sh("2026-12-31T15:30:00"), Outcome.NO_ANSWER)])
    assert (result.status, result.next_at, result.reason) == (Standing.PENDING, None, "no_calendar_data")


def test_a_final_task_stays_final() -> None:
    done = TaskView(id=7, status=Standing.COMPLETED, attempt_count=1)
    assert step([AttemptView(sh("2026-11-23T10:30:00"), Outcome.BUSY)], done).status == Standing.COMPLETED
